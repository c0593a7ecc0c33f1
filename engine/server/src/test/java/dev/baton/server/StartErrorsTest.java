package dev.baton.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.dsl.Participant;
import dev.baton.dsl.Saga;
import dev.baton.dsl.SagaDefinition;
import dev.baton.engine.SagaStoreException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A start that fails says what failed: the engine's definitions, the database or Kafka, not always "Kafka". */
class StartErrorsTest {
    record Data(String id) {}
    record Ping(String id) {}

    private static SagaDefinition<Data> pinging(String participant) {
        return Saga.define("clash", Data.class).version(1)
                .step("ping").invoke(Participant.named(participant, Ping.class), d -> new Ping(d.id())).noCompensation()
                .build();
    }

    @Test
    @DisplayName("two different definitions of one type and version: the start names the definitions, not Kafka")
    void clashingDefinitions(@TempDir Path dir) {
        Map<String, String> env = Map.of("BATON_DATA_DIR", dir.toString(), "BATON_KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1",
                "BATON_HTTP_PORT", "0", "BATON_HTTP_HOST", "127.0.0.1");
        ServerConfig config = ServerConfig.load(null, env::get, env, Map.of());
        assertThatThrownBy(() -> BatonServer.start(config, List.of(pinging("a"), pinging("b"))))
                .isInstanceOf(BatonServer.StartException.class)
                .hasMessageStartingWith("the saga engine cannot be built from the saga definitions and settings: ")
                .hasMessageContaining("'clash' v1 is registered twice")
                .hasMessageNotContaining("Kafka");
    }

    @Test
    @DisplayName("a failure while the engine opens is the database's when a store error is among its causes, else Kafka's")
    void openFailureNamesTheCulprit() {
        RuntimeException db = new IllegalStateException("outbox sweep failed",
                new SagaStoreException("leaseOutbox failed", new java.sql.SQLException("connection refused")));
        assertThat(BatonServer.openFailure(db, "Kafka at baton.kafka.bootstrap-servers=k:9092", "baton.db.url=jdbc:x"))
                .hasMessageStartingWith("the database at baton.db.url=jdbc:x failed while the engine opened: ")
                .hasMessageContaining("connection refused");
        RuntimeException kafka = new IllegalStateException("Kafka did not answer within 30 s while creating topics [t]");
        assertThat(BatonServer.openFailure(kafka, "Kafka at baton.kafka.bootstrap-servers=k:9092", "baton.db.url=jdbc:x"))
                .hasMessage("Kafka at baton.kafka.bootstrap-servers=k:9092 is not usable: Kafka did not answer within 30 s"
                        + " while creating topics [t]");
    }
}
