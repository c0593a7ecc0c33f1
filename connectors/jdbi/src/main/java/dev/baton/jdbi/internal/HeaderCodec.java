package dev.baton.jdbi.internal;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Encodes outbox headers into one text column as {@code application/x-www-form-urlencoded}: {@code k=v&k=v}, keys
 * and values percent-encoded in UTF-8, keys sorted so equal maps give equal texts. Every character that could
 * be read as structure ({@code = & % +}, line breaks, anything outside letters, digits and {@code . - * _}) is
 * escaped, so any map of valid strings survives a round trip. Readable in SQL, decodable anywhere, no JSON
 * library needed. Stateless; thread-safe.
 */
public final class HeaderCodec {

    private HeaderCodec() {}

    /** The empty map encodes to the empty text. */
    public static String encode(Map<String, String> headers) {
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, String> e : new TreeMap<>(headers).entrySet()) {
            if (!out.isEmpty()) {
                out.append('&');
            }
            out.append(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
        }
        return out.toString();
    }

    /**
     * Decodes what {@link #encode} wrote.
     *
     * @throws IllegalArgumentException when the text is not in that format
     */
    public static Map<String, String> decode(String text) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (text.isEmpty()) {
            return headers;
        }
        for (String pair : text.split("&", -1)) {
            int eq = pair.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("header entry without '=': the text is not form-urlencoded");
            }
            String key = URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            if (headers.put(key, value) != null) {
                throw new IllegalArgumentException("header '" + key + "' appears twice");
            }
        }
        return headers;
    }
}
