package dev.baton.dsl;

import static dev.baton.dsl.Orders.INVENTORY;
import static dev.baton.dsl.Orders.LOGISTICS;
import static dev.baton.dsl.Orders.NEW_ORDER;
import static dev.baton.dsl.Orders.ORDER;
import static dev.baton.dsl.Orders.ORDERS;
import static dev.baton.dsl.Orders.PAYMENT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.dsl.Orders.AuthorizePayment;
import dev.baton.dsl.Orders.CancelOrder;
import dev.baton.dsl.Orders.CreateOrder;
import dev.baton.dsl.Orders.ItemsReserved;
import dev.baton.dsl.Orders.OrderData;
import dev.baton.dsl.Orders.PaymentAuthorized;
import dev.baton.dsl.Orders.ReleaseItems;
import dev.baton.dsl.Orders.ReserveItems;
import dev.baton.dsl.Orders.ScheduleShipment;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** The valid order saga of ARCHITECTURE.md section 3: what build() produces and the documented defaults. */
class OrderSagaTest {

    private static StepDefinition<OrderData> step(String key) {
        return ORDER.step(key).orElseThrow();
    }

    @Test
    void buildsFourStepsInDeclarationOrderWithKindsDerivedFromThePivot() {
        assertThat(ORDER.steps()).extracting(StepDefinition::key)
                .containsExactly("create-order", "reserve-inventory", "authorize-payment", "schedule-shipment");
        assertThat(ORDER.steps()).extracting(StepDefinition::index).containsExactly(0, 1, 2, 3);
        assertThat(ORDER.steps()).extracting(StepDefinition::kind)
                .containsExactly(StepKind.COMPENSATABLE, StepKind.COMPENSATABLE, StepKind.PIVOT, StepKind.RETRIABLE);
        assertThat(ORDER.pivotIndex()).isEqualTo(OptionalInt.of(2));
    }

    @Test
    void sagaLevelDefaults() {
        assertThat(ORDER.type()).isEqualTo("order-flow");
        assertThat(ORDER.version()).isEqualTo(1);
        assertThat(ORDER.dataType()).isEqualTo(OrderData.class);
        assertThat(ORDER.dataTypeName()).isEqualTo("order-flow.data");
        assertThat(ORDER).hasToString("SagaDefinition[order-flow v1, 4 steps]");
    }

    @Test
    void sagaLevelSettingsOverrideTheDefaults() {
        SagaDefinition<OrderData> def = Saga.define("order-flow", OrderData.class)
                .version(3).dataTypeName("order/v3").defaultTimeout(Duration.ofSeconds(7))
                .step("create-order").invoke(ORDERS, d -> new CreateOrder(d.orderId(), d.customerId())).noCompensation()
                .step("reserve-inventory").invoke(INVENTORY, d -> new ReserveItems(d.orderId()))
                        .timeout(Duration.ofSeconds(2)).noCompensation()
                .build();

        assertThat(def.version()).isEqualTo(3);
        assertThat(def.dataTypeName()).isEqualTo("order/v3");
        assertThat(def.steps()).extracting(StepDefinition::timeout)
                .containsExactly(Duration.ofSeconds(7), Duration.ofSeconds(2));
        assertThat(def.longestTimeout()).isEqualTo(Duration.ofSeconds(7));
    }

