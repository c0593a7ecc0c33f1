package dev.baton.server;

import static dev.baton.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.jdbi.PostgresDatabase;
import dev.baton.kafka.dev.junit.KafkaBrokerExtension;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The server with {@code baton.db.url} pointing at PostgreSQL, end to end: sagas started over REST run through the
 * participants to their end, and what the API answers is what the PostgreSQL tables hold.
 */
@OnPostgres
@ExtendWith({KafkaBrokerExtension.class, ServerExtension.class})
class ServerOnPostgresTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static TestServer s;
    private static PostgresDatabase db;

    @BeforeAll
    static void server(TestServer server) {
        s = server;
        db = server.postgres;
    }

    private static String uniq() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    @DisplayName("the store is the PostgreSQL database: the schema is migrated there and readiness checks it")
    void storeIsPostgres() {
        assertThat(db).isNotNull();
        assertThat(s.server.config().get(ServerConfig.DB_URL)).startsWith("jdbc:postgresql://").isEqualTo(db.jdbcUrl());
        assertThat(db.rows("SELECT version FROM baton_schema_history WHERE success ORDER BY installed_rank"))
                .startsWith("1", "2", "3");

        HttpResponse<String> ready = s.get("/health/ready");
        assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
        assertThat(json(ready).get("checks").get("database").get("status").asText()).isEqualTo("UP");
        assertThat(s.get("/metrics").body()).contains("hikaricp_connections_active{pool=\"baton-store\"}");
    }

    @Test
    @DisplayName("a saga started over REST completes; its row, history and step timeline come from PostgreSQL")
    void sagaThroughToCompleted() {
        String orderId = "pg-" + uniq();
        String id = s.start("demo-order", "{\"orderId\":\"" + orderId + "\",\"amountCents\":700}", orderId);
        await("saga " + id + " completes").atMost(WAIT).until(() -> s.status(id), "COMPLETED"::equals);

        assertThat(db.rows("SELECT type, status, business_key FROM baton_saga WHERE id = '" + id + "'"))
                .containsExactly("demo-order|COMPLETED|" + orderId);
        // 700 is divisible by 7: the demo payment service is busy once, the saga parks and resumes
        JsonNode history = json(s.get("/api/sagas/" + id + "/history")).get("items");
        List<String> kinds = new ArrayList<>();
        history.forEach(h -> kinds.add(h.get("kind").asText()));
        assertThat(kinds).contains("STARTED", "PARKED", "RESUMED", "COMPLETED");
        assertThat(db.rows("SELECT kind FROM baton_history WHERE saga_id = '" + id + "' ORDER BY seq")).isEqualTo(kinds);
        assertThat(json(s.get("/api/sagas/" + id)).get("completedSteps")).extracting(JsonNode::asText)
                .containsExactly("place-order", "reserve-stock", "charge-card", "ship-order");
        assertThat(db.rows("SELECT count(*) FROM baton_timer WHERE saga_id = '" + id + "'")).containsExactly("0");
        await("outbox of " + id + " acknowledged").atMost(WAIT)
                .until(() -> db.rows("SELECT count(*) FROM baton_outbox WHERE saga_id = '" + id + "'"), List.of("0")::equals);
    }

    @Test
    @DisplayName("list filters, the business key lookup and stats agree with counts taken in PostgreSQL")
    void queriesAgreeWithTheTables() {
        String key = "pgq-" + uniq();
        String declined = s.start("demo-order", "{\"orderId\":\"" + key + "-d\",\"amountCents\":100001}", key + "-d");
        String parked = s.start("test-ops", "{\"mode\":\"park\",\"amount\":1}", key + "-p");
        await().atMost(WAIT).until(() -> s.status(declined), "COMPENSATED"::equals);
        await().atMost(WAIT).until(() -> s.status(parked), "PENDING"::equals);

        assertThat(ids("/api/sagas?businessKey=" + key + "-d")).containsExactly(declined);
        assertThat(ids("/api/sagas?type=demo-order&status=COMPENSATED&limit=1000")).contains(declined).doesNotContain(parked);
        assertThat(ids("/api/sagas?status=PENDING&pendingState=WAITING&limit=1000")).contains(parked);
        // parked sagas (this test's and others') re-send now and then, RUNNING until their next busy answer: the API
        // and the table agree when read at a moment no saga flips between the two reads
        await("the API's PENDING list agrees with the table").atMost(WAIT).until(() -> {
            List<String> api = ids("/api/sagas?status=PENDING&pendingState=WAITING&limit=1000");
            List<String> table = db.rows("SELECT id FROM baton_saga WHERE status = 'PENDING' AND pending_state = 'WAITING'");
            return new java.util.HashSet<>(api).equals(new java.util.HashSet<>(table));
        });

        java.time.Instant countedBy = java.time.Instant.now();
        JsonNode stats = await("stats read after the sagas were listed").atMost(Duration.ofSeconds(10))
                .until(() -> json(s.get("/api/stats")), j -> !java.time.Instant.parse(j.get("asOf").asText()).isBefore(countedBy));
        assertThat(stats.get("total").asLong()).isEqualTo(Long.parseLong(db.rows("SELECT count(*) FROM baton_saga").getFirst()));
        assertThat(stats.get("byType").get("demo-order").get("total").asLong())
                .isEqualTo(Long.parseLong(db.rows("SELECT count(*) FROM baton_saga WHERE type = 'demo-order'").getFirst()));
    }

    private static List<String> ids(String path) {
        HttpResponse<String> r = s.get(path);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        List<String> out = new ArrayList<>();
        json(r).get("items").forEach(n -> out.add(n.get("id").asText()));
        return out;
    }
}
