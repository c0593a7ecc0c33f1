package dev.baton.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.baton.dsl.Saga;
import dev.baton.dsl.SagaDefinition;
import dev.baton.engine.InvalidSagaDataException;
import dev.baton.engine.SagaCodecException;
import dev.baton.engine.SagaEngine;
import dev.baton.testkit.example.OrderSaga;
import dev.baton.testkit.example.OrderSaga.OrderData;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The engine's checks of start data through the Java API: declared validations, strict JSON, valid business keys. */
class StartDataTest {
    static final SagaDefinition<OrderData> CHECKED = Saga.define("checked-order", OrderData.class)
            .validate(d -> d.orderId() == null ? "orderId is required" : null)
            .validate(d -> d.amountCents() > 0 ? null : "amountCents must be positive")
            .step("create")
                .invoke(OrderSaga.ORDERS, d -> new OrderSaga.CreateOrder(d.orderId(), d.customerId()))
                .compensate(OrderSaga.ORDERS, d -> new OrderSaga.CancelOrder(d.orderId()))
            .build();

    static final SagaDefinition<OrderData> THROWING = Saga.define("throwing-order", OrderData.class)
            .validate(d -> d.orderId().isBlank() ? "orderId is blank" : null)
            .step("create")
                .invoke(OrderSaga.ORDERS, d -> new OrderSaga.CreateOrder(d.orderId(), d.customerId()))
                .compensate(OrderSaga.ORDERS, d -> new OrderSaga.CancelOrder(d.orderId()))
            .build();

    @Test
    @DisplayName("data that fails the definition's validations is refused with all their messages; nothing is stored")
    void typedStartRefused() {
        try (SagaTestKit kit = SagaTestKit.with(CHECKED)) {
            SagaEngine engine = kit.engine();
            InvalidSagaDataException e = catchThrowableOfType(InvalidSagaDataException.class,
                    () -> engine.start(CHECKED, new OrderData(null, "c", 0, null, null), "k-1"));
            assertThat(e.sagaType()).isEqualTo("checked-order");
            assertThat(e.problems()).containsExactly("orderId is required", "amountCents must be positive");
            assertThat(e).hasMessage("saga 'checked-order' refuses its data: orderId is required; amountCents must be"
                    + " positive");
            assertThat(kit.statuses().values().stream().mapToLong(Long::longValue).sum()).isZero();
            assertThat(kit.sent()).isEmpty();
            assertThat(engine.start(CHECKED, OrderData.of("o-1", 5), "k-1").created()).isTrue();
        }
    }

    @Test
    @DisplayName("a start by type name decodes strictly, then validates: both refusals are SagaCodecExceptions naming the field")
    void jsonStartRefused() {
        try (SagaTestKit kit = SagaTestKit.with(CHECKED)) {
            SagaEngine engine = kit.engine();
            SagaCodecException coerced = catchThrowableOfType(SagaCodecException.class,
                    () -> engine.start("checked-order", "{\"orderId\":\"o\",\"amountCents\":\"4900\"}", null));
            assertThat(coerced.field()).hasValue("amountCents");
            assertThat(coerced.problem()).isEqualTo("must be a whole number, but was the string \"4900\"");
            assertThatThrownBy(() -> engine.start("checked-order", "{\"orderId\":\"o\",\"amountCents\":5,\"x\":1}", null))
                    .isInstanceOf(SagaCodecException.class).hasMessage("cannot read a OrderData from JSON: x is not a field of this data; known fields: [amountCents,"
                            + " customerId, orderId, paymentId, reservationId]");
            assertThatThrownBy(() -> engine.start("checked-order", "{}", null))
                    .isInstanceOf(InvalidSagaDataException.class).hasMessageContaining("orderId is required");
            assertThat(kit.statuses().values().stream().mapToLong(Long::longValue).sum()).isZero();
        }
    }

    @Test
    @DisplayName("a validation that throws refuses the start with the throwable as the cause")
    void throwingValidation() {
        try (SagaTestKit kit = SagaTestKit.with(THROWING)) {
            InvalidSagaDataException e = catchThrowableOfType(InvalidSagaDataException.class,
                    () -> kit.engine().start(THROWING, new OrderData(null, "c", 1, null, null)));
            assertThat(e.problems()).containsExactly("the data could not be checked: a validation of the saga failed on it"
                    + " instead of answering");
            assertThat(e).rootCause().isInstanceOf(NullPointerException.class);
        }
    }

    @Test
    @DisplayName("a business key with a lone surrogate is refused; a proper pair is a valid key")
    void businessKeyUnicode() {
        try (SagaTestKit kit = SagaTestKit.with(CHECKED)) {
            assertThatThrownBy(() -> kit.engine().start(CHECKED, OrderData.of("o-1", 5), "k\uD800"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("valid Unicode");
            assertThatThrownBy(() -> kit.engine().start(CHECKED, OrderData.of("o-1", 5), "\uDE00k"))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(kit.engine().start(CHECKED, OrderData.of("o-1", 5), "k-\uD83D\uDE00").created()).isTrue();
        }
    }
}
