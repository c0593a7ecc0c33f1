package dev.baton.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.kafka.dev.junit.KafkaBrokerExtension;
import dev.baton.server.api.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 14, finding 5: the web server's own refusals (bad URIs, long URIs and headers, bad characters) are problem
 * documents like every other error, and an oversized body gets its 413 document whether or not the client waits for
 * {@code 100-continue}. Sent over a plain socket, so no client cleans the request up first.
 */
@ExtendWith({KafkaBrokerExtension.class, ServerExtension.class})
class ContainerErrorsTest {
    private static TestServer s;

    @BeforeAll
    static void server(TestServer server) {
        s = server;
    }

    /** A problem document with {@code status}, {@code type} and a detail holding {@code detailPart}. */
    static JsonNode assertProblem(RawHttp.Response r, int status, String type, String detailPart) throws IOException {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.contentType()).as(r.body()).startsWith("application/problem+json");
        JsonNode p = Json.MAPPER.readTree(r.body());
        assertThat(p.get("type").asText()).isEqualTo("https://baton.dev/problems/" + type);
        assertThat(p.get("status").asInt()).isEqualTo(status);
        assertThat(p.get("title").asText()).isNotBlank();
        assertThat(p.get("detail").asText()).contains(detailPart);
        assertThat(p.get("instance").asText()).startsWith("/");
        assertThat(r.body()).doesNotContain("<html", "Exception", "jetty", "\tat ");
        return p;
    }

    @Test
    @DisplayName("a NUL in the path (%00): 400 problem")
    void nulInPath() throws IOException {
        assertProblem(RawHttp.get(s.base, "/api/sagas/%00", ""), 400, "invalid-request", "path");
    }

    @Test
    @DisplayName("an ambiguous path (/api/sagas/..;/..;/etc/passwd): 400 problem; encoded dots and empty segments reach no endpoint")
    void ambiguousPath() throws IOException {
        JsonNode p = assertProblem(RawHttp.get(s.base, "/api/sagas/..;/..;/etc/passwd", ""), 400, "invalid-request",
                "path");
        assertThat(p.get("detail").asText()).doesNotContain("root:");
        assertProblem(RawHttp.get(s.base, "/api/sagas/%2e%2e/%2e%2e/health/live", ""), 404, "not-found", "no endpoint");
        assertProblem(RawHttp.get(s.base, "/api//sagas", ""), 404, "not-found", "no endpoint");
    }

    @Test
    @DisplayName("a query string over 8 KB: 414 problem")
    void longQuery() throws IOException {
        assertProblem(RawHttp.get(s.base, "/api/sagas?businessKey=" + "k".repeat(9000), ""), 414, "uri-too-long",
                "8192");
    }

    @Test
    @DisplayName("a 20 KB header: 431 problem")
    void largeHeader() throws IOException {
        assertProblem(RawHttp.get(s.base, "/api/sagas", "X-Big: " + "h".repeat(20_000)), 431, "headers-too-large",
                "8192");
    }

    @Test
    @DisplayName("a header value with a control character: 400 problem")
    void controlCharacterInHeader() throws IOException {
        assertProblem(RawHttp.get(s.base, "/api/sagas", "X-Baton-Actor: bob\u0001"), 400, "invalid-request", "header");
        assertProblem(RawHttp.get(s.base, "/api/sagas", "X-Baton-Actor: bob\u007f"), 400, "invalid-request", "header");
    }

    @Test
    @DisplayName("a 10 MB body sent without Expect: 100-continue gets the 413 problem, not a reset; nothing is stored")
    void hugeBodyWithoutExpect() throws IOException {
        long before = s.sagaCount();
        byte[] body = ("{\"type\":\"demo-order\",\"data\":{\"orderId\":\"" + "x".repeat(10 << 20) + "\"}}")
                .getBytes(StandardCharsets.UTF_8);
        RawHttp.Response r = RawHttp.send(s.base, "POST", "/api/sagas", "Content-Type: application/json\r\n"
                + "Content-Length: " + body.length, body);
        assertProblem(r, 413, "body-too-large", "larger than 1048576 bytes (baton.api.max-body-bytes)");
        assertThat(r.sentAll()).as("the whole body went out without a reset").isTrue();
        assertThat(r.header("connection")).isEqualToIgnoringCase("close");

        RawHttp.Response chunked = RawHttp.send(s.base, "POST", "/api/sagas", "Content-Type: application/json\r\n"
                + "Transfer-Encoding: chunked", chunks(body));
        assertProblem(chunked, 413, "body-too-large", "larger than 1048576 bytes");
        assertThat(chunked.sentAll()).as("the whole chunked body went out without a reset").isTrue();
        assertThat(s.sagaCount()).isEqualTo(before);
    }

    private static byte[] chunks(byte[] body) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < body.length; i += 65536) {
            int n = Math.min(65536, body.length - i);
            out.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(body, i, n);
            out.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
        }
        out.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        return out.toByteArray();
    }
}
