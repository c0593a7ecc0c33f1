package dev.baton.server.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.baton.jackson.JacksonCodec;
import io.javalin.http.Context;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/**
 * JSON in and out of the API: Baton's mapper ({@code java.time} as ISO-8601 text), bodies read with a size limit, and
 * the content-type check. Every failure is an {@link ApiProblem}.
 *
 * @since 0.1
 */
public final class Json {
    /** The API's mapper: Baton's default with sorted map keys (stable responses) and durations as ISO-8601 text. */
    public static final ObjectMapper MAPPER = JacksonCodec.defaultMapper().copy()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS);

    /**
     * How request bodies are read: a key given twice and anything after the JSON value are errors, not "last wins" and
     * "ignored".
     */
    private static final ObjectReader STRICT_READER = MAPPER.reader()
            .with(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private Json() {}

    /** Writes {@code body} as JSON with {@code status} and {@code mediaType}. */
    public static void write(Context ctx, int status, String mediaType, Object body) {
        try {
            ctx.status(status).contentType(mediaType + ";charset=utf-8").result(MAPPER.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the response as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** Writes {@code body} as {@code application/json} with {@code status}. */
    public static void write(Context ctx, int status, Object body) {
        write(ctx, status, "application/json", body);
    }

    /**
     * The request body as a JSON object: checks the content type (415), the size (413: by {@code Content-Length} first,
     * then while reading, so a chunked body cannot get past the limit) and the syntax (400).
     */
    public static JsonNode readObject(Context ctx, long maxBytes) {
        String type = ctx.header("Content-Type");
        if (type == null || !isJson(type)) {
            throw new ApiProblem(ApiProblem.Type.UNSUPPORTED_MEDIA_TYPE, "the body must be sent as application/json, but"
                    + " Content-Type was " + (type == null ? "missing" : "'" + RequestParams.capped(type) + "'"));
        }
        String charset = charset(type);
        if (charset != null && !charset.equalsIgnoreCase("utf-8") && !charset.equalsIgnoreCase("utf8")) {
            throw new ApiProblem(ApiProblem.Type.UNSUPPORTED_MEDIA_TYPE, "the body must be JSON in UTF-8, but Content-Type"
                    + " names the charset '" + RequestParams.capped(charset) + "'");
        }
        long declared = ctx.req().getContentLengthLong();
        if (declared > maxBytes) {
            throw tooLarge(maxBytes); // answered before the body is read, then the body is drained: writeThenDrain
        }
        byte[] bytes;
        try {
            // not closed here: a body over the limit is drained after the 413 went out
            bytes = ctx.bodyInputStream().readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
        } catch (IOException e) {
            throw ApiProblem.invalid("the request body could not be read: " + e.getMessage());
        }
        if (bytes.length > maxBytes) {
            throw tooLarge(maxBytes);
        }
        if (bytes.length == 0) {
            throw new ApiProblem(ApiProblem.Type.MALFORMED_JSON, "the request body is empty; send a JSON object");
        }
        String text = utf8(bytes);
        JsonNode node;
        try {
            node = STRICT_READER.readTree(text);
        } catch (JsonProcessingException e) {
            String original = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
            if (original.startsWith("Duplicate field")) {
                throw new ApiProblem(ApiProblem.Type.MALFORMED_JSON, "the request body is not valid JSON: "
                        + path(e) + " appears more than once; give each field once");
            }
            if (original.startsWith("Trailing token")) {
                throw new ApiProblem(ApiProblem.Type.MALFORMED_JSON, "the request body has more content after the JSON"
                        + " object (line " + location(e) + "); send exactly one JSON object");
            }
            throw new ApiProblem(ApiProblem.Type.MALFORMED_JSON, "the request body is not valid JSON: "
                    + RequestParams.capped(oneLine(original)) + " (line " + location(e) + ")");
        }
        if (node == null || !node.isObject()) {
            throw new ApiProblem(ApiProblem.Type.MALFORMED_JSON, "the request body must be a JSON object, but was "
                    + (node == null ? "empty" : node.getNodeType().name().toLowerCase(Locale.ROOT)));
        }
        checkUnicode(node, "");
        return node;
    }

    /**
     * The body as text, read as UTF-8 (RFC 8259, section 8.1) and nothing else: the parser would otherwise guess
     * UTF-16 or UTF-32 from the first bytes, and let some byte sequences that are not UTF-8 through.
     */
    private static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            // decode again up to the first bad byte, to say where it is
            CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT);
            ByteBuffer in = ByteBuffer.wrap(bytes);
            decoder.decode(in, CharBuffer.allocate(bytes.length), true);
            int at = in.position();
            throw new ApiProblem(ApiProblem.Type.MALFORMED_JSON, "the request body is not valid UTF-8 (at byte " + at
                    + "); send JSON encoded as UTF-8");
        }
    }

    /**
     * Refuses text that is not valid Unicode: a lone surrogate ({@code "\ud800"}) is legal in a JSON escape, but no
     * UTF-8 writer can write it back, so a stored one would break every response that holds it.
     */
    private static void checkUnicode(JsonNode node, String path) {
        if (node.isTextual() && !wellFormed(node.textValue())) {
            throw ApiProblem.invalid(path + " is not valid Unicode: it holds a lone surrogate (an unpaired \\uD800 to"
                    + " \\uDFFF escape)");
        }
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                checkUnicode(node.get(i), path + "[" + i + "]");
            }
        }
        for (Map.Entry<String, JsonNode> f : node.properties()) {
            String at = (path.isEmpty() ? "" : path + ".") + RequestParams.capped(f.getKey());
            if (!wellFormed(f.getKey())) {
                throw ApiProblem.invalid("a field name" + (path.isEmpty() ? "" : " in " + path) + " is not valid Unicode:"
                        + " it holds a lone surrogate (an unpaired \\uD800 to \\uDFFF escape)");
            }
            checkUnicode(f.getValue(), at);
        }
    }

    /** False when {@code s} holds a surrogate that is not part of a pair. */
    static boolean wellFormed(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    /** Where a parse error happened, as a path such as {@code data.items[2].sku}. */
    private static String path(JsonProcessingException e) {
        StringBuilder out = new StringBuilder();
        if (e.getProcessor() instanceof JsonParser p) {
            for (JsonStreamContext c = p.getParsingContext(); c != null && !c.inRoot(); c = c.getParent()) {
                if (c.inArray()) {
                    out.insert(0, "[" + c.getCurrentIndex() + "]");
                } else {
                    String name = RequestParams.capped(String.valueOf(c.getCurrentName()));
                    out.insert(0, out.isEmpty() || out.charAt(0) == '[' ? name : name + ".");
                }
            }
        }
        return out.isEmpty() ? "a field" : out.toString();
    }

    /**
     * How much of a too-large body is read and dropped after the 413 went out, and for how long at most. A server
     * that closes the connection on unread bytes makes the client's network stack reset it, and a client that sends
     * its whole body before it reads (no {@code Expect: 100-continue}) then sees the reset instead of the answer.
     * Reading the rest lets it see its problem document; beyond these bounds the server does not spend the bandwidth,
     * and such a client may see the reset.
     */
    static final long DRAIN_LIMIT = 64L << 20;
    private static final long DRAIN_NANOS = 10_000_000_000L;

    /**
     * Writes {@code body} as the whole response at once, with {@code Connection: close}, then reads and drops what is
     * left of the request body, within {@link #DRAIN_LIMIT} and 10 seconds (skipped when the declared length is
     * beyond it). For answers to a body that is too large.
     */
    static void writeThenDrain(Context ctx, int status, String mediaType, Object body) {
        byte[] bytes;
        try {
            bytes = MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the response as JSON: " + e.getOriginalMessage(), e);
        }
        ctx.status(status);
        HttpServletResponse res = ctx.res();
        res.setStatus(status);
        res.setContentType(mediaType + ";charset=utf-8");
        res.setHeader("Connection", "close");
        res.setContentLength(bytes.length);
        try {
            res.getOutputStream().write(bytes);
            res.flushBuffer();
            long declared = ctx.req().getContentLengthLong();
            if (declared < 0 || declared <= DRAIN_LIMIT) {
                drain(ctx.req().getInputStream());
            }
        } catch (IOException e) {
            // the client went away or stopped sending; it has the answer, or will not read it
        }
    }

    private static void drain(InputStream in) throws IOException {
        long left = DRAIN_LIMIT;
        long deadline = System.nanoTime() + DRAIN_NANOS;
        byte[] buffer = new byte[65536];
        for (int n; left > 0 && System.nanoTime() - deadline < 0
                && (n = in.read(buffer, 0, (int) Math.min(buffer.length, left))) > 0; ) {
            left -= n;
        }
    }

    private static String location(JsonProcessingException e) {
        return e.getLocation() == null ? "?" : e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
    }

    static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
    }

    private static ApiProblem tooLarge(long maxBytes) {
        return new ApiProblem(ApiProblem.Type.BODY_TOO_LARGE, "the request body is larger than " + maxBytes
                + " bytes (baton.api.max-body-bytes)");
    }

    /** The {@code charset} parameter of a content type, unquoted, or null. */
    private static String charset(String contentType) {
        for (String param : contentType.split(";")) {
            String[] kv = param.split("=", 2);
            if (kv.length == 2 && kv[0].strip().equalsIgnoreCase("charset")) {
                return kv[1].strip().replace("\"", "");
            }
        }
        return null;
    }

    static boolean isJson(String contentType) {
        String t = contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        return t.equals("application/json") || (t.startsWith("application/") && t.endsWith("+json"));
    }

    /** Text of a JSON node as UTF-8 JSON. */
    static String toJson(JsonNode node) {
        try {
            return new String(MAPPER.writeValueAsBytes(node), StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
