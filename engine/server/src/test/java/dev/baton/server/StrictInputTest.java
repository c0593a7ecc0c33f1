package dev.baton.server;

import static dev.baton.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.kafka.dev.junit.KafkaBrokerExtension;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 14, findings 3, 4 and 6, over real HTTP against a real server: start data is read strictly and checked by
 * the saga's validations, stored strings are valid Unicode, time filters out of range are 400 with the range, and
 * problem details name the field without Java class names or long echoes. Every refusal stores nothing.
 */
@ExtendWith({KafkaBrokerExtension.class, ServerExtension.class})
class StrictInputTest {
    private static TestServer s;

    @BeforeAll
    static void server(TestServer server) {
        s = server;
    }

    /** A 400-range problem document whose detail holds {@code detailPart} and no class name. */
    private static String problem(HttpResponse<String> r, int status, String type, String detailPart) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t)
                .startsWith("application/problem+json"));
        JsonNode p = json(r);
        assertThat(p.get("type").asText()).isEqualTo("https://baton.dev/problems/" + type);
        assertThat(p.get("status").asInt()).isEqualTo(status);
        String detail = p.get("detail").asText();
        assertThat(detail).contains(detailPart).doesNotContain("dev.baton", "java.", "DemoOrder", "$", "`", "Exception");
        return detail;
    }

    /** Posts a start of demo-order with {@code data} (JSON text) and checks nothing was stored. */
    private static HttpResponse<String> startDemo(String data) {
        return startRaw("{\"type\":\"demo-order\",\"data\":" + data + "}");
    }

    private static HttpResponse<String> startRaw(String body) {
        long before = s.sagaCount();
        HttpResponse<String> r = s.post("/api/sagas", body);
        assertThat(s.sagaCount()).as("sagas stored after a refused start").isEqualTo(before);
        return r;
    }

    private static String key() {
        return "strict-" + UUID.randomUUID();
    }

    // ------------------------------------------------------------------ finding 3: strict saga data

    @Test
    @DisplayName("an unknown field in the data is 400 naming it and the known fields")
    void unknownField() {
        problem(startDemo("{\"orderId\":\"o\",\"amountCents\":5,\"coupon\":\"FREE\"}"), 400, "invalid-saga-data",
                "data.coupon is not a field of this data; known fields: [amountCents, orderId, reservationId]");
    }

    @Test
    @DisplayName("a string for a number is 400, not converted")
    void stringForNumber() {
        problem(startDemo("{\"orderId\":\"o\",\"amountCents\":\"4900\"}"), 400, "invalid-saga-data",
                "data.amountCents must be a whole number, but was the string \"4900\"");
    }

    @Test
    @DisplayName("a number for a string is 400, not converted")
    void numberForString() {
        problem(startDemo("{\"orderId\":42,\"amountCents\":4900}"), 400, "invalid-saga-data",
                "data.orderId must be a string, but was the number 42");
    }

    @Test
    @DisplayName("a fraction for a whole number is 400, not truncated")
    void fractionForWholeNumber() {
        problem(startDemo("{\"orderId\":\"o\",\"amountCents\":1.9}"), 400, "invalid-saga-data",
                "data.amountCents must be a whole number, but was the number 1.9");
    }

    @Test
    @DisplayName("a key given twice is 400 naming it, in the data and in the body, not last-wins")
    void duplicateKeys() {
        problem(startDemo("{\"orderId\":\"o\",\"amountCents\":5,\"amountCents\":500}"), 400, "malformed-json",
                "data.amountCents appears more than once");
        problem(startRaw("{\"type\":\"test-ops\",\"type\":\"demo-order\",\"data\":{\"orderId\":\"o\",\"amountCents\":5}}"),
                400, "malformed-json", "the request body is not valid JSON: type appears more than once");
    }

    @Test
    @DisplayName("content after the JSON object is 400, not ignored")
    void trailingContent() {
        problem(startRaw("{\"type\":\"demo-order\",\"data\":{\"orderId\":\"o\",\"amountCents\":5}} {\"x\":1}"), 400,
                "malformed-json", "more content after the JSON object");
        problem(startRaw("{\"type\":\"demo-order\",\"data\":{\"orderId\":\"o\",\"amountCents\":5}}garbage"), 400,
                "malformed-json", "");
    }

    @Test
    @DisplayName("empty data fails the saga's declared validation: 400 with its messages")
    void declaredValidation() {
        problem(startDemo("{}"), 400, "invalid-saga-data", "data is refused by saga 'demo-order': orderId is required;"
                + " amountCents must be a positive number of cents, but was 0");
        problem(startDemo("{\"orderId\":\" \",\"amountCents\":5}"), 400, "invalid-saga-data", "orderId is required");
        problem(startDemo("{\"orderId\":\"o\",\"amountCents\":5,\"reservationId\":\"r\"}"), 400, "invalid-saga-data",
                "reservationId is set by the stock service's reply");
    }

    @Test
    @DisplayName("a lone surrogate in a business key, the data or a reason is 400; nothing is stored or changed")
    void loneSurrogates() {
        problem(startRaw("{\"type\":\"demo-order\",\"data\":{\"orderId\":\"o\",\"amountCents\":5},\"businessKey\":\"k\\ud800\"}"),
                400, "invalid-request", "businessKey is not valid Unicode");
        problem(startRaw("{\"type\":\"demo-order\",\"data\":{\"orderId\":\"o\\udc00x\",\"amountCents\":5}}"), 400,
                "invalid-request", "data.orderId is not valid Unicode");
        // in a field name, Jackson's parser refuses it itself
        problem(startRaw("{\"type\":\"demo-order\",\"data\":{\"orderId\":\"o\",\"amountCents\":5,\"\\ud800\":1}}"), 400,
                "malformed-json", "surrogate pair in field name");
        String id = s.start("test-ops", "{\"mode\":\"park\",\"amount\":1}", key());
        await().atMost(Duration.ofSeconds(60)).until(() -> s.status(id), "PENDING"::equals);
        long version = json(s.get("/api/sagas/" + id)).get("version").asLong();
        problem(s.post("/api/sagas/" + id + "/abort", "{\"reason\":\"bad \\ud83d text\"}"), 400, "invalid-request",
                "reason is not valid Unicode");
        assertThat(json(s.get("/api/sagas/" + id)).get("version").asLong()).isEqualTo(version);
        // a proper pair (an emoji) is valid and kept
        String emoji = key() + "-\\ud83d\\ude00";
        HttpResponse<String> ok = s.post("/api/sagas", "{\"type\":\"demo-order\",\"data\":{\"orderId\":\"o-emoji\","
                + "\"amountCents\":5},\"businessKey\":\"" + emoji + "\"}");
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(201);
        assertThat(json(ok).get("businessKey").asText()).endsWith("-\uD83D\uDE00");
    }

    // ------------------------------------------------------------------ finding 4: time filters out of range

    @Test
    @DisplayName("time filters out of range are 400 with the accepted range, not 500")
    void timeFiltersOutOfRange() {
        String range = "from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z";
        problem(s.get("/api/sagas?stuckFor=P1000000000000D"), 400, "invalid-request",
                "stuckFor must be a positive ISO-8601 duration up to P36500D (100 years)");
        problem(s.get("/api/sagas?stuckFor=P36501D"), 400, "invalid-request", "up to P36500D");
        problem(s.get("/api/sagas?stuckFor=PT9999999999999999999H"), 400, "invalid-request", "up to P36500D");
        problem(s.get("/api/sagas?createdTo=-1000000000-01-01T00:00:00Z"), 400, "invalid-request",
                "createdTo must be an ISO-8601 instant " + range);
        problem(s.get("/api/sagas?createdFrom=%2B1000000000-12-31T23:59:59.999999999Z"), 400, "invalid-request",
                "createdFrom must be an ISO-8601 instant " + range);
        problem(s.get("/api/sagas?updatedFrom=-0001-12-31T23:59:59Z"), 400, "invalid-request", "updatedFrom must be");
        problem(s.get("/api/sagas?updatedTo=%2B10000-01-01T00:00:00Z"), 400, "invalid-request", "updatedTo must be");
        assertThat(s.get("/api/sagas?stuckFor=P36500D&createdFrom=0001-01-01T00:00:00Z&updatedTo=9999-12-31T23:59:59Z")
                .statusCode()).isEqualTo(200);
    }

    // ------------------------------------------------------------------ finding 6: error details

    @Test
    @DisplayName("invalid data errors name the field and no Java class")
    void noClassNames() {
        String detail = problem(startDemo("{\"orderId\":\"o\",\"amountCents\":\"lots\"}"), 400, "invalid-saga-data",
                "data.amountCents must be a whole number, but was the string \"lots\"");
        assertThat(detail).doesNotContain("DemoSagas", "deserialize", "coerce");
        problem(startDemo("[1]"), 400, "invalid-saga-data", "data must be an object, but was an array");
        problem(startDemo("\"text\""), 400, "invalid-saga-data", "data must be an object, but was");
    }

    @Test
    @DisplayName("a long unknown type name, saga id, parameter or field is echoed cut short")
    void longInputCapped() {
        String longType = "t".repeat(100_000);
        String detail = problem(startRaw("{\"type\":\"" + longType + "\",\"data\":{}}"), 404, "unknown-saga-type",
                "no saga type 'tttt");
        assertThat(detail).contains("(100000 characters)").hasSizeLessThan(400);
        assertThat(problem(s.get("/api/definitions/" + "d".repeat(5000)), 404, "unknown-saga-type", "(5000 characters)"))
                .hasSizeLessThan(400);
        assertThat(problem(s.get("/api/sagas/" + "i".repeat(5000)), 404, "saga-not-found", "(5000 characters)"))
                .hasSizeLessThan(400);
        assertThat(problem(s.get("/api/sagas?" + "p".repeat(5000) + "=1"), 400, "invalid-request",
                "unknown query parameter 'ppp")).hasSizeLessThan(400);
        assertThat(problem(s.get("/api/sagas?createdFrom=" + "9".repeat(5000)), 400, "invalid-request",
                "(5000 characters)")).hasSizeLessThan(400);
        assertThat(problem(startRaw("{\"type\":\"demo-order\",\"data\":{},\"" + "f".repeat(5000) + "\":1}"), 400,
                "invalid-request", "unknown field 'fff")).hasSizeLessThan(400);
        assertThat(problem(startDemo("{\"orderId\":\"o\",\"amountCents\":5,\"" + "g".repeat(5000) + "\":1}"), 400,
                "invalid-saga-data", "is not a field of this data")).hasSizeLessThan(600);
    }

    @Test
    @DisplayName("?businessKey=% (a broken percent-encoding) is 400 saying the value cannot be read, not 'must be given once'")
    void brokenPercentEncoding() throws IOException {
        RawResponse r = raw("/api/sagas?businessKey=%");
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.body()).doesNotContain("must be given once")
                .contains("query parameter 'businessKey' has no value that can be read");
        RawResponse twice = raw("/api/sagas?businessKey=a&businessKey=b");
        assertThat(twice.body()).contains("'businessKey' must be given once, but was given 2 times");
    }

    record RawResponse(int status, String contentType, String body) {}

    /** A GET sent over a plain socket, so the request line goes out exactly as written (java.net.URI refuses "%"). */
    private static RawResponse raw(String target) throws IOException {
        URI base = URI.create(s.base);
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + target + " HTTP/1.1\r\nHost: " + base.getHost() + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            String text = all.toString(StandardCharsets.UTF_8);
            int status = Integer.parseInt(text.substring(9, 12));
            String head = text.substring(0, text.indexOf("\r\n\r\n"));
            String type = head.lines().filter(l -> l.regionMatches(true, 0, "Content-Type:", 0, 13))
                    .map(l -> l.substring(13).strip()).findFirst().orElse("");
            return new RawResponse(status, type, text.substring(text.indexOf("\r\n\r\n") + 4));
        }
    }
}
