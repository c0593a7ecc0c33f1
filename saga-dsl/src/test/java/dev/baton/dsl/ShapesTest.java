package dev.baton.dsl;

import static dev.baton.dsl.Orders.INVENTORY;
import static dev.baton.dsl.Orders.LOGISTICS;
import static dev.baton.dsl.Orders.ORDERS;
import static dev.baton.dsl.Orders.PAYMENT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.baton.dsl.Orders.AuthorizePayment;
import dev.baton.dsl.Orders.CancelOrder;
import dev.baton.dsl.Orders.CreateOrder;
import dev.baton.dsl.Orders.OrderData;
import dev.baton.dsl.Orders.ReleaseItems;
import dev.baton.dsl.Orders.ReserveItems;
import dev.baton.dsl.Orders.ScheduleShipment;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Conditional steps ({@code when}) and fallbacks: what the DSL carries and what {@code build()} refuses. */
class ShapesTest {

    private static StepBuilder<OrderData> created() {
        return Saga.define("checkout", OrderData.class)
                .step("create-order").invoke(ORDERS, d -> new CreateOrder(d.orderId(), d.customerId()))
                .compensate(ORDERS, d -> new CancelOrder(d.orderId()));
    }

    @Test
    void aConditionAndAFallbackAreCarriedAndRun() {
        SagaDefinition<OrderData> def = created()
                .step("check-stock").invoke(INVENTORY, d -> new ReserveItems(d.orderId()))
                    .noCompensation().fallback(d -> d.withReservation("unchecked"))
                .step("pay").invoke(PAYMENT, d -> new AuthorizePayment(d.orderId(), d.amountCents())).pivot()
                .step("ship").invoke(LOGISTICS, d -> new ScheduleShipment(d.orderId()))
                    .when(d -> d.amountCents() > 0).retry(Retry.none()).fallback(d -> d)
                .build();
        StepDefinition<OrderData> check = def.step("check-stock").orElseThrow();
        StepDefinition<OrderData> ship = def.step("ship").orElseThrow();
        assertThat(check.hasFallback()).isTrue();
        assertThat(check.hasCondition()).isFalse();
        assertThat(check.runsFor(Orders.NEW_ORDER)).isTrue();
        assertThat(check.fallback(Orders.NEW_ORDER).reservationId()).isEqualTo("unchecked");
        assertThat(ship.hasCondition()).isTrue();
        assertThat(ship.runsFor(Orders.NEW_ORDER)).isTrue();
        assertThat(ship.runsFor(new OrderData("o-2", "c-1", 0, null, null))).isFalse();
        // after the pivot a step must eventually succeed, unless a fallback may stand in: then Retry.none() is fine
        assertThat(ship.retry().retries()).isFalse();
    }

    @Test
    void aStepWithoutShapesRunsAlwaysAndHasNoFallback() {
        StepDefinition<OrderData> first = Orders.ORDER.firstStep();
        assertThat(first.hasCondition()).isFalse();
        assertThat(first.runsFor(Orders.NEW_ORDER)).isTrue();
        assertThat(first.hasFallback()).isFalse();
        assertThat(catchThrowableOfType(IllegalStateException.class, () -> first.fallback(Orders.NEW_ORDER)))
                .hasMessageContaining("has no fallback");
    }

