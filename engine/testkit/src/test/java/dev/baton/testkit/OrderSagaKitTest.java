package dev.baton.testkit;

import static dev.baton.testkit.example.OrderSaga.DEFINITION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.testkit.example.OrderSaga.AuthorizePayment;
import dev.baton.testkit.example.OrderSaga.CancelOrder;
import dev.baton.testkit.example.OrderSaga.CreateOrder;
import dev.baton.testkit.example.OrderSaga.ItemsReserved;
import dev.baton.testkit.example.OrderSaga.OrderData;
import dev.baton.testkit.example.OrderSaga.PaymentAuthorized;
import dev.baton.testkit.example.OrderSaga.ReleaseItems;
import dev.baton.testkit.example.OrderSaga.ReserveItems;
import dev.baton.testkit.example.OrderSaga.ScheduleShipment;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The test kit driven by hand, on the four-step order saga. */
class OrderSagaKitTest {
    private final SagaTestKit kit = SagaTestKit.with(DEFINITION);

    @AfterEach
    void close() {
        kit.close();
    }

    @Test
    @DisplayName("a happy path answered step by step")
    void happyPath() {
        SagaId id = kit.start(DEFINITION, OrderData.of("o-1", 2500));
        kit.expectCommand(CreateOrder.class).replySuccess();
        kit.expectCommand(ReserveItems.class).replySuccess(new ItemsReserved("r-9"));
        SentCommand<AuthorizePayment> pay = kit.expectCommand(AuthorizePayment.class);
        assertThat(pay.command().amountCents()).isEqualTo(2500);
        pay.replySuccess(new PaymentAuthorized("p-7"));
        SentCommand<ScheduleShipment> ship = kit.expectCommand(ScheduleShipment.class);
        assertThat(ship.command().paymentId()).isEqualTo("p-7");
        ship.replySuccess();

        assertThat(kit.status(id)).isEqualTo(SagaStatus.COMPLETED);
        assertThat(kit.data(id, OrderData.class).reservationId()).isEqualTo("r-9");
        assertThat(kit.saga(id).completedSteps())
                .containsExactly("create-order", "reserve-inventory", "authorize-payment", "schedule-shipment");
        kit.expectNoCommand();
        kit.assertInvariants();
    }

    @Test
    @DisplayName("a declined payment compensates inventory, then the order, and ends COMPENSATED")
    void paymentFailureCompensatesInReverse() {
        SagaId id = kit.start(DEFINITION, OrderData.of("o-2", 990));
        kit.expectCommand(CreateOrder.class).replySuccess();
        kit.expectCommand(ReserveItems.class).replySuccess(new ItemsReserved("r-2"));
        kit.expectCommand(AuthorizePayment.class).replyFailure("card declined");

        SentCommand<ReleaseItems> release = kit.expectCommand(ReleaseItems.class);
        assertThat(release.isCompensation()).isTrue();
        assertThat(release.command().reservationId()).isEqualTo("r-2");
        kit.expectNoCommand(); // the order is cancelled only after the inventory is released
        release.replySuccess();
        kit.expectCommand(CancelOrder.class).replySuccess();

        assertThat(kit.status(id)).isEqualTo(SagaStatus.COMPENSATED);
        assertThat(kit.saga(id).reason()).contains("authorize-payment").contains("card declined");
        assertThat(kit.compensatedSteps(id)).containsExactly("reserve-inventory", "create-order");
        kit.assertInvariants();
    }

