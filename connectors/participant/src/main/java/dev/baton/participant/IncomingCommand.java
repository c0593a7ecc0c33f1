package dev.baton.participant;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A command as a transport delivered it: its headers and its payload, before the SDK has read either. A transport
 * binding builds one per received message and passes it to {@link ParticipantRuntime#handle(IncomingCommand)}.
 *
 * <p>The factories never throw on what a message contains: a null map or payload counts as empty, and headers with
 * a null name or value are left out (a header without a value counts as missing). Whether the command makes sense is
 * decided by {@code handle}, which answers {@link Rejected} when it does not. Immutable and thread-safe; the payload
 * is copied in and out. {@link #toString()} never shows the payload (it may hold personal data).
 *
 * @since 0.1
 */
public final class IncomingCommand {
    private static final byte[] EMPTY = new byte[0];

    private final Map<String, String> headers;
    private final byte[] payload;

    private IncomingCommand(Map<String, String> headers, byte[] payload) {
        this.headers = headers;
        this.payload = payload;
    }

    /**
     * A command with a UTF-8 encoded payload, as a byte-oriented transport (Kafka) delivers it.
     *
     * @param headers header name to value; copied
     * @param payload the JSON payload; copied
     */
    public static IncomingCommand of(Map<String, String> headers, byte[] payload) {
        return new IncomingCommand(copy(headers), payload == null ? EMPTY : payload.clone());
    }

    /** A command whose payload is already text. */
    public static IncomingCommand of(Map<String, String> headers, String payload) {
        return new IncomingCommand(copy(headers), payload == null ? EMPTY : payload.getBytes(StandardCharsets.UTF_8));
    }

    private static Map<String, String> copy(Map<String, String> headers) {
        Map<String, String> copy = new LinkedHashMap<>();
        if (headers != null) {
            headers.forEach((k, v) -> {
                if (k != null && v != null) {
                    copy.put(k, v);
                }
            });
        }
        return Collections.unmodifiableMap(copy);
    }

    /** The headers, unmodifiable, in the order given. */
    public Map<String, String> headers() {
        return headers;
    }

    /** One header's value, or null when it is missing. */
    public String header(String name) {
        return headers.get(name);
    }

    /** The payload's bytes (a copy). Empty, never null, when the message had none. */
    public byte[] payload() {
        return payload.clone();
    }

    /** The payload decoded as UTF-8 (malformed bytes become U+FFFD). */
    public String payloadText() {
        return new String(payload, StandardCharsets.UTF_8);
    }

    byte[] payloadBytes() {
        return payload;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IncomingCommand c && c.headers.equals(headers) && Arrays.equals(c.payload, payload);
    }

    @Override
    public int hashCode() {
        return 31 * headers.hashCode() + Arrays.hashCode(payload);
    }

    /** The headers and the payload's size; never the payload. */
    @Override
    public String toString() {
        return "IncomingCommand[headers=" + headers + ", payload=" + payload.length + " bytes]";
    }
}
