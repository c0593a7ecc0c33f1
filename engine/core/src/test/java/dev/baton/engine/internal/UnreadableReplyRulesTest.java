package dev.baton.engine.internal;

import static dev.baton.engine.internal.OrderSaga.CREATE;
import static dev.baton.engine.internal.OrderSaga.PAY;
import static dev.baton.engine.internal.OrderSaga.RESERVE;
import static dev.baton.engine.internal.OrderSaga.SHIP;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.engine.HistoryKind;
import dev.baton.engine.OperatorAction;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.internal.OrderSaga.ItemsReserved;
import dev.baton.engine.internal.OrderSaga.OrderData;
import dev.baton.engine.internal.OrderSaga.PaymentAuthorized;
import dev.baton.engine.spi.ReplyOutcome;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A SUCCESS that answers the outstanding command but cannot be read fails the saga at once")
class UnreadableReplyRulesTest {
    private static final UnreadableReply RESERVED = new UnreadableReply("items-reserved", "reservationId", "must be a string");
    private static final UnreadableReply SHIPPED = new UnreadableReply("shipment-scheduled", "", "does not fit the reply type");

    private static Driver<OrderData> atReserve() {
        Driver<OrderData> saga = Driver.start(OrderSaga.definition(), OrderSaga.order());
        saga.succeed();
        assertThat(saga.lastCommand().step()).isEqualTo(RESERVE);
        return saga;
    }

    private static Driver<OrderData> atShipment() {
        Driver<OrderData> saga = atReserve();
        saga.succeed(new ItemsReserved("R-1"));
        saga.succeed(new PaymentAuthorized("P-1"));
        assertThat(saga.lastCommand().step()).isEqualTo(SHIP);
        return saga;
    }

    @Test
    @DisplayName("Before the pivot: FAILED with a reason naming step, reply type and field, nothing sent, no timer left")
    void beforePivotFails() {
        Driver<OrderData> saga = atReserve();
        int sent = saga.sent.size();
        Decision d = saga.succeed(RESERVED);
        assertThat(saga.status()).isEqualTo(SagaStatus.FAILED);
        assertThat(saga.state.reason()).contains("step '" + RESERVE + "'", "'items-reserved'", "field 'reservationId'",
                "must be a string", "dead-lettered").doesNotContain("OrderSaga", "dev.baton");
        assertThat(d.commands()).isEmpty();
        assertThat(saga.sent).hasSize(sent);
        assertThat(saga.live).as("no timeout left to re-send and loop").isEmpty();
        assertThat(saga.historyKinds()).contains(HistoryKind.REPLY_RECEIVED, HistoryKind.FAILED);
        assertThat(saga.data().reservationId()).isNull();
    }

    @Test
    @DisplayName("Before the pivot, the operator can abort (the step is compensated too: it took effect) or retry (same invocation)")
    void beforePivotOperatorActions() {
        Driver<OrderData> aborted = atReserve();
        aborted.succeed(RESERVED);
        assertThat(aborted.operator(OperatorAction.ABORT).rejected()).isNull();
        for (int i = 0; i < 5 && aborted.status() == SagaStatus.COMPENSATING; i++) {
            aborted.succeed();
        }
        assertThat(aborted.status()).isEqualTo(SagaStatus.COMPENSATED);
        assertThat(aborted.compensationSends()).containsExactly(RESERVE, CREATE);

        Driver<OrderData> retried = atReserve();
        Decision.Command reserve = retried.lastCommand();
        retried.succeed(RESERVED);
        Decision retry = retried.operator(OperatorAction.RETRY);
        assertThat(retry.commands()).singleElement().satisfies(c -> assertThat(c.messageId()).isEqualTo(reserve.messageId()));
        retried.succeed(new ItemsReserved("R-1")); // the participant's fixed answer
        assertThat(retried.status()).isEqualTo(SagaStatus.RUNNING);
        assertThat(retried.lastCommand().step()).isEqualTo(PAY);

        Driver<OrderData> skipped = atReserve();
        skipped.succeed(RESERVED);
        skipped.operator(OperatorAction.SKIP);
        assertThat(skipped.status()).isEqualTo(SagaStatus.RUNNING);
        assertThat(skipped.lastCommand().step()).isEqualTo(PAY);
    }

    @Test
    @DisplayName("On the pivot: FAILED at once; abort is refused (the payment may have taken effect), skip moves on")
    void onPivot() {
        Driver<OrderData> saga = atReserve();
        saga.succeed(new ItemsReserved("R-1"));
        saga.succeed(new UnreadableReply("payment-authorized", "paymentId", "must be a string"));
        assertThat(saga.status()).isEqualTo(SagaStatus.FAILED);
        assertThat(saga.state.reason()).contains("step '" + PAY + "'", "'payment-authorized'", "field 'paymentId'");
        assertThat(saga.operator(OperatorAction.ABORT).rejected()).contains(PAY);
        saga.operator(OperatorAction.SKIP);
        assertThat(saga.lastCommand().step()).isEqualTo(SHIP);
    }

    @Test
    @DisplayName("After the pivot: FAILED at once; abort is refused, retry re-sends the same invocation, skip completes")
    void afterPivot() {
        Driver<OrderData> saga = atShipment();
        Decision.Command ship = saga.lastCommand();
        saga.succeed(SHIPPED);
        assertThat(saga.status()).isEqualTo(SagaStatus.FAILED);
        assertThat(saga.state.reason()).contains("step '" + SHIP + "'", "'shipment-scheduled'", "the payload does not fit");
        assertThat(saga.live).isEmpty();
        assertThat(saga.operator(OperatorAction.ABORT).rejected()).contains(SHIP);

        Decision retry = saga.operator(OperatorAction.RETRY);
        assertThat(retry.commands()).singleElement().satisfies(c -> assertThat(c.messageId()).isEqualTo(ship.messageId()));
        saga.succeed(SHIPPED);
        assertThat(saga.status()).isEqualTo(SagaStatus.FAILED);
        saga.operator(OperatorAction.SKIP);
        assertThat(saga.status()).isEqualTo(SagaStatus.COMPLETED);
    }

    @Test
    @DisplayName("An unreadable reply that does not answer the outstanding command changes nothing")
    void staleIgnored() {
        Driver<OrderData> saga = atReserve();
        Decision.Command create = saga.sent.get(0);
        Decision d = saga.reply(create, ReplyOutcome.SUCCESS, RESERVED, null);
        assertThat(d.ignored()).isNotNull();
        assertThat(saga.status()).isEqualTo(SagaStatus.RUNNING);
    }

    @Test
    @DisplayName("The problem text keeps no payload values: only what comes before a quote of the input")
    void valueless() {
        assertThat(UnreadableReply.valueless("must be a whole number, but was the number 1.9")).isEqualTo("must be a whole number");
        assertThat(UnreadableReply.valueless("is not valid JSON: Unrecognized token 'secret'")).isEqualTo("is not valid JSON");
        assertThat(UnreadableReply.valueless("was refused by the data type: amount 42 too high")).isEqualTo("was refused by the data type");
        assertThat(UnreadableReply.valueless("must be one of [RED, GREEN], but was \"x\"")).isEqualTo("does not fit the reply type");
        assertThat(UnreadableReply.valueless(null)).isEqualTo("does not fit the reply type");
    }
}