    @Test
    @DisplayName("a busy payment parks the saga in PENDING_PAYMENT; after the first pause (200-250 ms) flow control re-sends it and it completes")
    void busyPaymentParksThenCompletes() {
        SagaId id = kit.start(DEFINITION, OrderData.of("o-3", 100));
        kit.expectCommand(CreateOrder.class).replySuccess();
        kit.expectCommand(ReserveItems.class).replySuccess(new ItemsReserved("r-3"));
        SentCommand<AuthorizePayment> first = kit.expectCommand(AuthorizePayment.class);
        first.replyBusy("promotion traffic");

        assertThat(kit.status(id)).isEqualTo(SagaStatus.PENDING);
        assertThat(kit.saga(id).pendingState()).isEqualTo("PENDING_PAYMENT");
        kit.advance(Duration.ofMillis(199)); // the first pause is 250 ms, shortened by up to 20 % per saga and attempt
        kit.expectNoCommand();

        kit.advance(Duration.ofMillis(51));
        SentCommand<AuthorizePayment> again = kit.expectCommand(AuthorizePayment.class);
        assertThat(again.messageId()).as("a re-send carries the same idempotency key").isEqualTo(first.messageId());
        assertThat(again.attempt()).isEqualTo(2);
        assertThat(kit.status(id)).isEqualTo(SagaStatus.RUNNING);
        again.replySuccess(new PaymentAuthorized("p-3"));
        kit.expectCommand(ScheduleShipment.class).replySuccess();

        assertThat(kit.status(id)).isEqualTo(SagaStatus.COMPLETED);
        kit.assertInvariants();
    }

    @Test
    @DisplayName("a payment busy for longer than the give-up deadline compensates")
    void busyTooLongCompensates() {
        SagaId id = kit.start(DEFINITION, OrderData.of("o-4", 100));
        kit.when(CreateOrder.class, c -> Answer.success())
                .when(ReserveItems.class, c -> Answer.success(new ItemsReserved("r-4")))
                .when(AuthorizePayment.class, c -> Answer.busy("overloaded"))
                .when(ReleaseItems.class, c -> Answer.success())
                .when(CancelOrder.class, c -> Answer.success());
        kit.settle();

        assertThat(kit.status(id)).isEqualTo(SagaStatus.COMPENSATED);
        assertThat(kit.saga(id).reason()).contains("PENDING_PAYMENT");
        assertThat(kit.clock().instant()).isAfterOrEqualTo(kit.saga(id).createdAt().plus(Duration.ofMinutes(30)));
        assertThat(kit.compensatedSteps(id)).containsExactly("reserve-inventory", "create-order");
        kit.assertInvariants();
    }

    @Test
    @DisplayName("silence from inventory: re-sent with the same key, then compensated including the silent step itself")
    void silentInventoryTimesOut() {
        SagaId id = kit.start(DEFINITION, OrderData.of("o-5", 100));
        kit.expectCommand(CreateOrder.class).replySuccess();
        SentCommand<ReserveItems> first = kit.expectCommand(ReserveItems.class);
        kit.advance(Duration.ofSeconds(5)); // timeout
        kit.advance(Duration.ofMillis(500)); // backoff
        SentCommand<ReserveItems> second = kit.expectCommand(ReserveItems.class);
        assertThat(second.messageId()).isEqualTo(first.messageId());
        kit.advance(Duration.ofSeconds(5)); // second timeout
        kit.advance(Duration.ofMillis(500)); // backoff
        assertThat(kit.expectCommand(ReserveItems.class).attempt()).isEqualTo(3);
        kit.advance(Duration.ofSeconds(5)); // third attempt times out: the step may have taken effect unseen

        assertThat(kit.status(id)).isEqualTo(SagaStatus.COMPENSATING);
        SentCommand<ReleaseItems> release = kit.expectCommand(ReleaseItems.class);
        release.replySuccess();
        kit.expectCommand(CancelOrder.class).replySuccess();
        assertThat(kit.status(id)).isEqualTo(SagaStatus.COMPENSATED);
        kit.assertInvariants();
    }

    @Test
    @DisplayName("expectCommand names what is outstanding when the expected command is not there")
    void expectCommandExplains() {
        kit.start(DEFINITION, OrderData.of("o-6", 100));
        assertThatThrownBy(() -> kit.expectCommand(AuthorizePayment.class))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("AuthorizePayment")
                .hasMessageContaining("CreateOrder (step create-order)");
    }

    @Test
    @DisplayName("starting twice with the same business key gives one saga")
    void idempotentStart() {
        SagaId a = kit.start(DEFINITION, OrderData.of("o-7", 100), "order-7");
        SagaId b = kit.start(DEFINITION, OrderData.of("o-7", 100), "order-7");
        assertThat(b).isEqualTo(a);
        kit.expectCommand(CreateOrder.class);
        kit.expectNoCommand();
    }
}
