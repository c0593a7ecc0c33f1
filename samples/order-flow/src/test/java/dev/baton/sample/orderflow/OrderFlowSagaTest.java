package dev.baton.sample.orderflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.sample.orderflow.OrderFlowSaga.OrderData;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The order saga's validations of its start data. */
class OrderFlowSagaTest {

    @Test
    @DisplayName("an order needs ids, a sku and a quantity; the reservation comes later")
    void validations() {
        assertThat(OrderFlowSaga.ORDER_FLOW.problemsWith(new OrderData("o-1", "c-1", "sku-1", 2, 1_000, null))).isEmpty();
        assertThat(OrderFlowSaga.ORDER_FLOW.problemsWith(new OrderData(null, " ", null, 0, -1, "r-1"))).containsExactly(
                "orderId is required", "customerId is required", "sku is required", "quantity must be at least 1, but was 0",
                "amountCents must not be negative, but was -1", "reservationId is set by the inventory's reply; leave it out");
    }
}
