package dev.baton.server;

import static dev.baton.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.kafka.dev.EmbeddedKafkaBroker;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /health/ready} follows the broker: DOWN, naming the engine's consumer loops, once they have not polled for
 * longer than {@code baton.health.max-poll-silence-ms}; UP again once the broker is back on its data directory. The
 * server runs on a broker of its own, since this test stops it.
 */
class ReadinessOutageTest {
    private static final long BOUND_MS = 3000;

    @Test
    @DisplayName("the broker stops: ready turns DOWN naming the reply and start loops; it restarts: ready is UP again")
    void readinessFollowsTheBroker(@TempDir Path dir) throws Exception {
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().dataDirectory(dir).build().start();
        int port = broker.port();
        try (TestServer s = TestServer.start(broker, Map.of("BATON_HEALTH_MAX_POLL_SILENCE_MS", Long.toString(BOUND_MS)))) {
            await("ready while the broker runs").atMost(Duration.ofSeconds(30))
                    .until(() -> s.get("/health/ready").statusCode() == 200);
            JsonNode up = json(s.get("/health/ready")).get("checks");
            assertThat(up.get("baton-kafka-replies").get("status").asText()).isEqualTo("UP");
            assertThat(up.get("baton-kafka-starts").get("status").asText()).isEqualTo("UP");

            broker.close();
            await("the loops reported DOWN").atMost(Duration.ofSeconds(60))
                    .until(() -> loopsDown(json(s.get("/health/ready")).get("checks")));
            HttpResponse<String> down = s.get("/health/ready");
            assertThat(down.statusCode()).isEqualTo(503);
            JsonNode replies = json(down).get("checks").get("baton-kafka-replies");
            assertThat(replies.get("detail").asText()).startsWith("no successful poll for ")
                    .contains("(bound " + BOUND_MS + " ms)");
            assertThat(s.get("/metrics").body()).contains("baton_kafka_loop_poll_silence_seconds{loop=\"baton-kafka-replies\"}")
                    .contains("baton_kafka_loop_restarts_total{loop=\"baton-kafka-starts\"}");

            broker = EmbeddedKafkaBroker.builder().dataDirectory(dir).port(port).build().start();
            await("ready again once the broker is back").atMost(Duration.ofSeconds(90))
                    .until(() -> s.get("/health/ready").statusCode() == 200);
            JsonNode again = json(s.get("/health/ready")).get("checks");
            assertThat(again.get("baton-kafka-replies").get("status").asText()).isEqualTo("UP");
            assertThat(again.get("baton-kafka-starts").get("status").asText()).isEqualTo("UP");
        } finally {
            broker.close();
        }
    }

    private static boolean loopsDown(JsonNode checks) {
        return checks.has("baton-kafka-replies") && checks.has("baton-kafka-starts")
                && checks.get("baton-kafka-replies").get("status").asText().equals("DOWN")
                && checks.get("baton-kafka-starts").get("status").asText().equals("DOWN");
    }
}
