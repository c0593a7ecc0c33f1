package dev.baton.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.kafka.dev.junit.KafkaBrokerExtension;
import dev.baton.server.api.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 14: a few hundred malformed requests (bad JSON, wrong encodings, invalid UTF-8, huge and empty bodies, bad
 * content types, odd paths and methods, bad headers, bad query parameters) against the real server, sent byte for
 * byte over a socket. Each gets a 4xx problem document with a detail, none a 5xx, and nothing is stored. The
 * randomness is seeded: the seed is printed, and {@code -Dbaton.fuzz.seed=N} repeats a run.
 */
@ExtendWith({KafkaBrokerExtension.class, ServerExtension.class})
class MalformedRequestsTest {
    private static final int ROUNDS = 300;
    private static final String VALID = "{\"type\":\"test-ops\",\"data\":{\"mode\":\"ok\",\"amount\":1},\"businessKey\":\"k\"}";
    private static TestServer s;

    @BeforeAll
    static void server(TestServer server) {
        s = server;
    }

    /** A request as it goes on the wire: request line and headers (without the blank line), and the body. */
    record Request(String kind, String head, byte[] body) {
        @Override
        public String toString() {
            String h = head.length() > 300 ? head.substring(0, 300) + "..." : head;
            return kind + ": " + h.replace("\r\n", " | ") + " (" + body.length + " body bytes)";
        }
    }

