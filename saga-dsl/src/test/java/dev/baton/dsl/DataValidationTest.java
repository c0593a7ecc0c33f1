package dev.baton.dsl;

import static dev.baton.dsl.Orders.NEW_ORDER;
import static dev.baton.dsl.Orders.ORDERS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.baton.dsl.Orders.CancelOrder;
import dev.baton.dsl.Orders.CreateOrder;
import dev.baton.dsl.Orders.OrderData;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@link SagaBuilder#validate}: declared with the definition, checked at build(), run on start data. */
class DataValidationTest {

    private static SagaBuilder<OrderData> checkout() {
        return Saga.define("checkout", OrderData.class);
    }

    private static SagaDefinition<OrderData> withSteps(SagaBuilder<OrderData> b) {
        return b.step("create").invoke(ORDERS, d -> new CreateOrder(d.orderId(), d.customerId()))
                .compensate(ORDERS, d -> new CancelOrder(d.orderId()))
                .build();
    }

    @Test
    @DisplayName("no validation: every data passes")
    void none() {
        SagaDefinition<OrderData> d = withSteps(checkout());
        assertThat(d.validatesData()).isFalse();
        assertThat(d.problemsWith(new OrderData(null, null, 0, null, null))).isEmpty();
    }

    @Test
    @DisplayName("each validation that answers a message refuses the data; all messages come back in declaration order")
    void messages() {
        SagaDefinition<OrderData> d = withSteps(checkout()
                .validate(o -> o.orderId() == null ? "orderId is required" : null)
                .validate(o -> o.amountCents() > 0 ? null : "amountCents must be positive, but was " + o.amountCents())
                .validate(o -> "  "));
        assertThat(d.validatesData()).isTrue();
        assertThat(d.problemsWith(new OrderData(null, "c", 0, null, null)))
                .containsExactly("orderId is required", "amountCents must be positive, but was 0", "validation 3 refused the data");
        SagaDefinition<OrderData> twoRules = withSteps(checkout()
                .validate(o -> o.orderId() == null ? "orderId is required" : null)
                .validate(o -> o.amountCents() > 0 ? null : "amountCents must be positive"));
        assertThat(twoRules.problemsWith(NEW_ORDER)).isEmpty();
    }

    @Test
    @DisplayName("a validation that throws is reported as such, with what it threw as the cause")
    void throwing() {
        SagaDefinition<OrderData> d = withSteps(checkout().validate(o -> o.orderId().isBlank() ? "blank" : null));
        assertThatThrownBy(() -> d.problemsWith(new OrderData(null, null, 0, null, null)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("validation 1 of saga 'checkout' threw instead of answering; a validation must answer null or a"
                        + " message for any data")
                .hasCauseInstanceOf(NullPointerException.class);
    }

    @Test
    @DisplayName("validate(null) is a problem reported by build(), and builders stay immutable")
    void nullAndImmutability() {
        InvalidSagaDefinitionException e = catchThrowableOfType(InvalidSagaDefinitionException.class,
                () -> withSteps(checkout().validate(null)));
        assertThat(e.problems()).containsExactly("validate(...) was given null; give a function that answers null for valid"
                + " data and a message otherwise");
        SagaBuilder<OrderData> base = checkout();
        base.validate(o -> "never");
        assertThat(withSteps(base).validatesData()).isFalse();
    }
}
