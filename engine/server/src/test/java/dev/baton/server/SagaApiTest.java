package dev.baton.server;

import static dev.baton.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.kafka.dev.junit.KafkaBrokerExtension;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The saga endpoints over real HTTP against a real server: the happy paths and every documented status. */
@ExtendWith({KafkaBrokerExtension.class, ServerExtension.class})
class SagaApiTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static TestServer s;

    @BeforeAll
    static void server(TestServer server) {
        s = server;
    }

    private static String uniq() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    private static void awaitStatus(String id, String status) {
        await().atMost(WAIT).until(() -> s.status(id), status::equals);
    }

    static void assertProblem(HttpResponse<String> r, int status, String type, String detailPart) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
        JsonNode p = json(r);
        assertThat(p.get("type").asText()).isEqualTo("https://baton.dev/problems/" + type);
        assertThat(p.get("status").asInt()).isEqualTo(status);
        assertThat(p.get("title").asText()).isNotBlank();
        assertThat(p.get("detail").asText()).contains(detailPart);
        assertThat(p.get("instance").asText()).startsWith("/");
        assertThat(r.body()).doesNotContain("\tat ", "Exception:");
    }

    // ------------------------------------------------------------------ start, read

    @Test
    @DisplayName("POST /api/sagas starts a saga: 201 with Location and the saga; it completes and shows its step timeline")
    void startAndRead() {
        String orderId = "o-" + uniq();
        HttpResponse<String> r = s.post("/api/sagas", "{\"type\":\"demo-order\",\"data\":{\"orderId\":\"" + orderId
                + "\",\"amountCents\":500},\"businessKey\":\"" + orderId + "\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        JsonNode started = json(r);
        String id = started.get("id").asText();
        assertThat(r.headers().firstValue("Location")).hasValue("/api/sagas/" + id);
        assertThat(started.get("type").asText()).isEqualTo("demo-order");
        assertThat(started.get("businessKey").asText()).isEqualTo(orderId);
        assertThat(started.get("data").get("orderId").asText()).isEqualTo(orderId);
        assertThat(started.get("createdAt").asText()).endsWith("Z");

        awaitStatus(id, "COMPLETED");
        JsonNode saga = json(s.get("/api/sagas/" + id));
        assertThat(saga.get("currentStep").isNull()).isTrue();
        assertThat(saga.get("data").get("reservationId").asText()).isEqualTo("r-" + orderId);
        assertThat(saga.get("completedSteps")).extracting(JsonNode::asText)
                .containsExactly("place-order", "reserve-stock", "charge-card", "ship-order");
        JsonNode steps = saga.get("steps");
        assertThat(steps).hasSize(4);
        for (JsonNode step : steps) {
            assertThat(step.get("status").asText()).isEqualTo("COMPLETED");
            JsonNode cmd = step.get("command");
            assertThat(cmd.get("attempts").asInt()).isGreaterThanOrEqualTo(1);
            assertThat(cmd.get("lastOutcome").asText()).isEqualTo("SUCCESS");
            assertThat(cmd.get("duration").asText()).startsWith("PT");
            assertThat(Instant.parse(cmd.get("doneAt").asText())).isAfterOrEqualTo(Instant.parse(cmd.get("firstSentAt").asText()));
            assertThat(step.get("compensation").isNull()).isTrue();
        }
        assertThat(steps.get(0).get("participant").asText()).isEqualTo("demo-order");
        assertThat(steps.get(2).get("kind").asText()).isEqualTo("PIVOT");

        JsonNode history = json(s.get("/api/sagas/" + id + "/history")).get("items");
        assertThat(history.get(0).get("kind").asText()).isEqualTo("STARTED");
        assertThat(history.get(history.size() - 1).get("kind").asText()).isEqualTo("COMPLETED");
        assertThat(history).extracting(h -> h.get("kind").asText()).contains("COMMAND_SENT", "REPLY_RECEIVED", "STEP_COMPLETED");
        assertThat(history.get(1).get("seq").asLong()).isGreaterThan(history.get(0).get("seq").asLong());
    }

    @Test
    @DisplayName("a business key used before: 200 with the existing saga, nothing new stored")
    void idempotentStart() {
        String key = "k-" + uniq();
        String id = s.start("test-ops", "{\"mode\":\"ok\",\"amount\":1}", key);
        long before = s.sagaCount();
        HttpResponse<String> again = s.post("/api/sagas", "{\"type\":\"test-ops\",\"data\":{\"mode\":\"decline\"},\"businessKey\":\"" + key + "\"}");
        assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
        assertThat(json(again).get("id").asText()).isEqualTo(id);
        assertThat(json(again).get("data").get("mode").asText()).isEqualTo("ok");
        assertThat(again.headers().firstValue("Location")).isEmpty();
        assertThat(s.sagaCount()).isEqualTo(before);
    }

    @Test
    @DisplayName("a refused pivot compensates: the timeline shows the failed step and the compensation sent and done")
    void compensationTimeline() {
        String id = s.start("test-ops", "{\"mode\":\"decline\",\"amount\":1}", null);
        awaitStatus(id, "COMPENSATED");
        JsonNode saga = json(s.get("/api/sagas/" + id));
        assertThat(saga.get("reason").asText()).contains("declined");
        assertThat(saga.get("compensatedSteps")).extracting(JsonNode::asText).containsExactly("ask");
        JsonNode ask = saga.get("steps").get(0);
        assertThat(ask.get("status").asText()).isEqualTo("COMPENSATED");
        assertThat(ask.get("compensation").get("participant").asText()).isEqualTo("test-ask");
        assertThat(ask.get("compensation").get("attempts").asInt()).isEqualTo(1);
        assertThat(ask.get("compensation").get("lastOutcome").asText()).isEqualTo("SUCCESS");
        assertThat(ask.get("compensation").get("doneAt").isNull()).isFalse();
        JsonNode decide = saga.get("steps").get(1);
        assertThat(decide.get("status").asText()).isEqualTo("FAILED");
        assertThat(decide.get("command").get("lastOutcome").asText()).isEqualTo("FAILURE");
        assertThat(decide.get("command").get("lastReason").asText()).isEqualTo("declined");
        assertThat(decide.get("command").get("doneAt").isNull()).isTrue();
        assertThat(saga.get("steps").get(2).get("status").asText()).isEqualTo("NOT_STARTED");
        assertThat(saga.get("steps").get(2).get("command").isNull()).isTrue();
    }

    @Test
    @DisplayName("unknown saga ids: 404 problems for the saga and its history")
    void unknownSaga() {
        assertProblem(s.get("/api/sagas/no-such-saga"), 404, "saga-not-found", "no-such-saga");
        assertProblem(s.get("/api/sagas/no-such-saga/history"), 404, "saga-not-found", "no-such-saga");
        assertProblem(s.get("/api/sagas/" + "x".repeat(65)), 404, "saga-not-found", "64 characters");
    }

    // ------------------------------------------------------------------ list

    @Test
    @DisplayName("GET /api/sagas filters and pages newest first with a cursor")
    void listAndPage() {
        Instant from = Instant.now().minusSeconds(1);
        String key = "page-" + uniq();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(s.start("test-ops", "{\"mode\":\"ok\",\"amount\":" + i + "}", key + "-" + i));
        }
        HttpResponse<String> byKey = s.get("/api/sagas?businessKey=" + key + "-1");
        assertThat(byKey.statusCode()).isEqualTo(200);
        assertThat(json(byKey).get("items")).extracting(n -> n.get("id").asText()).containsExactly(ids.get(1));
        assertThat(json(byKey).get("nextCursor").isNull()).isTrue();
        assertThat(json(byKey).get("items").get(0).has("data")).isFalse();

        String filter = "type=test-ops&createdFrom=" + from + "&createdTo=" + Instant.now().plusSeconds(60);
        JsonNode first = json(s.get("/api/sagas?" + filter + "&limit=2"));
        assertThat(first.get("items")).hasSize(2);
        String cursor = first.get("nextCursor").asText();
        List<String> seen = new ArrayList<>();
        first.get("items").forEach(n -> seen.add(n.get("id").asText()));
        String next = cursor;
        while (next != null) {
            JsonNode page = json(s.get("/api/sagas?" + filter + "&limit=2&cursor=" + next));
            page.get("items").forEach(n -> seen.add(n.get("id").asText()));
            next = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asText();
        }
        assertThat(seen).doesNotHaveDuplicates().containsAll(ids);
        assertThat(seen.indexOf(ids.get(2))).isLessThan(seen.indexOf(ids.get(1)));
        assertThat(seen.indexOf(ids.get(1))).isLessThan(seen.indexOf(ids.get(0)));

        assertThat(json(s.get("/api/sagas?type=demo-order&businessKey=" + key + "-1")).get("items")).isEmpty();
        assertThat(json(s.get("/api/sagas?createdTo=" + from + "&businessKey=" + key + "-1")).get("items")).isEmpty();
        assertThat(json(s.get("/api/sagas?updatedFrom=" + from + "&businessKey=" + key + "-1")).get("items")).hasSize(1);
        assertThat(json(s.get("/api/sagas?updatedTo=" + from + "&businessKey=" + key + "-1")).get("items")).isEmpty();
    }

    @Test
    @DisplayName("GET /api/sagas?sort=oldest pages oldest first with a cursor; sort=newest is the default order")
    void listOldestFirst() {
        Instant from = Instant.now().minusSeconds(1);
        String key = "oldest-" + uniq();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(s.start("test-ops", "{\"mode\":\"ok\",\"amount\":" + i + "}", key + "-" + i));
        }
        // the sagas this test started, and only those: created in the window, of this type, by their business keys
        String filter = "type=test-ops&createdFrom=" + from + "&createdTo=" + Instant.now().plusSeconds(60);

        List<String> seen = new ArrayList<>();
        int pages = 0;
        String cursor = null;
        do {
            JsonNode page = json(s.get("/api/sagas?" + filter + "&sort=oldest&limit=2"
                    + (cursor == null ? "" : "&cursor=" + cursor)));
            assertThat(page.get("items").size()).isBetween(1, 2);
            page.get("items").forEach(n -> seen.add(n.get("id").asText()));
            cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asText();
            pages++;
        } while (cursor != null);
        List<String> mine = seen.stream().filter(ids::contains).toList();
        assertThat(seen).doesNotHaveDuplicates();
        assertThat(mine).as("oldest first, over %d pages", pages).containsExactlyElementsOf(ids);
        assertThat(pages).isGreaterThanOrEqualTo(3);

        List<String> newest = ids("/api/sagas?" + filter + "&limit=1000").stream().filter(ids::contains).toList();
        assertThat(newest).as("the default, newest first").containsExactlyElementsOf(ids.reversed());
        assertThat(ids("/api/sagas?" + filter + "&sort=newest&limit=1000").stream().filter(ids::contains).toList())
                .containsExactlyElementsOf(ids.reversed());
        assertThat(ids("/api/sagas?" + filter + "&sort=OLDEST&limit=1000").stream().filter(ids::contains).toList())
                .as("case-insensitive, as status is").containsExactlyElementsOf(ids);
        assertThat(ids("/api/sagas?businessKey=" + key + "-3&sort=oldest")).containsExactly(ids.get(3));
    }

    @Test
    @DisplayName("status, pendingState and the stuck-instance query (stuckFor) find a parked saga; finished sagas are never stuck")
    void stuckAndPending() {
        String parked = s.start("test-ops", "{\"mode\":\"park\",\"amount\":1}", "stuck-" + uniq());
        String done = s.start("test-ops", "{\"mode\":\"ok\",\"amount\":1}", "done-" + uniq());
        awaitStatus(parked, "PENDING");
        awaitStatus(done, "COMPLETED");
        // the parked saga's command is re-sent on its own (after 250 ms, 500 ms, 1 s...): between a re-send and its
        // busy answer the saga is briefly not PENDING, so each look waits for it to be parked again
        await().atMost(WAIT).untilAsserted(() -> {
            JsonNode p = json(s.get("/api/sagas/" + parked));
            assertThat(p.get("pendingState").asText()).isEqualTo("WAITING");
            assertThat(p.get("reason").asText()).contains("busy");
            assertThat(p.get("steps").get(0).get("status").asText()).isEqualTo("PENDING");
            assertThat(p.get("steps").get(0).get("command").get("lastOutcome").asText()).isEqualTo("RETRY_LATER");
        });
        await().atMost(WAIT).untilAsserted(() -> assertThat(ids("/api/sagas?status=pending&pendingState=WAITING&limit=1000"))
                .contains(parked).doesNotContain(done));
        assertThat(ids("/api/sagas?status=COMPLETED&limit=1000")).contains(done).doesNotContain(parked);
        assertThat(ids("/api/sagas?stuckFor=PT1H&limit=1000")).doesNotContain(parked, done);
        await().atMost(WAIT).until(() -> ids("/api/sagas?stuckFor=PT0.001S&limit=1000").contains(parked));
        assertThat(ids("/api/sagas?stuckFor=PT0.001S&limit=1000")).doesNotContain(done);
    }

    private static List<String> ids(String path) {
        HttpResponse<String> r = s.get(path);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        List<String> out = new ArrayList<>();
        json(r).get("items").forEach(n -> out.add(n.get("id").asText()));
        return out;
    }

    @Test
    @DisplayName("bad filters, limits and cursors: 400 problems naming the parameter")
    void badListRequests() {
        assertProblem(s.get("/api/sagas?limit=0"), 400, "invalid-request", "limit must be an integer from 1 to 1000, but was 0");
        assertProblem(s.get("/api/sagas?limit=1001"), 400, "invalid-request", "but was 1001");
        assertProblem(s.get("/api/sagas?limit=ten"), 400, "invalid-request", "but was 'ten'");
        assertProblem(s.get("/api/sagas?status=DONE"), 400, "invalid-request", "status must be one of");
        assertProblem(s.get("/api/sagas?sort=name"), 400, "invalid-request",
                "sort must be one of [newest, oldest], but was 'name'");
        assertProblem(s.get("/api/sagas?sort=oldest&sort=newest"), 400, "invalid-request", "'sort' must be given once");
        assertProblem(s.get("/api/sagas?sort="), 400, "invalid-request", "'sort' is empty");
        assertProblem(s.get("/api/sagas?createdFrom=yesterday"), 400, "invalid-request", "createdFrom must be an ISO-8601 instant");
        assertProblem(s.get("/api/sagas?updatedTo=2026-13-01T00:00:00Z"), 400, "invalid-request", "updatedTo");
        assertProblem(s.get("/api/sagas?stuckFor=10m"), 400, "invalid-request", "stuckFor must be a positive ISO-8601 duration");
        assertProblem(s.get("/api/sagas?stuckFor=-PT10M"), 400, "invalid-request", "stuckFor must be a positive");
        assertProblem(s.get("/api/sagas?cursor=not-a-cursor"), 400, "invalid-request", "cursor is not one this server issued");
        assertProblem(s.get("/api/sagas?staus=RUNNING"), 400, "invalid-request", "unknown query parameter 'staus'");
        assertProblem(s.get("/api/sagas?type=a&type=b"), 400, "invalid-request", "'type' must be given once");
        assertProblem(s.get("/api/stats?x=1"), 400, "invalid-request", "takes none");
    }

    // ------------------------------------------------------------------ start errors

    @Test
    @DisplayName("bad starts: 400, 404, 413 and 415 problems, and nothing is stored")
    void badStarts() {
        long before = s.sagaCount();
        assertProblem(s.post("/api/sagas", "{\"type\":\"test-ops\",\"data\":{"), 400, "malformed-json", "not valid JSON");
        assertProblem(s.post("/api/sagas", ""), 400, "malformed-json", "empty");
        assertProblem(s.post("/api/sagas", "[1,2]"), 400, "malformed-json", "must be a JSON object, but was array");
        assertProblem(s.post("/api/sagas", "{\"type\":\"test-ops\",\"data\":{}}", "Content-Type", "text/plain"), 415,
                "unsupported-media-type", "'text/plain'");
        assertProblem(s.post("/api/sagas", "{\"type\":\"no-such-type\",\"data\":{}}"), 404, "unknown-saga-type",
                "no saga type 'no-such-type' is registered; known types: [demo-order, test-ops]");
        assertProblem(s.post("/api/sagas", "{\"type\":\"demo-order\",\"data\":{\"orderId\":\"x\",\"amountCents\":\"lots\"}}"), 400,
                "invalid-saga-data", "data does not map onto the data type of saga 'demo-order'");
        assertProblem(s.post("/api/sagas", "{\"type\":\"demo-order\",\"data\":[1]}"), 400, "invalid-saga-data", "demo-order");
        assertProblem(s.post("/api/sagas", "{\"type\":\"demo-order\"}"), 400, "invalid-request", "data is required");
        assertProblem(s.post("/api/sagas", "{\"data\":{}}"), 400, "invalid-request", "type is required");
        assertProblem(s.post("/api/sagas", "{\"type\":7,\"data\":{}}"), 400, "invalid-request", "type must be a string, but was number");
        assertProblem(s.post("/api/sagas", "{\"type\":\"test-ops\",\"data\":{},\"bussinessKey\":\"k\"}"), 400, "invalid-request",
                "unknown field 'bussinessKey'");
        assertProblem(s.post("/api/sagas", "{\"type\":\"test-ops\",\"data\":{},\"businessKey\":\"" + "k".repeat(201) + "\"}"), 400,
                "invalid-request", "businessKey must be 1 to 200 characters");
        String big = "{\"type\":\"test-ops\",\"data\":{\"mode\":\"" + "x".repeat(1024 * 1024) + "\"}}";
        assertProblem(s.post("/api/sagas", big), 413, "body-too-large", "larger than 1048576 bytes (baton.api.max-body-bytes)");
        byte[] bigBytes = big.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        HttpResponse<String> chunked = s.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(s.base + "/api/sagas"))
                .header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(bigBytes))));
        assertProblem(chunked, 413, "body-too-large", "larger than 1048576 bytes");
        assertThat(s.sagaCount()).isEqualTo(before);
    }

    // ------------------------------------------------------------------ operator actions

    @Test
    @DisplayName("a parked saga: retry is 409 (use resume), resume re-sends, skip moves on to COMPLETED; the actor is recorded")
    void resumeAndSkip() {
        String id = s.start("test-ops", "{\"mode\":\"park\",\"amount\":1}", null);
        awaitStatus(id, "PENDING");
        assertProblem(s.post("/api/sagas/" + id + "/retry", "{\"reason\":\"try\"}"), 409, "action-rejected",
                "retry applies to FAILED sagas, and it is PENDING; use resume");

        // a parked saga re-sends on its own now and then (RUNNING until the next busy answer): resume applies once
        // it is PENDING again; a rejected resume changes nothing
        HttpResponse<String> resumed = await("resume accepted").atMost(WAIT).until(() -> s.post("/api/sagas/" + id
                + "/resume", "{\"reason\":\"partner is back\"}", "X-Baton-Actor", "alice"), r -> r.statusCode() != 409);
        assertThat(resumed.statusCode()).as(resumed.body()).isEqualTo(200);
        assertThat(json(resumed).get("id").asText()).isEqualTo(id);
        await().atMost(WAIT).until(() -> json(s.get("/api/sagas/" + id)).get("steps").get(0).get("command").get("attempts").asInt() >= 2);
        awaitStatus(id, "PENDING");

        HttpResponse<String> skipped = await("skip accepted").atMost(WAIT).until(() -> s.post("/api/sagas/" + id + "/skip",
                "{\"reason\":\"done by hand\"}"), r -> r.statusCode() != 409);
        assertThat(skipped.statusCode()).as(skipped.body()).isEqualTo(200);
        awaitStatus(id, "COMPLETED");
        JsonNode saga = json(s.get("/api/sagas/" + id));
        JsonNode ask = saga.get("steps").get(0);
        assertThat(ask.get("status").asText()).isEqualTo("SKIPPED");
        assertThat(ask.get("operatorActions")).extracting(n -> n.get("detail").asText())
                .containsExactly("RESUME by alice (anonymous): partner is back", "SKIP by anonymous: done by hand");
        assertThat(json(s.get("/api/sagas/" + id + "/history")).get("items")).extracting(n -> n.get("kind").asText())
                .contains("OPERATOR_ACTION", "RESUMED");

        assertProblem(s.post("/api/sagas/" + id + "/abort", "{\"reason\":\"too late\"}"), 409, "action-rejected",
                "it is COMPLETED, which is final");
    }

    @Test
    @DisplayName("abort compensates a parked saga")
    void abort() {
        String id = s.start("test-ops", "{\"mode\":\"park\",\"amount\":1}", null);
        awaitStatus(id, "PENDING");
        HttpResponse<String> r = s.post("/api/sagas/" + id + "/abort", "{\"reason\":\"customer cancelled\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        awaitStatus(id, "COMPENSATED");
        assertThat(json(s.get("/api/sagas/" + id)).get("reason").asText()).contains("aborted by anonymous: customer cancelled");
    }

    @Test
    @DisplayName("a FAILED saga past its pivot: resume and abort are 409 with the engine's reason; retry runs again; skip completes")
    void failedSaga() {
        String id = s.start("test-ops", "{\"mode\":\"fail-finish\",\"amount\":1}", null);
        awaitStatus(id, "FAILED");
        JsonNode failed = json(s.get("/api/sagas/" + id));
        assertThat(failed.get("reason").asText()).contains("cannot finish");
        assertThat(failed.get("steps").get(2).get("status").asText()).isEqualTo("FAILED");
        assertThat(failed.get("steps").get(2).get("command").get("attempts").asInt()).isEqualTo(2);

        assertProblem(s.post("/api/sagas/" + id + "/resume", "{\"reason\":\"x\"}"), 409, "action-rejected", "use retry");
        assertProblem(s.post("/api/sagas/" + id + "/abort", "{\"reason\":\"x\"}"), 409, "action-rejected", "passed its pivot");

        assertThat(s.post("/api/sagas/" + id + "/retry", "{\"reason\":\"fixed the data\"}").statusCode()).isEqualTo(200);
        await().atMost(WAIT).until(() -> json(s.get("/api/sagas/" + id)).get("steps").get(2).get("command").get("attempts").asInt() >= 3);
        awaitStatus(id, "FAILED");
        assertThat(s.post("/api/sagas/" + id + "/skip", "{\"reason\":\"shipped by hand\"}").statusCode()).isEqualTo(200);
        awaitStatus(id, "COMPLETED");
    }

    @Test
    @DisplayName("bad actions: unknown saga 404, missing reason 400, wrong content type 415, bad actor header 400; nothing changes")
    void badActions() {
        String id = s.start("test-ops", "{\"mode\":\"park\",\"amount\":1}", null);
        awaitStatus(id, "PENDING");
        assertProblem(s.post("/api/sagas/nope/retry", "{\"reason\":\"x\"}"), 404, "saga-not-found", "nope");
        assertProblem(s.post("/api/sagas/" + id + "/skip", "{}"), 400, "invalid-request", "reason is required");
        assertProblem(s.post("/api/sagas/" + id + "/skip", ""), 400, "malformed-json", "empty");
        assertProblem(s.post("/api/sagas/" + id + "/skip", "{\"reason\":\"  \"}"), 400, "invalid-request", "not blank");
        assertProblem(s.post("/api/sagas/" + id + "/skip", "{\"reason\":\"x\",\"force\":true}"), 400, "invalid-request",
                "unknown field 'force'");
        assertProblem(s.post("/api/sagas/" + id + "/skip", "reason=x", "Content-Type", "application/x-www-form-urlencoded"),
                415, "unsupported-media-type", "application/json");
        assertProblem(s.post("/api/sagas/" + id + "/skip", "{\"reason\":\"x\"}", "X-Baton-Actor", "a".repeat(101)), 400,
                "invalid-request", "X-Baton-Actor");
        // refused requests act on nothing: no operator action in the history (the version is no measure: the parked
        // saga's command is re-sent on its own meanwhile, after 250 ms, 500 ms, 1 s...)
        JsonNode history = json(s.get("/api/sagas/" + id + "/history")).get("items");
        assertThat(history).extracting(h -> h.get("kind").asText()).doesNotContain("OPERATOR_ACTION");
        assertThat(json(s.get("/api/sagas/" + id)).get("status").asText()).isIn("PENDING", "RUNNING");
    }

    // ------------------------------------------------------------------ definitions, stats

    @Test
    @DisplayName("definitions: steps with kind, participants, timeout, retry and park, versions, and a Mermaid flowchart")
    void definitions() {
        JsonNode all = json(s.get("/api/definitions")).get("items");
        assertThat(all).extracting(n -> n.get("type").asText()).containsExactly("demo-order", "test-ops");

        HttpResponse<String> r = s.get("/api/definitions/demo-order");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode d = json(r);
        assertThat(d.get("version").asInt()).isEqualTo(1);
        assertThat(d.get("versions")).extracting(JsonNode::asInt).containsExactly(1);
        assertThat(d.get("pivot").asText()).isEqualTo("charge-card");
        assertThat(d.get("dataType").asText()).isEqualTo("demo-order.data");
        JsonNode steps = d.get("steps");
        assertThat(steps).extracting(n -> n.get("key").asText())
                .containsExactly("place-order", "reserve-stock", "charge-card", "ship-order");
        assertThat(steps).extracting(n -> n.get("kind").asText())
                .containsExactly("COMPENSATABLE", "COMPENSATABLE", "PIVOT", "RETRIABLE");
        assertThat(steps.get(0).get("participant").asText()).isEqualTo("demo-order");
        assertThat(steps.get(0).get("timeout").asText()).isEqualTo("PT10S");
        assertThat(steps.get(0).get("retry").get("policy").asText()).isEqualTo("exponential");
        assertThat(steps.get(1).get("compensation").get("participant").asText()).isEqualTo("demo-inventory");
        assertThat(steps.get(1).get("compensation").get("retry").get("policy").asText()).isEqualTo("exponential");
        assertThat(steps.get(2).get("compensation").isNull()).isTrue();
        assertThat(steps.get(2).get("park").get("state").asText()).isEqualTo("PENDING_PAYMENT");
        assertThat(steps.get(2).get("park").get("retryEvery").asText()).isEqualTo("PT5S");
        assertThat(steps.get(2).get("park").get("giveUpAfter").asText()).isEqualTo("PT30M");
        assertThat(steps.get(3).get("retry").get("policy").asText()).isEqualTo("forever");
        assertThat(steps.get(3).get("retry").get("cap").asText()).isEqualTo("PT30S");
        String mermaid = d.get("mermaid").asText();
        assertThat(mermaid).startsWith("flowchart TD\n")
                .contains("start --> s0", "s3 -->|ok| completed", "s2 -.->|failure| c1", "c1 -.->|done| c0",
                        "c0 -.->|done| compensated", "s2 -.->|busy| p2", "p2 -.->|every PT5S| s2", "s3 -.->|failure: retry| s3",
                        "s2[\"charge-card<br/>demo-payment<br/>(pivot)\"]");

        assertProblem(s.get("/api/definitions/nope"), 404, "unknown-saga-type", "no saga type 'nope'");
        assertProblem(s.get("/api/definitions/demo-order?version=9"), 404, "unknown-saga-type", "no version 9");
        assertProblem(s.get("/api/definitions/demo-order?version=one"), 400, "invalid-request", "version");
        assertThat(s.get("/api/definitions/demo-order?version=1").statusCode()).isEqualTo(200);
    }

    @Test
    @DisplayName("stats count sagas by type, status and pending state")
    void stats() {
        String parked = s.start("test-ops", "{\"mode\":\"park\",\"amount\":1}", null);
        awaitStatus(parked, "PENDING");
        Instant parkedBy = Instant.now();
        HttpResponse<String> r = s.get("/api/stats");
        assertThat(r.statusCode()).isEqualTo(200);
        // the store's figures are read at most once a second: wait for a snapshot taken after the saga parked
        JsonNode st = await("stats read after the saga parked").atMost(Duration.ofSeconds(10))
                .until(() -> json(s.get("/api/stats")), j -> !Instant.parse(j.get("asOf").asText()).isBefore(parkedBy));
        assertThat(st.get("total").asLong()).isEqualTo(s.sagaCount());
        assertThat(st.get("byStatus").get("PENDING").asLong()).isGreaterThanOrEqualTo(1);
        assertThat(st.get("pendingByState").get("WAITING").asLong()).isGreaterThanOrEqualTo(1);
        JsonNode ops = st.get("byType").get("test-ops");
        assertThat(ops.get("total").asLong()).isGreaterThanOrEqualTo(1);
        assertThat(ops.get("pendingByState").get("WAITING").asLong()).isGreaterThanOrEqualTo(1);
        assertThat(st.get("outboxBacklog").isNumber()).isTrue();
        assertThat(st.get("timersDue").isNumber()).isTrue();
        JsonNode breakers = st.get("breakers");
        assertThat(breakers.fieldNames()).toIterable().contains("test-ask", "test-decide", "test-finish", "demo-payment");
        assertThat(breakers.get("test-decide").get("state").asText()).isEqualTo("CLOSED");
        assertThat(breakers.get("test-decide").get("notPermittedCalls").asLong()).isZero();
    }

    // ------------------------------------------------------------------ routing and unexpected errors

    @Test
    @DisplayName("unknown routes are 404 problems, wrong methods 405 problems")
    void routing() {
        assertProblem(s.get("/api/nothing-here"), 404, "not-found", "no endpoint for GET /api/nothing-here");
        assertProblem(s.get("/nothing"), 404, "not-found", "/nothing");
        assertProblem(s.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(s.base + "/api/stats")).DELETE()), 405,
                "method-not-allowed", "DELETE is not allowed on /api/stats");
    }
}
