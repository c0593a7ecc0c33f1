package dev.baton.testkit;

import static dev.baton.testkit.example.OrderSaga.DEFINITION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.engine.SagaId;
import dev.baton.testkit.example.OrderSaga.CreateOrder;
import dev.baton.testkit.example.OrderSaga.OrderData;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The invariant checker itself must be able to fail. */
class InvariantCheckTest {

    @Test
    @DisplayName("a saga left RUNNING with nothing more to happen is reported")
    void stuckSagaIsAViolation() {
        try (SagaTestKit kit = SagaTestKit.with(DEFINITION)) {
            SagaId id = kit.start(DEFINITION, OrderData.of("o-1", 1));
            kit.expectCommand(CreateOrder.class); // taken, never answered, and the clock never moves
            assertThat(kit.invariantViolations()).singleElement().asString()
                    .contains(id.value()).contains("still RUNNING");
            assertThatThrownBy(kit::assertInvariants).isInstanceOf(AssertionError.class)
                    .hasMessageContaining("1 saga invariant(s) violated");
        }
    }
}
