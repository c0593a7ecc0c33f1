package dev.baton.micrometer;

import static dev.baton.testkit.example.OrderSaga.DEFINITION;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.testkit.Answer;
import dev.baton.testkit.SagaTestKit;
import dev.baton.testkit.SentCommand;
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

/** The order saga driven by hand through each path the metrics observe, with known virtual durations. */
final class OrderScenarios {
    static final String TYPE = DEFINITION.type();

    private OrderScenarios() {}

    /** Completes; each step is answered {@code stepTook} after its command was sent (4 steps). */
    static SagaId complete(SagaTestKit kit, String orderId, Duration stepTook) {
        SagaId id = kit.start(DEFINITION, OrderData.of(orderId, 100));
        SentCommand<CreateOrder> create = kit.expectCommand(CreateOrder.class);
        kit.advance(stepTook);
        create.replySuccess();
        SentCommand<ReserveItems> reserve = kit.expectCommand(ReserveItems.class);
        kit.advance(stepTook);
        reserve.replySuccess(new ItemsReserved("r-" + orderId));
        SentCommand<AuthorizePayment> pay = kit.expectCommand(AuthorizePayment.class);
        kit.advance(stepTook);
        pay.replySuccess(new PaymentAuthorized("p-" + orderId));
        SentCommand<ScheduleShipment> ship = kit.expectCommand(ScheduleShipment.class);
        kit.advance(stepTook);
        ship.replySuccess();
        assertThat(kit.status(id)).isEqualTo(SagaStatus.COMPLETED);
        return id;
    }

    /** Payment declined: inventory and order are compensated; two forward steps completed. */
    static SagaId compensate(SagaTestKit kit, String orderId) {
        SagaId id = kit.start(DEFINITION, OrderData.of(orderId, 100));
        kit.expectCommand(CreateOrder.class).replySuccess();
        kit.expectCommand(ReserveItems.class).replySuccess(new ItemsReserved("r-" + orderId));
        kit.expectCommand(AuthorizePayment.class).replyFailure("card declined");
        kit.expectCommand(ReleaseItems.class).replySuccess();
        kit.expectCommand(CancelOrder.class).replySuccess();
        assertThat(kit.status(id)).isEqualTo(SagaStatus.COMPENSATED);
        return id;
    }

    /** Payment busy once: parked in PENDING_PAYMENT, re-sent after the retry interval, then completes. */
    static SagaId parkThenComplete(SagaTestKit kit, String orderId) {
        SagaId id = kit.start(DEFINITION, OrderData.of(orderId, 100));
        kit.expectCommand(CreateOrder.class).replySuccess();
        kit.expectCommand(ReserveItems.class).replySuccess(new ItemsReserved("r-" + orderId));
        kit.expectCommand(AuthorizePayment.class).replyBusy("promotion traffic");
        assertThat(kit.status(id)).isEqualTo(SagaStatus.PENDING);
        kit.advance(Duration.ofSeconds(10));
        kit.expectCommand(AuthorizePayment.class).replySuccess(new PaymentAuthorized("p-" + orderId));
        kit.expectCommand(ScheduleShipment.class).replySuccess();
        assertThat(kit.status(id)).isEqualTo(SagaStatus.COMPLETED);
        return id;
    }

    /** The payment (the pivot) never answers: its outcome is unknown, so the saga fails for an operator. */
    static SagaId failAtPivot(SagaTestKit kit, String orderId) {
        SagaId id = kit.start(DEFINITION, OrderData.of(orderId, 100));
        kit.expectCommand(CreateOrder.class).replySuccess();
        kit.expectCommand(ReserveItems.class).replySuccess(new ItemsReserved("r-" + orderId));
        kit.when(AuthorizePayment.class, c -> Answer.silence());
        kit.settle();
        assertThat(kit.status(id)).isEqualTo(SagaStatus.FAILED);
        return id;
    }

    /** The order service answers the same command twice (a redelivery): the second answer is late and ignored. */
    static SagaId lateReply(SagaTestKit kit, String orderId) {
        SagaId id = kit.start(DEFINITION, OrderData.of(orderId, 100));
        SentCommand<CreateOrder> create = kit.expectCommand(CreateOrder.class);
        create.replySuccess();
        create.replySuccess();
        return id;
    }
}