    @Test
    @DisplayName("a few hundred malformed requests: each a 4xx problem document with a detail; nothing stored")
    void malformedRequests() throws IOException {
        long seed = Long.getLong("baton.fuzz.seed", System.nanoTime());
        System.out.println("MalformedRequestsTest seed: " + seed + " (repeat with -Dbaton.fuzz.seed=" + seed + ")");
        Random random = new Random(seed);
        List<Supplier<Request>> generators = generators(random);
        long before = s.sagaCount();
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < ROUNDS; i++) {
            Request request = generators.get(i < generators.size() ? i : random.nextInt(generators.size())).get();
            String problem = check(request);
            if (problem != null) {
                failures.add("#" + i + " " + request + "\n    -> " + problem);
            }
        }
        assertThat(failures).as("seed " + seed).isEmpty();
        assertThat(s.sagaCount()).as("sagas stored by malformed requests (seed " + seed + ")").isEqualTo(before);
    }

    /** Null when the answer is a 4xx problem document with a detail; otherwise what was wrong. */
    private static String check(Request request) {
        RawHttp.Response r;
        try {
            r = RawHttp.send(s.base, request.head(), request.body());
        } catch (IOException e) {
            return "no answer: " + e;
        }
        if (r.status() < 400 || r.status() > 499) {
            return "status " + r.status() + ": " + cap(r.body());
        }
        if (!r.contentType().startsWith("application/problem+json")) {
            return "content type '" + r.contentType() + "': " + cap(r.body());
        }
        try {
            JsonNode p = Json.MAPPER.readTree(r.body());
            if (p.path("status").asInt() != r.status() || p.path("detail").asText().isBlank()
                    || !p.path("type").isTextual() || p.path("title").asText().isBlank()) {
                return "not a complete problem document: " + cap(r.body());
            }
        } catch (IOException e) {
            return "not JSON: " + cap(r.body());
        }
        return null;
    }

    private static String cap(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }

    // ------------------------------------------------------------------ generators

    private static List<Supplier<Request>> generators(Random random) {
        List<Supplier<Request>> g = new ArrayList<>();
        // bad JSON
        g.add(() -> post("truncated JSON", json(), utf8(VALID.substring(0, 1 + random.nextInt(VALID.length() - 1)))));
        g.add(() -> post("a byte changed", json(), flip(random, utf8(VALID))));
        g.add(() -> post("a byte inserted", json(), insert(random, utf8(VALID))));
        g.add(() -> post("not an object", json(), utf8(pick(random, "[]", "1", "\"x\"", "null", "true", "[" + VALID + "]"))));
        g.add(() -> post("duplicate key", json(), utf8("{\"type\":\"test-ops\",\"type\":\"test-ops\",\"data\":{\"mode\":\"ok\",\"amount\":1}}")));
        g.add(() -> post("trailing content", json(), utf8(VALID + pick(random, "}", "x", "{}", " 1", ",", "\u0000"))));
        g.add(() -> post("deep nesting", json(), utf8("{\"type\":\"test-ops\",\"data\":" + "[".repeat(2000 + random.nextInt(3000))
                + "]".repeat(10) + "}")));
        g.add(() -> post("wrong data", json(), utf8("{\"type\":\"test-ops\",\"data\":{\"mode\":" + pick(random, "1", "[]", "{}",
                "\"ok\",\"amount\":\"1\"", "\"ok\",\"amount\":1.5", "\"ok\",\"amount\":1e400", "\"ok\",\"extra\":1") + "}}")));
        g.add(() -> post("wrong fields", json(), utf8(pick(random, "{\"data\":{}}", "{\"type\":\"no-such-type\",\"data\":{}}",
                "{\"type\":1,\"data\":{}}", "{\"type\":\"test-ops\"}", "{\"type\":\"test-ops\",\"data\":{\"mode\":\"ok\",\"amount\":1},\"x\":1}",
                "{\"type\":\"test-ops\",\"data\":{\"mode\":\"ok\",\"amount\":1},\"businessKey\":\"\"}",
                "{\"type\":\"test-ops\",\"data\":{\"mode\":\"ok\",\"amount\":1},\"businessKey\":\"\\ud800\"}"))));
        g.add(() -> post("random bytes", json(), randomBytes(random, 1 + random.nextInt(2000))));
        // encodings
        g.add(() -> post("invalid UTF-8", json(), splice(random, utf8(VALID), pick(random,
                new byte[] {(byte) 0xC3, 0x28}, new byte[] {(byte) 0xFF}, new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                new byte[] {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80}, new byte[] {(byte) 0xC0, (byte) 0xAF}))));
        g.add(() -> post("UTF-16 body", "application/json", VALID.getBytes(StandardCharsets.UTF_16)));
        g.add(() -> post("UTF-32 body", "application/json; charset=utf-32", VALID.getBytes(java.nio.charset.Charset.forName("UTF-32"))));
        g.add(() -> post("a BOM", json(), concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, (byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, utf8(VALID))));
        // sizes
        g.add(() -> post("empty body", json(), new byte[0]));
        g.add(() -> post("whitespace body", json(), utf8(" \r\n\t ".repeat(1 + random.nextInt(100)))));
        g.add(() -> post("huge body", json(), utf8("{\"type\":\"test-ops\",\"data\":{\"mode\":\"" + "x".repeat((1 << 20)
                + random.nextInt(1 << 20)) + "\"}}")));
        // content types
        g.add(() -> post("bad content type", pick(random, "text/plain", "application/xml", "multipart/form-data; boundary=x",
                "application/x-www-form-urlencoded", "json", "application/jsonx", "*/*"), utf8(VALID)));
        g.add(() -> request("no content type", "POST", "/api/sagas", "Content-Length: " + VALID.length(), utf8(VALID)));
        // odd paths and methods
        g.add(() -> request("odd path", "GET", pick(random, "/api/sagas/%ff", "/api/sagas/%00", "/api/sagas/..;/..;/etc/passwd",
                "/api/sagas/%2e%2e/%2e%2e/metrics", "/api/%2fsagas", "/api/sagas/" + randomPathSegment(random),
                "/api/sagas/" + randomPathSegment(random) + "/history", "/api/nothing", "/api/sagas/x/y/z",
                "/%zz", "/api/sagas/%c0%af", "/api/sagas/" + "a".repeat(5000)), "", new byte[0]));
        g.add(() -> request("odd method", pick(random, "PUT", "DELETE", "PATCH", "FOO", "TRACE", "PROPFIND"), pick(random,
                "/api/sagas", "/api/sagas/x", "/api/definitions", "/api/stats"), "Content-Type: application/json\r\nContent-Length: "
                + VALID.length(), utf8(VALID)));
        g.add(() -> request("action on no saga", "POST", "/api/sagas/" + randomPathSegment(random) + "/"
                + pick(random, "retry", "resume", "abort", "skip", "compensate", "nope"), "Content-Type: application/json\r\n"
                + "Content-Length: 2", utf8("{}")));
        // headers
        g.add(() -> request("control character in a header", "GET", "/api/sagas", "X-Baton-Actor: a"
                + pick(random, (char) 0, (char) 1, (char) 8, (char) 0x0b, (char) 0x0c, (char) 0x1b, (char) 0x1f, (char) 0x7f) + "b", new byte[0]));
        g.add(() -> request("huge header", "GET", "/api/sagas", "X-Big: " + "h".repeat(9000 + random.nextInt(20_000)), new byte[0]));
        g.add(() -> request("many headers", "GET", "/api/sagas", "X-A: 1\r\n".repeat(2000).strip(), new byte[0]));
        g.add(() -> request("header without colon", "GET", "/api/sagas", "NoColonHere", new byte[0]));
        g.add(() -> request("folded header", "GET", "/api/sagas", "X-A: 1\r\n  folded", new byte[0]));
        g.add(() -> request("bad Content-Length", "POST", "/api/sagas", "Content-Type: application/json\r\nContent-Length: "
                + pick(random, "abc", "-1", "1, 2", "99999999999999999999"), utf8(VALID)));
        g.add(() -> request("two Content-Lengths", "POST", "/api/sagas", "Content-Type: application/json\r\nContent-Length: "
                + VALID.length() + "\r\nContent-Length: 3", utf8(VALID)));
        g.add(() -> request("bad Transfer-Encoding", "POST", "/api/sagas", "Content-Type: application/json\r\nTransfer-Encoding: "
                + pick(random, "chunked, chunked", "identity", "chunked\r\nContent-Length: 5"), utf8("5\r\n{}{}{\r\n0\r\n\r\n")));
        g.add(() -> request("bad chunk", "POST", "/api/sagas", "Content-Type: application/json\r\nTransfer-Encoding: chunked",
                utf8(pick(random, "zz\r\n{}\r\n0\r\n\r\n", "2;x\r\n{}\r\n0\r\n\r\n\r\nxx", "-2\r\n{}\r\n0\r\n\r\n"))));
        g.add(() -> request("bad Authorization", "POST", "/api/sagas", "Authorization: " + pick(random, "Bearer", "Basic ???",
                "Bearer \u00ff\u00fe") + "\r\nContent-Type: application/json\r\nContent-Length: 2", utf8("{}")));
        g.add(() -> request("bad actor", "POST", "/api/sagas/" + randomPathSegment(random) + "/abort", "X-Baton-Actor: "
                + "n".repeat(500) + "\r\nContent-Type: application/json\r\nContent-Length: 2", utf8("{}")));
        // query parameters
        g.add(() -> request("bad query", "GET", "/api/sagas?" + pick(random, "limit=abc", "limit=0", "limit=100000", "limit=-1",
                "status=NOPE", "createdFrom=yesterday", "createdTo=-1000000000-01-01T00:00:00Z", "stuckFor=P1000000000000D",
                "stuckFor=soon", "cursor=garbage", "businessKey=%", "businessKey=%zz", "type=a&type=b", "unknown=1",
                "limit=1&limit=2", "updatedFrom=2020-13-45T00:00:00Z", "status=" + "X".repeat(3000)),
                "", new byte[0]));
        g.add(() -> request("long query", "GET", "/api/sagas?businessKey=" + "q".repeat(9000), "", new byte[0]));
        g.add(() -> request("bad history query", "GET", "/api/sagas/" + randomPathSegment(random) + "/history?limit=x", "",
                new byte[0]));
        return g;
    }

    private static String json() {
        return "application/json";
    }

    private static Request post(String kind, String contentType, byte[] body) {
        return request(kind, "POST", "/api/sagas", "Content-Type: " + contentType + "\r\nContent-Length: " + body.length, body);
    }

    private static Request request(String kind, String method, String target, String headers, byte[] body) {
        URI base = URI.create(s.base);
        return new Request(kind, method + " " + target + " HTTP/1.1\r\nHost: " + base.getHost() + ":" + base.getPort()
                + "\r\nConnection: close" + (headers.isEmpty() ? "" : "\r\n" + headers), body);
    }

    @SafeVarargs
    private static <T> T pick(Random random, T... options) {
        return options[random.nextInt(options.length)];
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] flip(Random random, byte[] b) {
        byte[] out = b.clone();
        // a structural byte (outside the strings' content), so that the document cannot stay valid
        List<Integer> structural = new ArrayList<>();
        for (int i = 0; i < out.length; i++) {
            if ("{}:,\"".indexOf(out[i]) >= 0) {
                structural.add(i);
            }
        }
        int i = structural.get(random.nextInt(structural.size()));
        byte replacement = pick(random, (byte) '{', (byte) '}', (byte) '"', (byte) ',', (byte) ':', (byte) '[', (byte) 0,
                (byte) 0xFF, (byte) '\\');
        out[i] = out[i] == replacement ? (byte) '#' : replacement;
        return out;
    }

    private static byte[] insert(Random random, byte[] b) {
        // bytes that no JSON string may hold as they are: an unescaped quote, a control character, a stray continuation
        return splice(random, b, new byte[] {pick(random, (byte) '"', (byte) 0x01, (byte) 0x1f, (byte) 0x80)});
    }

    private static byte[] splice(Random random, byte[] b, byte[] piece) {
        // inside the business key's value, so the bytes land in a string that the parser must decode
        int at = new String(b, StandardCharsets.UTF_8).indexOf("\"k\"") + 1 + random.nextInt(2);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(b, 0, at);
        out.writeBytes(piece);
        out.write(b, at, b.length - at);
        return out.toByteArray();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static byte[] randomBytes(Random random, int n) {
        byte[] out = new byte[n];
        random.nextBytes(out);
        out[0] = pick(random, (byte) '{', (byte) '[', (byte) '"', (byte) 'x', (byte) 0);
        return out;
    }

    private static String randomPathSegment(Random random) {
        StringBuilder sb = new StringBuilder();
        String safe = "abcdefghijklmnopqrstuvwxyz0123456789-_~";
        for (int i = 0, n = 1 + random.nextInt(40); i < n; i++) {
            if (random.nextInt(5) == 0) {
                sb.append('%').append(String.format("%02X", random.nextInt(256)));
            } else {
                sb.append(safe.charAt(random.nextInt(safe.length())));
            }
        }
        return sb.toString();
    }
}
