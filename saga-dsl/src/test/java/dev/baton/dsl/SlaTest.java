package dev.baton.dsl;

import static dev.baton.dsl.Orders.INVENTORY;
import static dev.baton.dsl.Orders.ORDER;
import static dev.baton.dsl.Orders.ORDERS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.baton.dsl.Orders.CancelOrder;
import dev.baton.dsl.Orders.CreateOrder;
import dev.baton.dsl.Orders.OrderData;
import dev.baton.dsl.Orders.ReleaseItems;
import dev.baton.dsl.Orders.ReserveItems;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Service-level targets on a step and on the saga: measured, never enforced, so the DSL only carries and checks them. */
class SlaTest {

    private static SagaBuilder<OrderData> checkout() {
        return Saga.define("checkout", OrderData.class);
    }

    private static StepBuilder<OrderData> createOrder(SagaBuilder<OrderData> saga) {
        return saga.step("create-order").invoke(ORDERS, d -> new CreateOrder(d.orderId(), d.customerId()))
                .compensate(ORDERS, d -> new CancelOrder(d.orderId()));
    }

    @Test
    void noSlaUnlessOneIsSet() {
        assertThat(ORDER.sla()).isEmpty();
        assertThat(ORDER.steps()).allSatisfy(s -> assertThat(s.sla()).isEmpty());
    }

    @Test
    void stepAndSagaCarryTheirTargets() {
        SagaDefinition<OrderData> def = createOrder(checkout().sla(Duration.ofSeconds(2)))
                .sla(Duration.ofMillis(200))
                .step("reserve-inventory").invoke(INVENTORY, d -> new ReserveItems(d.orderId()))
                        .compensate(INVENTORY, d -> new ReleaseItems(d.reservationId()))
                .build();

        assertThat(def.sla()).contains(Duration.ofSeconds(2));
        assertThat(def.step("create-order").orElseThrow().sla()).contains(Duration.ofMillis(200));
        assertThat(def.step("reserve-inventory").orElseThrow().sla()).isEqualTo(Optional.empty());
    }

    @Test
    void theOrderOfOptionsDoesNotMatter() {
        SagaDefinition<OrderData> slaFirst = checkout().step("create-order").invoke(ORDERS, d -> new CancelOrder("x"))
                .sla(Duration.ofMillis(50)).timeout(Duration.ofSeconds(1)).noCompensation().build();
        SagaDefinition<OrderData> slaLast = checkout().step("create-order").invoke(ORDERS, d -> new CancelOrder("x"))
                .noCompensation().timeout(Duration.ofSeconds(1)).sla(Duration.ofMillis(50)).build();
        assertThat(slaFirst.firstStep().sla()).isEqualTo(slaLast.firstStep().sla()).contains(Duration.ofMillis(50));
        assertThat(slaFirst.firstStep().timeout()).isEqualTo(slaLast.firstStep().timeout());
    }

    @Test
    void aZeroOrNegativeStepSlaIsReportedWithTheStepAndTheFix() {
        InvalidSagaDefinitionException e = catchThrowableOfType(InvalidSagaDefinitionException.class,
                () -> createOrder(checkout()).sla(Duration.ZERO)
                        .step("reserve-inventory").invoke(INVENTORY, d -> new ReserveItems(d.orderId()))
                                .noCompensation().sla(Duration.ofMillis(-5))
                        .build());
        assertThat(e.problems()).containsExactly(
                "step 'create-order' (steps[0]): sla must be positive, but was PT0S; give the target from command sent"
                        + " to reply, such as .sla(Duration.ofMillis(200)), or leave it out",
                "step 'reserve-inventory' (steps[1]): sla must be positive, but was PT-0.005S; give the target from"
                        + " command sent to reply, such as .sla(Duration.ofMillis(200)), or leave it out");
    }

    @Test
    void aStepSlaSetTwiceOrNullIsReported() {
        InvalidSagaDefinitionException e = catchThrowableOfType(InvalidSagaDefinitionException.class,
                () -> createOrder(checkout()).sla(Duration.ofMillis(100)).sla(Duration.ofMillis(200))
                        .step("reserve-inventory").invoke(INVENTORY, d -> new ReserveItems(d.orderId()))
                                .noCompensation().sla(null)
                        .build());
        assertThat(e.problems()).containsExactly(
                "step 'create-order' (steps[0]): sla was set twice (PT0.1S, then PT0.2S); set it once",
                "step 'reserve-inventory' (steps[1]): sla was null; give a positive duration (the target from command"
                        + " sent to reply), or leave it out for no step SLA");
    }

    @Test
    void aBadSagaSlaIsReportedWithTheFix() {
        InvalidSagaDefinitionException negative = catchThrowableOfType(InvalidSagaDefinitionException.class,
                () -> createOrder(checkout().sla(Duration.ofSeconds(-1))).build());
        assertThat(negative.problems()).containsExactly("sla must be positive, but was PT-1S; give the target from start"
                + " to end, such as .sla(Duration.ofSeconds(2)), or leave it out");

        InvalidSagaDefinitionException missing = catchThrowableOfType(InvalidSagaDefinitionException.class,
                () -> createOrder(checkout().sla(Duration.ofSeconds(1)).sla(null)).build());
        assertThat(missing.problems()).containsExactly("sla was null; give a positive duration (the target from start to"
                + " end), or leave it out for no saga SLA");
    }
}
