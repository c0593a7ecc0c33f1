package dev.baton.server.dev;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.server.dev.DemoSagas.DemoOrder;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The demo saga's validations of its start data. */
class DemoSagasValidationTest {

    @Test
    @DisplayName("a demo order needs an order id and a positive amount, and no reservation yet")
    void validations() {
        assertThat(DemoSagas.DEMO_ORDER.problemsWith(new DemoOrder("o-1", 4900, null))).isEmpty();
        assertThat(DemoSagas.DEMO_ORDER.problemsWith(new DemoOrder(null, 0, "r-1"))).containsExactly("orderId is required",
                "amountCents must be a positive number of cents, but was 0",
                "reservationId is set by the stock service's reply; leave it out");
    }
}
