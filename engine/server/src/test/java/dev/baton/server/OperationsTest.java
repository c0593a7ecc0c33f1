package dev.baton.server;

import static dev.baton.server.SagaApiTest.assertProblem;
import static dev.baton.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.engine.SagaId;
import dev.baton.engine.spi.SagaRecord;
import dev.baton.jdbi.JdbiSagaStore;
import dev.baton.kafka.common.KafkaOptions;
import dev.baton.kafka.common.LoopHealth;
import dev.baton.kafka.dev.junit.KafkaBrokerExtension;
import dev.baton.server.api.Json;
import dev.baton.server.ops.Health;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** /metrics, the health endpoints, the OpenAPI document and the 500 path, against the shared real server. */
@ExtendWith({KafkaBrokerExtension.class, ServerExtension.class})
class OperationsTest {
    private static TestServer s;

    @BeforeAll
    static void server(TestServer server) {
        s = server;
    }

    @Test
    @DisplayName("/metrics: Prometheus text with Baton's meters (baton_sagas_started_total after a start), JVM and pool meters")
    void metrics() {
        String id = s.start("demo-order", "{\"orderId\":\"m-" + UUID.randomUUID() + "\",\"amountCents\":100}", null);
        await().atMost(Duration.ofSeconds(60)).until(() -> s.status(id), "COMPLETED"::equals);
        HttpResponse<String> r = s.get("/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
        assertThat(r.body())
                .containsPattern("baton_sagas_started_total\\{type=\"demo-order\"} [1-9]")
                .containsPattern("baton_sagas_ended_total\\{outcome=\"COMPLETED\",type=\"demo-order\"} [1-9]")
                .contains("baton_step_duration_seconds_count{", "baton_saga_duration_seconds_count{")
                .contains("baton_outbox_pending ", "baton_timers_due ", "baton_sagas_active{")
                .contains("jvm_memory_used_bytes{", "jvm_gc_", "jvm_threads_live_threads ", "process_uptime_seconds ",
                        "system_cpu_count ")
                .contains("hikaricp_connections_active{pool=\"baton-store\"}");
    }

    @Test
    @DisplayName("/health/live and /health/ready answer 200 with what was checked")
    void health() {
        HttpResponse<String> live = s.get("/health/live");
        assertThat(live.statusCode()).isEqualTo(200);
        assertThat(json(live).get("status").asText()).isEqualTo("UP");
        HttpResponse<String> ready = s.get("/health/ready");
        assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
        JsonNode body = json(ready);
        assertThat(body.get("status").asText()).isEqualTo("UP");
        assertThat(body.get("checks").get("database").get("status").asText()).isEqualTo("UP");
        assertThat(body.get("checks").get("kafka").get("status").asText()).isEqualTo("UP");
    }

    @Test
    @DisplayName("readiness reports DOWN, naming the check and why, when the database is closed and Kafka does not answer")
    void notReady() {
        JdbiSagaStore store = JdbiSagaStore.h2InMemory("health-" + UUID.randomUUID());
        store.close();
        try (Health health = new Health(store, KafkaOptions.defaults("127.0.0.1:1"))) {
            Health.Report r = health.ready();
            assertThat(r.up()).isFalse();
            assertThat(r.body().get("status")).isEqualTo("DOWN");
            assertThat(r.body().get("checks")).asString()
                    .contains("database={status=DOWN, detail=")
                    .contains("kafka={status=DOWN, detail=");
        }
    }

    @Test
    @DisplayName("readiness names a Kafka consumer loop silent for longer than the bound as DOWN, with its failures; a recent one is UP")
    void silentLoopNotReady() {
        Instant now = Instant.parse("2026-12-04T12:00:00Z");
        List<LoopHealth> loops = List.of(
                new LoopHealth("baton-kafka-replies", now.minusSeconds(41), 6, 1, "TimeoutException: no answer"),
                new LoopHealth("baton-kafka-starts", now.minusSeconds(2), 0, 0, null));
        try (JdbiSagaStore store = JdbiSagaStore.h2InMemory("health-" + UUID.randomUUID());
             Health health = new Health(store, KafkaOptions.defaults("127.0.0.1:1"), () -> loops, Duration.ofSeconds(30),
                     Clock.fixed(now, ZoneOffset.UTC))) {
            Health.Report r = health.ready();
            assertThat(r.up()).isFalse();
            assertThat(r.body().get("checks")).asString()
                    .contains("baton-kafka-replies={status=DOWN, detail=no successful poll for 41 s (bound 30000 ms); 6"
                            + " failure(s) in a row, the last: TimeoutException: no answer, lastSuccessfulPoll="
                            + "2026-12-04T11:59:19Z, restarts=1}")
                    .contains("baton-kafka-starts={status=UP, lastSuccessfulPoll=2026-12-04T11:59:58Z, restarts=0}");
        }
    }

    @Test
    @DisplayName("an unexpected failure is a 500 problem with an error id and no stack trace (here: a stored row whose data no longer decodes)")
    void unexpected() {
        String good = s.start("test-ops", "{\"mode\":\"ok\",\"amount\":1}", null);
        SagaRecord r = s.server.store().find(SagaId.of(good)).orElseThrow();
        SagaId broken = SagaId.of("broken-" + UUID.randomUUID());
        s.server.store().inTransaction(tx -> {
            tx.insert(new SagaRecord(broken, r.type(), r.definitionVersion(), r.status(), null, r.currentStep(), null,
                    r.dataType(), "{\"amount\": \"not a number\"", r.execution(), null, 1, r.createdAt(), r.updatedAt()));
            return null;
        });
        HttpResponse<String> resp = s.get("/api/sagas/" + broken);
        assertProblem(resp, 500, "internal-error", "error id");
        assertThat(resp.body()).doesNotContain("SagaCodecException", "JsonParseException", "at dev.baton");
    }

    @Test
    @DisplayName("the OpenAPI document is served as docs/openapi.json and names every route of the router")
    void openApi() throws IOException {
        HttpResponse<String> r = s.get("/api/openapi.json");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode served = json(r);
        JsonNode docs = Json.MAPPER.readTree(Files.readString(Path.of("../../docs/openapi.json")));
        assertThat(served).isEqualTo(docs);
        assertThat(served.get("openapi").asText()).isEqualTo("3.1.0");

        Set<String> documented = new HashSet<>();
        for (Iterator<String> paths = served.get("paths").fieldNames(); paths.hasNext(); ) {
            String path = paths.next();
            for (Iterator<String> methods = served.get("paths").get(path).fieldNames(); methods.hasNext(); ) {
                documented.add(methods.next().toUpperCase(Locale.ROOT) + " " + path);
            }
        }
        assertThat(s.server.routes()).hasSizeGreaterThanOrEqualTo(15);
        assertThat(documented).containsExactlyInAnyOrderElementsOf(s.server.routes());
    }
}
