package dev.baton.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.kafka.dev.EmbeddedKafkaBroker;
import dev.baton.kafka.dev.junit.KafkaBrokerExtension;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A server that has done nothing yet already exposes every documented meter, so alerts have series to watch. */
@ExtendWith(KafkaBrokerExtension.class)
class MetersAtStartTest {

    @Test
    @DisplayName("/metrics of a fresh server: message, re-send and dead-letter counters and each type's counters at zero")
    void metersExistBeforeAnyEvent(EmbeddedKafkaBroker broker) throws Exception {
        try (TestServer s = TestServer.start(broker, Map.of())) {
            String body = s.get("/metrics").body();
            assertThat(body)
                    .containsPattern("baton_messages_duplicate_total(\\{[^}]*})? 0\\.0")
                    .containsPattern("baton_messages_ignored_total(\\{[^}]*})? 0\\.0")
                    .containsPattern("baton_outbox_resent_total(\\{[^}]*})? 0\\.0")
                    .containsPattern("baton_messages_dead_total\\{topic=\"[^\"]*replies[^\"]*\"} 0\\.0")
                    .containsPattern("baton_messages_dead_total\\{topic=\"[^\"]*starts[^\"]*\"} 0\\.0")
                    .containsPattern("baton_sagas_failed_total\\{type=\"demo-order\"} 0\\.0");
        }
    }
}
