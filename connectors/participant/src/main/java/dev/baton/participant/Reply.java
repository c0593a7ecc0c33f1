package dev.baton.participant;

import dev.baton.protocol.Headers;
import dev.baton.protocol.RetryCause;
import dev.baton.protocol.ReplyOutcome;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The answer to send back to the engine: headers and an optional JSON payload. A transport binding sends it to the
 * engine's reply channel (for Kafka: topic {@code baton.replies}, key = {@link #sagaId()}), copying every header
 * verbatim, and only then acknowledges the command.
 *
 * <p>Headers: {@value Headers#MESSAGE_ID} (the reply's own id, new for every reply, the engine's inbox key),
 * {@value Headers#CORRELATION_ID} (the command's message id), {@value Headers#SAGA_ID},
 * {@value Headers#OUTCOME}; when they apply, {@value Headers#REASON}, {@value Headers#MESSAGE_TYPE} (the
 * payload's wire name), {@value Headers#RETRY_AFTER_MS}; copied from the command when present,
 * {@value Headers#SAGA_TYPE}, {@value Headers#STEP}, {@value Headers#TRACEPARENT} and
 * {@value Headers#TRACESTATE}.
 *
 * <p>A command answered from its record gets a reply with the recorded outcome, reason, payload type and payload,
 * byte for byte, under a new reply id.
 *
 * @param headers the reply's headers; copied, unmodifiable, in a stable order
 * @param payload the JSON payload, or null when the reply has none
 * @param disposition how the SDK arrived at this answer (not sent)
 * @param command the command this reply answers
 * @since 0.1
 */
public record Reply(Map<String, String> headers, String payload, Disposition disposition, IncomingCommand command)
        implements HandlingResult {

    public Reply {
        Objects.requireNonNull(headers, "headers");
        Objects.requireNonNull(disposition, "disposition");
        Objects.requireNonNull(command, "command");
        headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
        for (String required : new String[] {Headers.MESSAGE_ID, Headers.CORRELATION_ID, Headers.SAGA_ID, Headers.OUTCOME}) {
            if (headers.get(required) == null) {
                throw new IllegalArgumentException("a reply needs the header " + required + "; got " + headers.keySet());
            }
        }
    }

    /** The reply's own id ({@value Headers#MESSAGE_ID}). */
    public String messageId() {
        return headers.get(Headers.MESSAGE_ID);
    }

    /** The message id of the command answered ({@value Headers#CORRELATION_ID}). */
    public String correlationId() {
        return headers.get(Headers.CORRELATION_ID);
    }

    /** The saga the command belongs to; the message key on transports that have one. */
    public String sagaId() {
        return headers.get(Headers.SAGA_ID);
    }

    /** The outcome. */
    public ReplyOutcome outcome() {
        return ReplyOutcome.valueOf(headers.get(Headers.OUTCOME));
    }

    /** The reason, or null. */
    public String reason() {
        return headers.get(Headers.REASON);
    }

    /** The payload's wire name, or null when there is no payload. */
    public String payloadType() {
        return headers.get(Headers.MESSAGE_TYPE);
    }

    /** The suggested wait before a re-send (RETRY_LATER only), or null. */
    public Duration retryAfter() {
        String ms = headers.get(Headers.RETRY_AFTER_MS);
        return ms == null ? null : Duration.ofMillis(Long.parseLong(ms));
    }

    /**
     * With RETRY_LATER: whether the participant failed (a handler threw) rather than being busy: the
     * {@value Headers#RETRY_CAUSE} header is {@code error}.
     */
    public boolean error() {
        return RetryCause.ERROR.wireValue().equals(headers.get(Headers.RETRY_CAUSE));
    }

    /** The payload as UTF-8 bytes, or null when there is none. */
    public byte[] payloadBytes() {
        return payload == null ? null : payload.getBytes(StandardCharsets.UTF_8);
    }

    /** Headers and disposition; never the payload. */
    @Override
    public String toString() {
        return "Reply[" + headers + ", payload=" + (payload == null ? "none" : payload.length() + " chars") + ", "
                + disposition + "]";
    }
}
