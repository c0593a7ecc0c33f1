package dev.baton.server.ui;

import static dev.baton.server.ui.DashboardServer.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.kafka.dev.EmbeddedKafkaBroker;
import dev.baton.kafka.dev.junit.KafkaBrokerExtension;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What the dashboard stands on, over real HTTP: its files and redirect, the queues and the bulk actions. */
@ExtendWith(KafkaBrokerExtension.class)
class DashboardApiTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static DashboardServer s;

    @BeforeAll
    static void server(EmbeddedKafkaBroker broker) throws Exception {
        s = DashboardServer.start(broker);
    }

    @AfterAll
    static void stop() {
        if (s != null) {
            s.close();
        }
    }

    private static String parked(String type) {
        String id = s.startOrder(type, "o-" + UUID.randomUUID().toString().substring(0, 8));
        await("saga " + id + " parks").atMost(WAIT).until(() -> s.status(id), "PENDING"::equals);
        return id;
    }

    static void assertProblem(HttpResponse<String> r, int status, String type, String detailPart) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t)
                .startsWith("application/problem+json"));
        JsonNode p = json(r);
        assertThat(p.get("type").asText()).isEqualTo("https://baton.dev/problems/" + type);
        assertThat(p.get("detail").asText()).contains(detailPart);
    }

    @Test
    @DisplayName("/ redirects to /ui/, which serves the pages from the jar with a same-origin Content-Security-Policy")
    void servesTheDashboard() {
        HttpResponse<String> root = s.get("/");
        assertThat(root.statusCode()).isEqualTo(302);
        assertThat(root.headers().firstValue("Location")).hasValue("/ui/");
        HttpResponse<String> page = s.get("/ui/");
        assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
        assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(c -> assertThat(c)
                .contains("default-src 'self'", "script-src 'self'", "frame-ancestors 'none'"));
        assertThat(page.body()).contains("<script type=\"module\" src=\"/ui/js/app.js\"></script>")
                .doesNotContain(DashboardServer.TOKEN, "http://", "https://");
        for (String file : List.of("app.js", "api.js", "dom.js", "ui.js", "overview.js", "sagas.js", "saga.js", "timeline.js",
                "queues.js", "definitions.js", "participants.js", "chart.js")) {
            HttpResponse<String> js = s.get("/ui/js/" + file);
            assertThat(js.statusCode()).as(file).isEqualTo(200);
            assertThat(js.headers().firstValue("Content-Type")).as(file).hasValueSatisfying(t -> assertThat(t)
                    .matches("(text|application)/javascript.*"));
            // everything comes from this server: the pages work without internet access
            assertThat(js.body().replace("http://www.w3.org/2000/svg", "")).as(file).doesNotContain("http://", "https://",
                    "cdn.");
        }
        assertThat(s.get("/ui/style.css").headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t)
                .startsWith("text/css"));
        assertThat(s.get("/ui/nope.js").statusCode()).isEqualTo(404);
    }

    @Test
    @DisplayName("GET /api/queues counts PENDING and FAILED sagas by type, status, step and pending state")
    void queues() {
        parked(UiSagas.ORDER_TYPE);
        parked(UiSagas.ORDER_TYPE);
        JsonNode q = json(s.get("/api/queues?type=" + UiSagas.ORDER_TYPE));
        assertThat(q.get("truncated").asBoolean()).isFalse();
        JsonNode first = q.get("queues").get(0);
        assertThat(first.get("type").asText()).isEqualTo(UiSagas.ORDER_TYPE);
        assertThat(first.get("status").asText()).isEqualTo("PENDING");
        assertThat(first.get("step").asText()).isEqualTo("charge-payment");
        assertThat(first.get("pendingState").asText()).isEqualTo(UiSagas.PENDING_PAYMENT);
        assertThat(first.get("count").asLong()).isGreaterThanOrEqualTo(2);
        // none has been unchanged for a day
        assertThat(json(s.get("/api/queues?stuckFor=P1D")).get("queues")).isEmpty();
        assertProblem(s.get("/api/queues?stuckFor=soon"), 400, "invalid-request", "stuckFor");
        assertProblem(s.get("/api/queues?limit=3"), 400, "invalid-request", "unknown query parameter 'limit'");
    }

    @Test
    @DisplayName("POST /api/bulk/abort: a dry run counts and lists and changes nothing; the real run aborts each saga,"
            + " audited in its history; bad input is a 400 problem, no token a 401")
    void bulkAbort() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(parked(UiSagas.BULK_TYPE));
        }
        String filter = "{\"type\":\"" + UiSagas.BULK_TYPE + "\",\"status\":\"PENDING\",\"pendingState\":\"PENDING_PAYMENT\","
                + "\"step\":\"charge-payment\"}";
        assertProblem(s.post("/api/bulk/abort", "{\"filter\":" + filter + ",\"dryRun\":true}", false), 401, "unauthorized",
                "API token");

        JsonNode dry = json(s.post("/api/bulk/abort", "{\"filter\":" + filter + ",\"dryRun\":true}"));
        assertThat(dry.get("dryRun").asBoolean()).isTrue();
        assertThat(dry.get("matched").asInt()).as(() -> dry + " / " + s.get("/api/sagas?type=" + UiSagas.BULK_TYPE).body()
                + " / " + s.get("/api/sagas/" + ids.get(0) + "/history").body()).isEqualTo(3);
        assertThat(dry.get("ids")).extracting(JsonNode::asText).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(dry.get("results")).isEmpty();
        assertThat(ids).allSatisfy(id -> assertThat(s.status(id)).isEqualTo("PENDING"));

        assertProblem(s.post("/api/bulk/abort", "{\"filter\":" + filter + "}"), 400, "invalid-request", "reason");
        assertProblem(s.post("/api/bulk/abort", "{\"dryRun\":true}"), 400, "invalid-request", "filter is required");
        assertProblem(s.post("/api/bulk/abort", "{\"filter\":{},\"dryRun\":true}"), 400, "invalid-request",
                "filter.status is required");
        assertProblem(s.post("/api/bulk/abort", "{\"filter\":{\"status\":\"COMPLETED\"},\"dryRun\":true}"), 400,
                "invalid-request", "an ended saga takes no action");
        assertProblem(s.post("/api/bulk/abort", "{\"filter\":{\"status\":\"PENDING\",\"stuckFor\":\"x\"},\"dryRun\":true}"),
                400, "invalid-request", "stuckFor");
        assertProblem(s.post("/api/bulk/abort", "{\"filter\":{\"status\":\"PENDING\",\"colour\":\"red\"},\"dryRun\":true}"),
                400, "invalid-request", "unknown field filter.colour");
        assertProblem(s.post("/api/bulk/abort", "{\"filter\":" + filter + ",\"dryRun\":\"yes\"}"), 400, "invalid-request",
                "dryRun must be true or false");
        assertProblem(s.post("/api/bulk/abort", "{\"filter\":" + filter + ",\"dryRun\":true,\"all\":true}"), 400,
                "invalid-request", "unknown field 'all'");
        assertProblem(s.post("/api/bulk/abort", "{\"filter\":"), 400, "malformed-json", "");

        // resume does not apply to what the filter does not match; retry does not apply to PENDING sagas
        JsonNode retried = json(s.post("/api/bulk/retry", "{\"filter\":" + filter + ",\"reason\":\"try\"}"));
        assertThat(retried.get("done").asInt()).isZero();
        assertThat(retried.get("refused").asInt()).isEqualTo(3);
        assertThat(retried.get("results")).allSatisfy(r -> {
            assertThat(r.get("outcome").asText()).isEqualTo("REJECTED");
            assertThat(r.get("detail").asText()).contains("retry");
        });

        JsonNode run = json(s.post("/api/bulk/abort", "{\"filter\":" + filter + ",\"reason\":\"payments down: cancel\"}"));
        assertThat(run.get("dryRun").asBoolean()).isFalse();
        assertThat(run.get("done").asInt()).as(run.toString()).isEqualTo(3);
        assertThat(run.get("results")).extracting(r -> r.get("outcome").asText()).containsOnly("DONE");
        for (String id : ids) {
            await("saga " + id + " is compensated").atMost(WAIT).until(() -> s.status(id), "COMPENSATED"::equals);
            List<String> actions = new ArrayList<>();
            json(s.get("/api/sagas/" + id + "/history")).get("items").forEach(e -> {
                if (e.get("kind").asText().equals("OPERATOR_ACTION")) {
                    actions.add(e.get("detail").asText());
                }
            });
            assertThat(actions).singleElement().asString().contains("ABORT", "payments down: cancel", "api-token");
        }
        assertThat(json(s.post("/api/bulk/abort", "{\"filter\":" + filter + ",\"dryRun\":true}")).get("matched").asInt())
                .isZero();
    }
}
