package dev.baton.server;

import static dev.baton.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.dsl.Park;
import dev.baton.dsl.Retry;
import dev.baton.dsl.Saga;
import dev.baton.dsl.SagaDefinition;
import dev.baton.engine.Rollout;
import dev.baton.jdbi.PostgresDatabase;
import dev.baton.jdbi.PostgresExtension;
import dev.baton.kafka.dev.EmbeddedKafkaBroker;
import dev.baton.kafka.dev.junit.KafkaBrokerExtension;
import dev.baton.resilience4j.BreakerSettings;
import dev.baton.server.TestSagas.Ask;
import dev.baton.server.TestSagas.Decide;
import dev.baton.server.TestSagas.Finish;
import dev.baton.server.TestSagas.OpsData;
import dev.baton.server.TestSagas.Undo;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gray release and live policies over the REST API: rollouts split new sagas by business key and roll back; bad
 * settings are refused as problem+json; a change made on one node is applied by another; a rollout naming a version
 * a live node lacks is refused; a node lacking a version with sagas not ended says so in readiness.
 */
@ExtendWith({KafkaBrokerExtension.class, PostgresExtension.class})
class LiveApiTest {
    private static final String TOKEN = "live-api-token";
    private static final String[] AUTH = {"Authorization", "Bearer " + TOKEN, "X-Baton-Actor", "alice"};
    private static final Duration WAIT = Duration.ofSeconds(60);

    /** test-ops v2: the same steps, test-ask's park interval shorter. */
    static final SagaDefinition<OpsData> OPS_V2 = Saga.define("test-ops", OpsData.class).version(2)
            .defaultTimeout(Duration.ofHours(1))
            .step("ask")
                .invoke(TestSagas.ASK, Ask.class, d -> new Ask(d.mode()))
                .whenBusy(Park.as("WAITING").retryEvery(Duration.ofMinutes(30)).giveUpAfter(Duration.ofHours(2)))
                .compensate(TestSagas.ASK, Undo.class, d -> new Undo(d.mode()))
            .step("decide")
                .invoke(TestSagas.DECIDE, Decide.class, d -> new Decide(d.mode()))
                .retry(Retry.none())
                .pivot()
            .step("finish")
                .invoke(TestSagas.FINISH, Finish.class, d -> new Finish(d.mode()))
                .retry(Retry.fixed(2, Duration.ofMillis(10)))
            .build();

    private static final List<SagaDefinition<?>> BOTH = List.of(TestSagas.OPS, OPS_V2);
    private static final List<SagaDefinition<?>> V1_ONLY = List.of(TestSagas.OPS);

