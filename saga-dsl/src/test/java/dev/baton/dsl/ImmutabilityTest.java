package dev.baton.dsl;

import static dev.baton.dsl.Orders.INVENTORY;
import static dev.baton.dsl.Orders.ORDER;
import static dev.baton.dsl.Orders.ORDERS;
import static dev.baton.dsl.Orders.PAYMENT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.baton.dsl.Orders.AuthorizePayment;
import dev.baton.dsl.Orders.CancelOrder;
import dev.baton.dsl.Orders.CreateOrder;
import dev.baton.dsl.Orders.ItemsReserved;
import dev.baton.dsl.Orders.OrderData;
import dev.baton.dsl.Orders.ReserveItems;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Builders are values: a partial chain can be shared and branched; built definitions cannot be changed. */
class ImmutabilityTest {

    private static final SagaBuilder<OrderData> BASE = Saga.define("order-flow", OrderData.class);

    private static StepBuilder<OrderData> sharedFirstStep() {
        return BASE.step("create-order").invoke(ORDERS, d -> new CreateOrder(d.orderId(), d.customerId()))
                .compensate(ORDERS, d -> new CancelOrder(d.orderId()));
    }

    @Test
    void aPartialStepChainCanBeBranchedIntoTwoIndependentSagas() {
        StepBuilder<OrderData> shared = sharedFirstStep();

        SagaDefinition<OrderData> a = shared.timeout(Duration.ofSeconds(5))
                .onReply(ItemsReserved.class, (d, r) -> d.withReservation(r.reservationId()))
                .step("authorize-payment").invoke(PAYMENT, d -> new AuthorizePayment(d.orderId(), d.amountCents())).pivot()
                .build();
        SagaDefinition<OrderData> b = shared.compensationRetry(Retry.fixed(2, Duration.ofSeconds(1)))
                .step("reserve-inventory").invoke(INVENTORY, d -> new ReserveItems(d.orderId())).noCompensation()
                .step("check-credit").invoke(PAYMENT, d -> new AuthorizePayment(d.orderId(), 0)).noCompensation()
                .build();
        SagaDefinition<OrderData> sharedAlone = shared.build();

        assertThat(a.steps()).extracting(StepDefinition::key).containsExactly("create-order", "authorize-payment");
        assertThat(b.steps()).extracting(StepDefinition::key).containsExactly("create-order", "reserve-inventory", "check-credit");
        assertThat(sharedAlone.steps()).extracting(StepDefinition::key).containsExactly("create-order");

        StepDefinition<OrderData> inA = a.firstStep();
        StepDefinition<OrderData> inB = b.firstStep();
        StepDefinition<OrderData> inShared = sharedAlone.firstStep();
        assertThat(inA.timeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(inB.timeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(inShared.timeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(inA.replyTypes()).containsOnlyKeys("ItemsReserved");
        assertThat(inB.replyTypes()).isEmpty();
        assertThat(inShared.replyTypes()).isEmpty();
        assertThat(inA.compensationRetry()).isEqualTo(inShared.compensationRetry());
        assertThat(inB.compensationRetry()).isEqualTo(Retry.fixed(2, Duration.ofSeconds(1)));
        assertThat(a.pivotIndex()).hasValue(1);
        assertThat(b.pivotIndex()).isEmpty();
    }

    @Test
    void aProblemInOneBranchDoesNotLeakIntoAnother() {
        StepBuilder<OrderData> shared = sharedFirstStep().timeout(Duration.ofSeconds(5));

        StepBuilder<OrderData> broken = shared.timeout(Duration.ofSeconds(6));     // timeout set twice
        assertThatThrownBy(broken::build).isInstanceOf(InvalidSagaDefinitionException.class)
                .hasMessageContaining("timeout was set twice");

        StepBuilder<OrderData> pivoted = shared.pivot();                            // a compensated pivot
        assertThatThrownBy(pivoted::build).isInstanceOf(InvalidSagaDefinitionException.class)
                .hasMessageContaining("is the pivot");

        SagaDefinition<OrderData> def = shared.build();
        assertThat(def.firstStep().timeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(def.firstStep().kind()).isEqualTo(StepKind.COMPENSATABLE);
    }

    @Test
    void aSagaBuilderCanBeBranched() {
        SagaBuilder<OrderData> v2 = BASE.version(2).defaultTimeout(Duration.ofSeconds(3));

        SagaDefinition<OrderData> fromBase = BASE.step("a").invoke(ORDERS, d -> new CancelOrder(d.orderId())).noCompensation().build();
        SagaDefinition<OrderData> fromV2 = v2.step("a").invoke(ORDERS, d -> new CancelOrder(d.orderId())).noCompensation().build();

        assertThat(fromBase.version()).isEqualTo(1);
        assertThat(fromBase.firstStep().timeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(fromV2.version()).isEqualTo(2);
        assertThat(fromV2.firstStep().timeout()).isEqualTo(Duration.ofSeconds(3));
        // setting the version on the base again is not "set twice": the v2 branch did not change the base
        assertThat(BASE.version(5).step("a").invoke(ORDERS, d -> new CancelOrder(d.orderId())).noCompensation().build()
                .version()).isEqualTo(5);
    }

    @Test
    void addingAStepToABranchDoesNotAddItToTheOther() {
        StepBuilder<OrderData> shared = sharedFirstStep();
        StepStart<OrderData> left = shared.step("left");
        StepStart<OrderData> right = shared.step("right");

        SagaDefinition<OrderData> l = left.invoke(ORDERS, d -> new CancelOrder("l")).noCompensation().build();
        SagaDefinition<OrderData> r = right.invoke(ORDERS, d -> new CancelOrder("r")).noCompensation().build();

        assertThat(l.steps()).extracting(StepDefinition::key).containsExactly("create-order", "left");
        assertThat(r.steps()).extracting(StepDefinition::key).containsExactly("create-order", "right");
        assertThat(l.steps().get(1).command(Orders.NEW_ORDER)).isEqualTo(new CancelOrder("l"));
        assertThat(r.steps().get(1).command(Orders.NEW_ORDER)).isEqualTo(new CancelOrder("r"));
    }

    @Test
    void buildingTwiceGivesEqualButSeparateDefinitions() {
        StepBuilder<OrderData> chain = sharedFirstStep();
        SagaDefinition<OrderData> first = chain.build();
        SagaDefinition<OrderData> second = chain.build();

        assertThat(second).isNotSameAs(first);
        assertThat(second.steps()).extracting(StepDefinition::key, StepDefinition::kind, StepDefinition::timeout)
                .isEqualTo(first.steps().stream().map(s -> tuple(s.key(), s.kind(), s.timeout()))
                        .toList());
    }

    @Test
    void builtDefinitionsCannotBeChanged() {
        assertThatThrownBy(() -> ORDER.steps().clear()).isInstanceOf(UnsupportedOperationException.class);
        StepDefinition<OrderData> reserve = ORDER.step("reserve-inventory").orElseThrow();
        Map<String, Class<?>> replies = reserve.replyTypes();
        assertThatThrownBy(() -> replies.put("Other", String.class)).isInstanceOf(UnsupportedOperationException.class);
        assertThat(reserve.replyTypes()).containsOnlyKeys("ItemsReserved");
    }
}
