package dev.baton.server;

import static dev.baton.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.kafka.dev.EmbeddedKafkaBroker;
import dev.baton.kafka.dev.junit.KafkaBrokerExtension;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Circuit breakers end to end: a server of its own with a tight breaker on test-ask. Two busy answers do not open it
 * (busy is flow control's business; the breakers' own tests show timeouts opening them); once it is open, as for a
 * participant that is down, a saga that test-ask would serve waits without a command, and /api/stats and /metrics
 * show the open breaker.
 */
@ExtendWith(KafkaBrokerExtension.class)
class BreakerServerTest {

    private static JsonNode breakers(TestServer s) {
        return json(s.get("/api/stats")).get("breakers");
    }

    @Test
    @DisplayName("busy answers leave test-ask's breaker closed; open, it holds a new saga back, and /api/stats and /metrics show it")
    void openBreakerVisible(EmbeddedKafkaBroker broker) throws Exception {
        Map<String, String> tight = Map.of(
                "BATON_BREAKER_TEST_ASK_MINIMUM_CALLS", "2",
                "BATON_BREAKER_TEST_ASK_WINDOW", "2",
                "BATON_BREAKER_TEST_ASK_WAIT_OPEN", "PT1H");
        try (TestServer s = TestServer.start(broker, tight)) {
            assertThat(s.server.breakers().settings("test-ask").minimumCalls()).isEqualTo(2);
            JsonNode before = breakers(s);
            assertThat(before.fieldNames()).toIterable()
                    .contains("test-ask", "test-decide", "test-finish", "demo-payment");
            assertThat(before.get("test-ask").get("state").asText()).isEqualTo("CLOSED");
            assertThat(s.get("/metrics").body()).contains("baton_breaker_state{participant=\"test-ask\"} 0.0");

            // two busy answers (the participant parks them) are not failures: the breaker stays closed
            String a = s.start("test-ops", "{\"mode\":\"park\",\"amount\":1}", null);
            String b = s.start("test-ops", "{\"mode\":\"park\",\"amount\":2}", null);
            await().atMost(Duration.ofSeconds(60)).until(() -> "PENDING".equals(s.status(a)) && "PENDING".equals(s.status(b)));
            assertThat(breakers(s).get("test-ask").get("state").asText()).isEqualTo("CLOSED");
            // the participant is down (its commands time out after an hour here): the breaker opens
            s.server.breakers().breaker("test-ask").transitionToOpenState();
            await().atMost(Duration.ofSeconds(60)).until(() -> breakers(s).get("test-ask").get("state").asText(), "OPEN"::equals);

            // a saga test-ask would answer at once is held back: it parks, not fails, and no command goes out
            String c = s.start("test-ops", "{\"mode\":\"ok\",\"amount\":3}", null);
            JsonNode saga = json(s.get("/api/sagas/" + c));
            assertThat(saga.get("status").asText()).isEqualTo("PENDING");
            assertThat(saga.get("pendingState").asText()).isEqualTo("WAITING");
            // held back: behind the two parked sagas in test-ask's line, which the open breaker does not release
            assertThat(saga.get("reason").asText()).contains("participant test-ask");
            assertThat(json(s.get("/api/sagas/" + c + "/history")).findValuesAsText("kind")).contains("NOT_SENT")
                    .doesNotContain("COMMAND_SENT");

            JsonNode ask = breakers(s).get("test-ask");
            assertThat(ask.get("state").asText()).isEqualTo("OPEN");
            assertThat(ask.get("notPermittedCalls").asLong()).as("releases of the line the breaker refused").isPositive();
            assertThat(breakers(s).get("test-decide").get("state").asText()).isEqualTo("CLOSED");
            assertThat(s.get("/metrics").body())
                    .contains("baton_breaker_state{participant=\"test-ask\"} 1.0")
                    .contains("baton_breaker_state{participant=\"test-decide\"} 0.0")
                    .contains("baton_breaker_transitions_total{participant=\"test-ask\",to=\"open\"} 1.0")
                    .contains("baton_breaker_not_permitted_total{participant=\"test-ask\"} ");
        }
    }

    @Test
    @DisplayName("a participant whose handler throws opens its breaker: the pivot's sagas compensate, a first step with"
            + " whenBusy parks, a declined payment does not count, and a saga that finds the breaker open waits unsent"
            + " until it closes, then completes")
    void hardFailingParticipantOpensBreaker(EmbeddedKafkaBroker broker) throws Exception {
        Map<String, String> tight = Map.of(
                "BATON_BREAKER_TEST_DECIDE_MINIMUM_CALLS", "3",
                "BATON_BREAKER_TEST_DECIDE_WINDOW", "3",
                "BATON_BREAKER_TEST_DECIDE_WAIT_OPEN", "PT1H");
        try (TestServer s = TestServer.start(broker, tight)) {
            // a business refusal is a working service: it counts as a good call
            String declined = s.start("test-ops", "{\"mode\":\"decline\",\"amount\":1}", null);
            await().atMost(Duration.ofSeconds(60)).until(() -> "COMPENSATED".equals(s.status(declined)));
            assertThat(breakers(s).get("test-decide").get("state").asText()).isEqualTo("CLOSED");

            // the pivot's handler throws: no retry policy, so each saga compensates its first step, with the reason
            String a = s.start("test-ops", "{\"mode\":\"throw\",\"amount\":2}", null);
            String b = s.start("test-ops", "{\"mode\":\"throw\",\"amount\":3}", null);
            await().atMost(Duration.ofSeconds(60)).until(() -> "COMPENSATED".equals(s.status(a))
                    && "COMPENSATED".equals(s.status(b)));
            JsonNode failedSaga = json(s.get("/api/sagas/" + a));
            assertThat(failedSaga.get("reason").asText()).contains("step 'decide'").contains("error: ")
                    .contains("IllegalStateException");
            // three calls in the window, two errors: over the 50 % threshold
            await().atMost(Duration.ofSeconds(30)).until(() -> breakers(s).get("test-decide").get("state").asText(),
                    "OPEN"::equals);
            assertThat(breakers(s).get("test-ask").get("state").asText()).as("the other participants are fine")
                    .isEqualTo("CLOSED");

            // the open breaker holds the next saga's pivot command back: nothing is sent to test-decide
            String c = s.start("test-ops", "{\"mode\":\"ok\",\"amount\":5}", null);
            await().atMost(Duration.ofSeconds(60)).until(() -> json(s.get("/api/sagas/" + c + "/history"))
                    .findValuesAsText("kind").contains("NOT_SENT"));
            assertThat(s.status(c)).isEqualTo("RUNNING");
            assertThat(breakers(s).get("test-decide").get("notPermittedCalls").asLong()).isPositive();

            // the participant is fixed (as an operator would close the breaker after a deploy): the saga goes on
            s.server.breakers().breaker("test-decide").transitionToClosedState();
            await().atMost(Duration.ofSeconds(60)).until(() -> "COMPLETED".equals(s.status(c)));
            assertThat(s.get("/metrics").body())
                    .contains("baton_breaker_transitions_total{participant=\"test-decide\",to=\"open\"} 1.0");

            // a first step whose handler throws parks, as its whenBusy says, instead of cancelling the saga
            String parked = s.start("test-ops", "{\"mode\":\"throw-ask\",\"amount\":4}", null);
            await().atMost(Duration.ofSeconds(60)).until(() -> "PENDING".equals(s.status(parked)));
            assertThat(json(s.get("/api/sagas/" + parked)).get("reason").asText()).startsWith("error: ");
        }
    }
}
