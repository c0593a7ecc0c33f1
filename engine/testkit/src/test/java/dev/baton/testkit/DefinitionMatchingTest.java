package dev.baton.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.dsl.Participant;
import dev.baton.dsl.Saga;
import dev.baton.dsl.SagaDefinition;
import dev.baton.engine.SagaDefinitionMismatchException;
import dev.baton.engine.SagaEngine;
import dev.baton.engine.SagaId;
import dev.baton.engine.SagaView;
import dev.baton.jackson.JacksonCodec;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** start() matches a definition by type and version, not by instance; views hand the data out typed. */
class DefinitionMatchingTest {
    record Data(String id) {}
    record Other(String id) {}
    record Ping(String id) {}

    private static SagaDefinition<Data> definition(int version) {
        return Saga.define("matching", Data.class).version(version)
                .step("ping").invoke(Participant.named("p", Ping.class), d -> new Ping(d.id())).noCompensation()
                .build();
    }

    @Test
    @DisplayName("an equal definition built again starts sagas on the registered one; an unregistered version is refused by name")
    void matchedByTypeAndVersion() {
        SagaDefinition<Data> registered = definition(1);
        try (SagaEngine engine = SagaEngine.builder().store(new InMemorySagaStore()).transport(new InMemoryTransport())
                .codec(new JacksonCodec()).register(registered).build()) {
            SagaDefinition<Data> rebuilt = definition(1);
            assertThat(rebuilt).isNotSameAs(registered);
            SagaId id = engine.start(rebuilt, new Data("d-1")).id();
            SagaView view = engine.find(id).orElseThrow();
            assertThat(view.definitionVersion()).isEqualTo(1);
            assertThat(view.data(registered).id()).isEqualTo("d-1");
            assertThat(view.data(Data.class)).isEqualTo(new Data("d-1"));
            assertThatThrownBy(() -> view.data(Other.class)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(Data.class.getName()).hasMessageContaining(Other.class.getName());

            assertThatThrownBy(() -> engine.start(definition(2), new Data("d-2")))
                    .isInstanceOf(SagaDefinitionMismatchException.class).hasMessageContaining("matching")
                    .hasMessageContaining("2");
        }
    }
}
