package dev.baton.sample.orderflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.dsl.MessageType;
import dev.baton.dsl.StepDefinition;
import dev.baton.sample.orderflow.OrderFlowSaga.OrderData;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The order saga's validations of its start data, and the message classes it declares. */
class OrderFlowSagaTest {

    @Test
    @DisplayName("an order needs ids, a sku and a quantity; the reservation and the delivery promise come later")
    void validations() {
        assertThat(OrderFlowSaga.ORDER_FLOW.problemsWith(new OrderData("o-1", "c-1", "sku-1", 2, 1_000))).isEmpty();
        assertThat(OrderFlowSaga.ORDER_FLOW.problemsWith(new OrderData(null, " ", null, 0, -1, "r-1", "tomorrow")))
                .containsExactly("orderId is required", "customerId is required", "sku is required",
                        "quantity must be at least 1, but was 0", "amountCents must not be negative, but was -1",
                        "reservationId is set by the inventory's reply; leave it out",
                        "deliveryPromise is set by the logistics' estimate; leave it out");
    }

    @Test
    @DisplayName("a gift card skips the delivery estimate and the shipment; the estimate falls back to standard delivery")
    void digitalItemsAndTheEstimatesFallback() {
        StepDefinition<OrderData> estimate = OrderFlowSaga.ORDER_FLOW.step("estimate-delivery").orElseThrow();
        StepDefinition<OrderData> ship = OrderFlowSaga.ORDER_FLOW.step("ship-order").orElseThrow();
        OrderData card = new OrderData("o-1", "c-1", "gift-card", 1, 2_500);
        OrderData tee = new OrderData("o-2", "c-1", "tee", 1, 1_900);
        assertThat(List.of(estimate.runsFor(card), ship.runsFor(card), estimate.runsFor(tee), ship.runsFor(tee)))
                .containsExactly(false, false, true, true);
        assertThat(estimate.fallback(tee).deliveryPromise()).isEqualTo(OrderFlowSaga.STANDARD_DELIVERY);
        assertThat(ship.hasFallback()).isFalse();
    }

    @Test
    @DisplayName("every step declares its command's and compensation's class, so the server can publish their schemas")
    void declaredMessageTypes() {
        assertThat(OrderFlowSaga.ORDER_FLOW.steps()).extracting(s -> s.commandType().map(MessageType.Names::of).orElse(null))
                .containsExactly("CreateOrder", "ScreenOrder", "ReserveStock", "EstimateDelivery", "AuthorizePayment",
                        "ShipOrder");
        assertThat(OrderFlowSaga.ORDER_FLOW.steps()).extracting(s -> s.compensationType().map(MessageType.Names::of).orElse(null))
                .containsExactly("CancelOrder", null, "ReleaseStock", null, null, null);
        assertThat(OrderFlowSaga.ORDER_FLOW.steps()).extracting(s -> s.group().orElse(null))
                .containsExactly(null, "checks", "checks", "checks", null, null);
        StepDefinition<OrderData> reserve = OrderFlowSaga.ORDER_FLOW.step("reserve-stock").orElseThrow();
        assertThat(reserve.replyTypes()).containsOnlyKeys("StockReserved");
    }
}