    @Test
    void stepTimeoutDefaultsTo30SecondsUnlessSet() {
        assertThat(ORDER.steps()).extracting(StepDefinition::timeout).containsExactly(
                Duration.ofSeconds(30), Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofSeconds(30));
        assertThat(ORDER.longestTimeout()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void retryDefaultsToPatientResendsBeforeThePivotAndKeepsWhatWasSet() {
        Retry patient = Retry.exponential(5, Duration.ofSeconds(1), Duration.ofSeconds(30));
        assertThat(step("create-order").retry()).isEqualTo(patient);
        assertThat(step("reserve-inventory").retry())
                .isEqualTo(new Retry.Exponential(3, Duration.ofMillis(200), Duration.ofSeconds(20)));
        assertThat(step("authorize-payment").retry()).isEqualTo(patient);
        assertThat(step("schedule-shipment").retry()).isEqualTo(Orders.SHIPMENT_RETRY);
    }

    @Test
    void compensationRetryDefaultsTo8AttemptsDoublingFrom1SecondUpTo5Minutes() {
        Retry expected = Retry.exponential(8, Duration.ofSeconds(1), Duration.ofMinutes(5));
        assertThat(ORDER.steps()).extracting(StepDefinition::compensationRetry).containsOnly(expected);
    }

    @Test
    void compensationRetryCanBeSetPerStep() {
        Retry custom = Retry.fixed(2, Duration.ofSeconds(3));
        SagaDefinition<OrderData> def = Saga.define("order-flow", OrderData.class)
                .step("create-order").invoke(ORDERS, d -> new CreateOrder(d.orderId(), d.customerId()))
                        .compensate(ORDERS, d -> new CancelOrder(d.orderId())).compensationRetry(custom)
                .build();
        assertThat(def.firstStep().compensationRetry()).isEqualTo(custom);
    }

    @Test
    void onlyThePivotParks() {
        assertThat(step("authorize-payment").park()).contains(
                new Park("PENDING_PAYMENT", Duration.ofSeconds(10), Duration.ofMinutes(30)));
        assertThat(step("create-order").park()).isEmpty();
        assertThat(step("reserve-inventory").park()).isEmpty();
        assertThat(step("schedule-shipment").park()).isEmpty();
    }

    @Test
    void participantsAndCompensationsBelongToTheirSteps() {
        assertThat(ORDER.steps()).extracting(StepDefinition::participant)
                .containsExactly(ORDERS, INVENTORY, PAYMENT, LOGISTICS);
        assertThat(ORDER.steps()).extracting(StepDefinition::hasCompensation).containsExactly(true, true, false, false);
        assertThat(step("create-order").compensationParticipant()).contains(ORDERS);
        assertThat(step("reserve-inventory").compensationParticipant()).contains(INVENTORY);
        assertThat(step("authorize-payment").compensationParticipant()).isEmpty();
    }

    @Test
    void commandBuildsTheStepsCommandFromTheData() {
        assertThat(step("create-order").command(NEW_ORDER)).isEqualTo(new CreateOrder("o-1", "c-7"));
        assertThat(step("reserve-inventory").command(NEW_ORDER)).isEqualTo(new ReserveItems("o-1"));
        assertThat(step("authorize-payment").command(NEW_ORDER)).isEqualTo(new AuthorizePayment("o-1", 4_200));
        assertThat(step("schedule-shipment").command(NEW_ORDER)).isEqualTo(new ScheduleShipment("o-1"));
    }

    @Test
    void compensationCommandBuildsTheUndoCommandFromTheData() {
        OrderData reserved = NEW_ORDER.withReservation("r-9");
        assertThat(step("create-order").compensationCommand(reserved)).isEqualTo(new CancelOrder("o-1"));
        assertThat(step("reserve-inventory").compensationCommand(reserved)).isEqualTo(new ReleaseItems("r-9"));
    }

    @Test
    void compensationCommandOfAStepWithoutCompensationNamesTheStep() {
        assertThatThrownBy(() -> step("authorize-payment").compensationCommand(NEW_ORDER))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("step 'authorize-payment' has no compensation");
    }

    @Test
    void onReplyFoldsTheReplyIntoTheData() {
        OrderData after = step("reserve-inventory").applyReply(NEW_ORDER, new ItemsReserved("r-9"));

        assertThat(after).isEqualTo(new OrderData("o-1", "c-7", 4_200, "r-9", null));
        assertThat(NEW_ORDER.reservationId()).as("the input data is not touched").isNull();
    }

    @Test
    void replyTypesAreListedByWireName() {
        assertThat(step("reserve-inventory").replyTypes()).isEqualTo(Map.of("ItemsReserved", ItemsReserved.class));
        assertThat(step("authorize-payment").replyTypes()).isEqualTo(Map.of("PaymentAuthorized", PaymentAuthorized.class));
        assertThat(step("create-order").replyTypes()).isEmpty();
    }

    @Test
    void applyReplyWithAnUnregisteredReplyTypeLeavesTheDataUnchanged() {
        StepDefinition<OrderData> reserve = step("reserve-inventory");

        assertThat(reserve.applyReply(NEW_ORDER, new PaymentAuthorized("p-1"))).isSameAs(NEW_ORDER);
        assertThat(reserve.applyReply(NEW_ORDER, "a string")).isSameAs(NEW_ORDER);
        assertThat(reserve.applyReply(NEW_ORDER, null)).isSameAs(NEW_ORDER);
        assertThat(step("create-order").applyReply(NEW_ORDER, new ItemsReserved("r-9"))).isSameAs(NEW_ORDER);
    }

    /** Another class whose simple name, and so whose wire name, is also "ItemsReserved". */
    static final class Impostor {
        record ItemsReserved(String reservationId) {}
    }

    @Test
    void applyReplyWithAnotherClassOfTheSameWireNameLeavesTheDataUnchanged() {
        Object impostor = new Impostor.ItemsReserved("r-evil");
        assertThat(MessageType.Names.of(impostor.getClass())).isEqualTo("ItemsReserved");

        assertThat(step("reserve-inventory").applyReply(NEW_ORDER, impostor)).isSameAs(NEW_ORDER);
    }

    @Test
    void aNullCommandOrNullDataFromUserCodeNamesTheStep() {
        SagaDefinition<OrderData> def = Saga.define("order-flow", OrderData.class)
                .step("create-order").invoke(ORDERS, d -> null)
                        .onReply(ItemsReserved.class, (d, r) -> null)
                        .compensate(ORDERS, d -> null)
                .build();
        StepDefinition<OrderData> s = def.firstStep();

        assertThatThrownBy(() -> s.command(NEW_ORDER))
                .isInstanceOf(NullPointerException.class).hasMessage("step 'create-order' built a null command");
        assertThatThrownBy(() -> s.compensationCommand(NEW_ORDER))
                .isInstanceOf(NullPointerException.class).hasMessage("step 'create-order' built a null compensation");
        assertThatThrownBy(() -> s.applyReply(NEW_ORDER, new ItemsReserved("r")))
                .isInstanceOf(NullPointerException.class).hasMessage("onReply of step 'create-order' returned null data");
    }

    @Test
    void navigatesStepsByKeyAndOrder() {
        assertThat(ORDER.firstStep().key()).isEqualTo("create-order");
        assertThat(ORDER.next(step("reserve-inventory"))).contains(step("authorize-payment"));
        assertThat(ORDER.next(step("schedule-shipment"))).isEmpty();
        assertThat(ORDER.step("no-such-step")).isEmpty();
        assertThat(step("authorize-payment")).hasToString("Step[authorize-payment, PIVOT, payment]");
    }

    @Test
    void castAcceptsTheDataTypeAndNamesTheSagaOtherwise() {
        Object data = NEW_ORDER;
        assertThat(ORDER.cast(data)).isSameAs(NEW_ORDER);
        assertThatThrownBy(() -> ORDER.cast("not an order"))
                .isInstanceOf(ClassCastException.class)
                .hasMessage("saga 'order-flow' takes data of type " + OrderData.class.getName() + ", not java.lang.String");
        assertThatThrownBy(() -> ORDER.cast(null)).hasMessageEndingWith(", not null");
    }

    @Test
    void aSagaWithoutPivotIsAllCompensatable() {
        SagaDefinition<OrderData> def = Saga.define("order-flow", OrderData.class)
                .step("create-order").invoke(ORDERS, d -> new CreateOrder(d.orderId(), d.customerId()))
                        .compensate(ORDERS, d -> new CancelOrder(d.orderId()))
                .step("check-stock").invoke(INVENTORY, d -> new ReserveItems(d.orderId())).noCompensation()
                .build();

        assertThat(def.steps()).extracting(StepDefinition::kind).containsOnly(StepKind.COMPENSATABLE);
        assertThat(def.pivotIndex()).isEmpty();
        assertThat(def.steps().get(1).hasCompensation()).isFalse();
    }
}
