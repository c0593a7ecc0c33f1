package dev.baton.server;

import static dev.baton.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.kafka.dev.EmbeddedKafkaBroker;
import dev.baton.kafka.dev.junit.KafkaBrokerExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * History payloads and redaction over the real server: a demo order's history shows the commands sent and the replies
 * received, and a server told to redact fields never answers with their values, in the saga's data or in the history.
 */
@ExtendWith(KafkaBrokerExtension.class)
class RedactionServerTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    private static JsonNode tree(String json) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<JsonNode> withPayload(TestServer s, String id) {
        List<JsonNode> out = new ArrayList<>();
        json(s.get("/api/sagas/" + id + "/history")).get("items").forEach(e -> {
            if (!e.get("payload").isNull()) {
                out.add(e);
            }
        });
        return out;
    }

    private static JsonNode entry(List<JsonNode> entries, String kind, String step) {
        return entries.stream().filter(e -> e.get("kind").asText().equals(kind) && e.get("step").asText().equals(step))
                .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " of " + step + " with a payload in " + entries));
    }

    @Test
    @DisplayName("the history shows the messages; with baton.api.redact-fields their fields and the data's read [redacted]")
    void historyPayloadsRedacted(EmbeddedKafkaBroker broker) throws Exception {
        String orderId = "o-" + UUID.randomUUID();
        try (TestServer plain = TestServer.start(broker, Map.of())) {
            String id = plain.start("demo-order", "{\"orderId\":\"" + orderId + "\",\"amountCents\":4217}", orderId);
            await().atMost(WAIT).until(() -> plain.status(id), "COMPLETED"::equals);
            List<JsonNode> entries = withPayload(plain, id);
            assertThat(entry(entries, "COMMAND_SENT", "charge-card").get("payload"))
                    .isEqualTo(tree("{\"orderId\":\"" + orderId + "\",\"amountCents\":4217}"));
            assertThat(entry(entries, "REPLY_RECEIVED", "reserve-stock").get("payload").get("reservationId").asText())
                    .isEqualTo("r-" + orderId);
        }

        Map<String, String> redacting = Map.of("BATON_API_REDACT_FIELDS", "AmountCents, reservationId");
        try (TestServer s = TestServer.start(broker, redacting)) {
            String other = "o-" + UUID.randomUUID();
            String id = s.start("demo-order", "{\"orderId\":\"" + other + "\",\"amountCents\":4217}", other);
            await().atMost(WAIT).until(() -> s.status(id), "COMPLETED"::equals);

            String detail = s.get("/api/sagas/" + id).body();
            String history = s.get("/api/sagas/" + id + "/history").body();
            for (String body : List.of(detail, history)) {
                assertThat(body).doesNotContain("4217").doesNotContain("r-" + other);
            }
            JsonNode data = json(s.get("/api/sagas/" + id)).get("data");
            assertThat(data.get("orderId").asText()).isEqualTo(other);
            assertThat(data.get("amountCents").asText()).isEqualTo("[redacted]");
            assertThat(data.get("reservationId").asText()).isEqualTo("[redacted]");
            List<JsonNode> entries = withPayload(s, id);
            assertThat(entry(entries, "COMMAND_SENT", "charge-card").get("payload"))
                    .isEqualTo(tree("{\"orderId\":\"" + other + "\",\"amountCents\":\"[redacted]\"}"));
            assertThat(entry(entries, "REPLY_RECEIVED", "reserve-stock").get("payload"))
                    .isEqualTo(tree("{\"reservationId\":\"[redacted]\"}"));
            assertThat(entry(entries, "COMMAND_SENT", "place-order")
                    .get("payload").get("orderId").asText()).as("fields not named are shown").isEqualTo(other);
        }
    }

    @Test
    @DisplayName("a redacted field given as a path is a configuration error that names the key and the fix")
    void pathRefused() {
        Map<String, String> env = Map.of("BATON_KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092",
                "BATON_API_REDACT_FIELDS", "card.number");
        assertThatThrownBy(() -> ServerConfig.load(null, env::get, env, Map.of()))
                .isInstanceOfSatisfying(ServerConfig.InvalidConfigException.class, e -> assertThat(e.problems())
                        .containsExactly("baton.api.redact-fields: redacted field 'card.number' is not a field name"
                                + " (letters, digits, _, - or $); name the field itself, which is masked at any depth"));
    }
}