    @Test
    void misusesAreReportedAtBuildWithTheStepAndTheFix() {
        InvalidSagaDefinitionException e = catchThrowableOfType(InvalidSagaDefinitionException.class, () -> created()
                .when(null)
                .step("reserve").invoke(INVENTORY, d -> new ReserveItems(d.orderId()))
                    .compensate(INVENTORY, d -> new ReleaseItems(d.reservationId()))
                    .fallback(d -> d)
                    .when(d -> true).when(d -> false)
                .step("pay").invoke(PAYMENT, d -> new AuthorizePayment(d.orderId(), d.amountCents())).pivot()
                    .when(d -> true).fallback(d -> d).fallback(d -> d)
                .step("ship").invoke(LOGISTICS, d -> new ScheduleShipment(d.orderId()))
                    .retry(Retry.none()).fallback(null)
                .build());
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("step 'create-order' (steps[0]): when(...) was given null"))
                .anySatisfy(p -> assertThat(p).startsWith("step 'reserve' (steps[1]): has both compensate(...) and fallback(...)"))
                .anySatisfy(p -> assertThat(p).startsWith("step 'reserve' (steps[1]): when(...) was declared twice"))
                .anySatisfy(p -> assertThat(p).startsWith("step 'pay' (steps[2]): is the pivot, the point of no return"))
                .anySatisfy(p -> assertThat(p).startsWith("step 'pay' (steps[2]): is the pivot, whose answer decides"))
                .anySatisfy(p -> assertThat(p).startsWith("step 'pay' (steps[2]): fallback(...) was declared twice"))
                .anySatisfy(p -> assertThat(p).startsWith("step 'ship' (steps[3]): fallback(...) was given null"))
                .anySatisfy(p -> assertThat(p).startsWith("step 'ship' (steps[3]): comes after the pivot, so it must"
                        + " eventually succeed"));
    }

    @Test
    void aFallbackThatReturnsNullIsNamed() {
        SagaDefinition<OrderData> def = created()
                .step("check").invoke(INVENTORY, d -> new ReserveItems(d.orderId())).noCompensation().fallback(d -> null)
                .timeout(Duration.ofSeconds(1))
                .build();
        assertThat(catchThrowableOfType(NullPointerException.class, () -> def.step("check").orElseThrow()
                .fallback(Orders.NEW_ORDER))).hasMessageContaining("the fallback of step 'check' returned null data");
    }

    @Test
    void aParallelGroupKnowsItsBranchesAndWhatFollows() {
        SagaDefinition<OrderData> def = created()
                .step("check-fraud").invoke(INVENTORY, d -> new ReserveItems(d.orderId())).noCompensation()
                    .parallel("checks")
                .step("reserve").invoke(INVENTORY, d -> new ReserveItems(d.orderId()))
                    .compensate(INVENTORY, d -> new ReleaseItems(d.reservationId())).parallel("checks", "stock")
                .step("notify").invoke(INVENTORY, d -> new ReserveItems(d.orderId()))
                    .compensate(INVENTORY, d -> new ReleaseItems(d.reservationId())).parallel("checks", "stock")
                .step("pay").invoke(PAYMENT, d -> new AuthorizePayment(d.orderId(), d.amountCents())).pivot()
                .build();
        StepDefinition<OrderData> fraud = def.step("check-fraud").orElseThrow();
        StepDefinition<OrderData> reserve = def.step("reserve").orElseThrow();
        StepDefinition<OrderData> notify = def.step("notify").orElseThrow();
        assertThat(fraud.group()).contains("checks");
        assertThat(fraud.branch()).isEqualTo("check-fraud");
        assertThat(reserve.branch()).isEqualTo("stock");
        assertThat(def.firstStep().group()).isEmpty();
        assertThat(def.firstStep().branch()).isNull();
        assertThat(def.branchStarts(notify)).containsExactly(fraud, reserve);
        assertThat(def.nextInBranch(reserve)).contains(notify);
        assertThat(def.nextInBranch(notify)).isEmpty();
        assertThat(def.nextInBranch(fraud)).isEmpty();
        assertThat(def.afterGroup(fraud)).contains(def.step("pay").orElseThrow());
        assertThat(def.afterGroup(def.firstStep())).contains(fraud);
    }

    @Test
    void misusedGroupsAreReportedAtBuild() {
        InvalidSagaDefinitionException e = catchThrowableOfType(InvalidSagaDefinitionException.class, () -> created()
                .step("a").invoke(INVENTORY, d -> new ReserveItems(d.orderId())).noCompensation().parallel("solo")
                .step("b").invoke(INVENTORY, d -> new ReserveItems(d.orderId())).noCompensation().parallel("g", "x")
                .step("c").invoke(INVENTORY, d -> new ReserveItems(d.orderId())).noCompensation().parallel("g", "y")
                .step("d").invoke(INVENTORY, d -> new ReserveItems(d.orderId())).noCompensation().parallel("g", "x")
                .step("e").invoke(INVENTORY, d -> new ReserveItems(d.orderId())).noCompensation()
                .step("f").invoke(INVENTORY, d -> new ReserveItems(d.orderId())).noCompensation().parallel("g")
                .step("p").invoke(PAYMENT, d -> new AuthorizePayment(d.orderId(), d.amountCents())).pivot()
                    .parallel("pv").parallel("again")
                .step("q").invoke(PAYMENT, d -> new AuthorizePayment(d.orderId(), d.amountCents())).parallel("pv")
                    .retry(Retry.forever(Duration.ofSeconds(1), Duration.ofMinutes(1)))
                .build());
        assertThat(e.problems())
                .anySatisfy(p -> assertThat(p).startsWith("parallel group 'solo' (steps[1]): has one branch ('a')"))
                .anySatisfy(p -> assertThat(p).startsWith("step 'd' (steps[4]): branch 'x' of parallel group 'g'"))
                .anySatisfy(p -> assertThat(p).startsWith("parallel group 'g' (steps[6]): the group's steps must follow"))
                .anySatisfy(p -> assertThat(p).startsWith("step 'p' (steps[7]): is the pivot and a branch of parallel group 'pv'"))
                .anySatisfy(p -> assertThat(p).startsWith("step 'p' (steps[7]): parallel(...) was declared twice"));
    }
}