    private static HttpResponse<String> put(TestServer s, String path, String body, String... headers) {
        return s.send(HttpRequest.newBuilder(URI.create(s.base + path)).PUT(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json"), headers);
    }

    private static HttpResponse<String> delete(TestServer s, String path, String... headers) {
        return s.send(HttpRequest.newBuilder(URI.create(s.base + path)).DELETE(), headers);
    }

    private static String start(TestServer s, String mode, String key) {
        HttpResponse<String> r = s.post("/api/sagas", "{\"type\":\"test-ops\",\"data\":{\"mode\":\"" + mode
                + "\",\"amount\":1},\"businessKey\":\"" + key + "\"}", AUTH);
        assertThat(r.statusCode()).as(r.body()).isIn(200, 201);
        return json(r).get("id").asText();
    }

    private static int version(TestServer s, String id) {
        return json(s.get("/api/sagas/" + id, AUTH)).get("definitionVersion").asInt();
    }

    private static void problem(HttpResponse<String> r, int status, String... inDetail) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
        JsonNode p = json(r);
        assertThat(p.get("status").asInt()).isEqualTo(status);
        for (String part : inDetail) {
            assertThat(p.get("detail").asText()).contains(part);
        }
    }

    private static Map<String, String> env(EmbeddedKafkaBroker broker, String node) {
        Map<String, String> env = TestServer.env(broker);
        env.put("BATON_API_TOKEN", TOKEN);
        env.put("BATON_ENGINE_NODE_NAME", node);
        env.put("BATON_ENGINE_LIVE_POLL_MS", "200");
        return env;
    }

    private static Map<String, String> onPostgres(Map<String, String> env, PostgresDatabase db) {
        env.put("BATON_DB_URL", db.jdbcUrl());
        env.put("BATON_DB_USER", db.user());
        env.put("BATON_DB_PASSWORD", db.password());
        return env;
    }

    @Test
    @DisplayName("a rollout splits new sagas by business key, sticky, and a weight of 0 rolls back; bad settings are problems")
    void rolloutAndValidation(EmbeddedKafkaBroker broker) throws Exception {
        try (TestServer s = TestServer.start(env(broker, "solo"), null, BOTH)) {
            String path = "/api/rollouts/test-ops";
            problem(put(s, path, "{\"weights\":{\"1\":50,\"2\":50},\"reason\":\"r\"}"), 401, "API token");
            problem(put(s, path, "{\"weights\":{\"1\":50,\"2\":40},\"reason\":\"r\"}", AUTH), 400, "add up to 100", "90");
            problem(put(s, path, "{\"weights\":{\"1\":50,\"9\":50},\"reason\":\"r\"}", AUTH), 400, "version 9", "[1, 2]");
            problem(put(s, path, "{\"weights\":{\"1\":50.5,\"2\":49.5},\"reason\":\"r\"}", AUTH), 400, "whole percent");
            problem(put(s, path, "{\"weights\":{\"one\":100},\"reason\":\"r\"}", AUTH), 400, "'one'");
            problem(put(s, path, "{\"weights\":{\"1\":100}}", AUTH), 400, "reason is required");
            problem(put(s, path, "{\"weights\":{\"1\":100},\"reason\":\"r\",\"force\":true}", AUTH), 400, "unknown field");
            problem(put(s, "/api/rollouts/nope", "{\"weights\":{\"1\":100},\"reason\":\"r\"}", AUTH), 400, "'nope'");
            problem(s.get(path, AUTH), 404, "no rollout");

            HttpResponse<String> set = put(s, path, "{\"weights\":{\"1\":50,\"2\":50},\"reason\":\"v2 on half\"}", AUTH);
            assertThat(set.statusCode()).as(set.body()).isEqualTo(200);
            assertThat(json(set).get("weights").toString()).isEqualTo("{\"1\":50,\"2\":50}");
            assertThat(json(set).get("changedBy").asText()).isEqualTo("alice (api-token)");
            Rollout half = s.server.engine().live().rollout("test-ops").orElseThrow();

            Map<Integer, Integer> split = new HashMap<>();
            for (int i = 0; i < 60; i++) {
                String key = "k-" + i;
                int v = version(s, start(s, "park", key));
                assertThat(v).as(key).isEqualTo(half.versionFor(Rollout.bucket("test-ops", key)));
                split.merge(v, 1, Integer::sum);
            }
            assertThat(split.get(1)).isBetween(15, 45);
            assertThat(split.get(2)).isBetween(15, 45);

            String metrics = s.get("/metrics").body();
            assertThat(metrics).contains("baton_rollout_weight{type=\"test-ops\",version=\"2\"} 50.0")
                    .contains("baton_sagas_started_by_version_total{type=\"test-ops\",version=\"2\"} " + split.get(2) + ".0")
                    .contains("baton_sagas_started_by_version_total{type=\"test-ops\",version=\"1\"} " + split.get(1) + ".0");

            JsonNode versions = json(s.get("/api/versions", AUTH)).get("versions");
            assertThat(versions.findValuesAsText("type")).containsExactly("test-ops", "test-ops");
            assertThat(versions.get(0).get("weight").asInt()).isEqualTo(50);
            assertThat(versions.get(1).get("nodesWith").toString()).isEqualTo("[\"solo\"]");
            await().atMost(WAIT).untilAsserted(() -> {
                JsonNode v = json(s.get("/api/versions", AUTH)).get("versions");
                assertThat(v.get(0).get("unended").asLong() + v.get(1).get("unended").asLong()).isEqualTo(60);
                assertThat(v.get(1).get("unended").asInt()).isEqualTo(split.get(2));
                assertThat(v.get(1).get("places").findValuesAsText("pendingState")).containsOnly("WAITING");
            });

            // rolled back: new sagas on v1; those on v2 keep it
            assertThat(put(s, path, "{\"weights\":{\"1\":100,\"2\":0},\"reason\":\"v2 misbehaves\"}", AUTH).statusCode())
                    .isEqualTo(200);
            for (int i = 0; i < 10; i++) {
                assertThat(version(s, start(s, "ok", "after-" + i))).isEqualTo(1);
            }
            assertThat(json(s.get("/api/versions", AUTH)).get("versions").get(1).get("unended").asInt())
                    .isEqualTo(split.get(2));
            problem(delete(s, path, AUTH), 400, "reason is required");
            assertThat(delete(s, path + "?reason=release%20over", AUTH).statusCode()).isEqualTo(204);
            problem(s.get(path, AUTH), 404);

            JsonNode changes = json(s.get("/api/changes?limit=3", AUTH)).get("changes");
            assertThat(changes.findValuesAsText("reason")).containsExactly("release over", "v2 misbehaves", "v2 on half");
            assertThat(changes.findValuesAsText("actor")).containsOnly("alice (api-token)");
            problem(s.get("/api/changes?limit=0", AUTH), 400, "limit");
        }
    }

    @Test
    @DisplayName("step and participant policies: validated as build() validates, applied, listed, reset")
    void policies(EmbeddedKafkaBroker broker) throws Exception {
        try (TestServer s = TestServer.start(env(broker, "solo"), null, BOTH)) {
            String ask = "/api/policies/steps/test-ops/ask";
            problem(put(s, ask, "{\"timeout\":\"PT0S\",\"reason\":\"r\"}", AUTH), 400, "step 'ask'", "positive");
            problem(put(s, ask, "{\"timeout\":\"soon\",\"reason\":\"r\"}", AUTH), 400, "ISO-8601");
            problem(put(s, ask, "{\"parkRetryEvery\":\"PT3H\",\"reason\":\"r\"}", AUTH), 400, "giveUpAfter must be >= retryEvery");
            problem(put(s, ask, "{\"retry\":{\"kind\":\"sometimes\"},\"reason\":\"r\"}", AUTH), 400, "retry.kind");
            problem(put(s, ask, "{\"retry\":{\"kind\":\"fixed\",\"delay\":\"PT1S\"},\"reason\":\"r\"}", AUTH), 400,
                    "maxAttempts");
            problem(put(s, "/api/policies/steps/test-ops/decide", "{\"parkRetryEvery\":\"PT1S\",\"reason\":\"r\"}", AUTH),
                    400, "step 'decide'", "does not park");
            problem(put(s, "/api/policies/steps/test-ops/finish", "{\"retry\":{\"kind\":\"none\"},\"reason\":\"r\"}", AUTH),
                    400, "step 'finish'", "after the pivot");
            problem(put(s, "/api/policies/steps/test-ops/refund", "{\"timeout\":\"PT1S\",\"reason\":\"r\"}", AUTH),
                    400, "'refund'", "[ask, decide, finish]");
            problem(put(s, ask, "{\"timeout\":\"PT5S\",\"reason\":\"r\"}"), 401);

            HttpResponse<String> ok = put(s, ask, "{\"timeout\":\"PT20S\",\"retry\":{\"kind\":\"exponential\","
                    + "\"maxAttempts\":4,\"initial\":\"PT1S\",\"cap\":\"PT8S\"},\"parkRetryEvery\":\"PT5M\","
                    + "\"reason\":\"the promotion starts\"}", AUTH);
            assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
            assertThat(json(ok).get("policy").get("retry").get("cap").asText()).isEqualTo("PT8S");
            var running = s.server.engine().live(); // both versions run with it
            assertThat(running.policies()).singleElement().satisfies(o -> assertThat(o.policy().timeout())
                    .isEqualTo(Duration.ofSeconds(20)));

            String decide = "/api/policies/participants/test-decide";
            problem(put(s, decide, "{\"settings\":{\"failure-rate\":\"most\"},\"reason\":\"r\"}", AUTH), 400,
                    "failure-rate must be a percentage");
            problem(put(s, decide, "{\"settings\":{\"speed\":\"3\"},\"reason\":\"r\"}", AUTH), 400, "unknown circuit breaker setting 'speed'");
            problem(put(s, "/api/policies/participants/nobody", "{\"settings\":{\"window\":\"5\"},\"reason\":\"r\"}", AUTH),
                    400, "'nobody'");
            BreakerSettings before = s.server.breakers().settings("test-decide");
            assertThat(put(s, decide, "{\"settings\":{\"failure-rate\":20,\"wait-open\":\"PT5S\"},\"reason\":\"fail fast\"}",
                    AUTH).statusCode()).isEqualTo(200);
            assertThat(s.server.breakers().settings("test-decide")).isEqualTo(before.withFailureRatePercent(20)
                    .withWaitOpen(Duration.ofSeconds(5)));
            assertThat(s.server.breakers().breaker("test-decide").getCircuitBreakerConfig().getFailureRateThreshold())
                    .isEqualTo(20f);

            JsonNode listed = json(s.get("/api/policies", AUTH)).get("policies");
            assertThat(listed.findValuesAsText("reason")).containsExactlyInAnyOrder("the promotion starts", "fail fast");

            assertThat(delete(s, ask + "?reason=over", AUTH).statusCode()).isEqualTo(204);
            assertThat(s.send(HttpRequest.newBuilder(URI.create(s.base + decide)).method("DELETE",
                    HttpRequest.BodyPublishers.ofString("{\"reason\":\"over\"}")).header("Content-Type", "application/json"),
                    AUTH).statusCode()).isEqualTo(204);
            assertThat(json(s.get("/api/policies", AUTH)).get("policies")).isEmpty();
            assertThat(s.server.breakers().settings("test-decide")).isEqualTo(before);
            assertThat(s.server.engine().live().policies()).isEmpty();
        }
    }

    @Test
    @DisplayName("on one PostgreSQL: a change on one node is applied by the other; a rollout a live node cannot follow is"
            + " refused; a node lacking a version with sagas not ended is not ready")
    void secondNode(EmbeddedKafkaBroker broker, PostgresDatabase db) throws Exception {
        Map<String, String> a = onPostgres(env(broker, "node-a"), db);
        Map<String, String> b = onPostgres(env(broker, "node-b"), db);
        b.put("BATON_KAFKA_TOPIC_PREFIX", a.get("BATON_KAFKA_TOPIC_PREFIX"));
        b.put("BATON_KAFKA_GROUP_ID", a.get("BATON_KAFKA_GROUP_ID"));
        try (TestServer nodeA = TestServer.start(a, null, BOTH)) {
            try (TestServer nodeB = TestServer.start(b, null, BOTH)) {
                await().atMost(WAIT).until(() -> json(nodeA.get("/api/nodes", AUTH)).get("nodes").size() == 2);
                assertThat(put(nodeA, "/api/rollouts/test-ops", "{\"weights\":{\"1\":30,\"2\":70},\"reason\":\"r\"}", AUTH)
                        .statusCode()).isEqualTo(200);
                assertThat(put(nodeA, "/api/policies/steps/test-ops/ask", "{\"timeout\":\"PT7S\",\"reason\":\"r\"}", AUTH)
                        .statusCode()).isEqualTo(200);
                // node B follows within its poll
                await().atMost(WAIT).untilAsserted(() -> {
                    assertThat(nodeB.server.engine().live().rollout("test-ops")).hasValueSatisfying(r ->
                            assertThat(r.weights()).containsEntry(2, 70));
                    assertThat(json(nodeB.get("/api/policies", AUTH)).findValuesAsText("timeout")).containsExactly("PT7S");
                });
                Rollout r = nodeB.server.engine().live().rollout("test-ops").orElseThrow();
                for (int i = 0; i < 20; i++) {
                    String key = "b-" + i;
                    assertThat(version(nodeB, start(nodeB, "park", key))).isEqualTo(r.versionFor(Rollout.bucket("test-ops", key)));
                }
            }
            // node C has only v1: a rollout giving v2 a share is refused while it lives, and C is not ready
            Map<String, String> c = onPostgres(env(broker, "node-c"), db);
            try (TestServer nodeC = TestServer.start(c, null, V1_ONLY)) {
                await().atMost(WAIT).until(() -> json(nodeA.get("/api/nodes", AUTH)).findValuesAsText("name").contains("node-c"));
                problem(put(nodeA, "/api/rollouts/test-ops", "{\"weights\":{\"1\":50,\"2\":50},\"reason\":\"r\"}", AUTH),
                        409, "node-c", "lacks v2");
                HttpResponse<String> ready = nodeC.get("/health/ready");
                assertThat(ready.statusCode()).isEqualTo(503);
                assertThat(json(ready).get("checks").get("definitions").get("detail").asText()).contains("test-ops v2");
                assertThat(json(nodeA.get("/health/ready")).get("checks").get("definitions").get("status").asText())
                        .isEqualTo("UP");
                assertThat(json(nodeC.get("/api/versions", AUTH)).get("missingHere").toString()).contains("test-ops v2");
            }
        }
    }
}
