package dev.baton.participant.testkit;

import static dev.baton.participant.testkit.KitMessages.charge;
import static dev.baton.participant.testkit.KitMessages.refund;
import static dev.baton.participant.testkit.KitMessages.refundId;
import static dev.baton.participant.testkit.KitMessages.reply;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.participant.CommandHandlers;
import dev.baton.participant.Disposition;
import dev.baton.participant.ExceptionPolicy;
import dev.baton.participant.Outcome;
import dev.baton.participant.ParticipantRuntime;
import dev.baton.participant.Reply;
import dev.baton.participant.testkit.KitMessages.Charge;
import dev.baton.participant.testkit.KitMessages.Refund;
import dev.baton.protocol.CommandKind;
import dev.baton.protocol.ReplyOutcome;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The participant store contract, part 2 of 8: the compensation guard, per (participant, saga, step): a compensation
 * that overtakes its command, or follows one that took no effect, undoes nothing, and a command after its
 * compensation is refused. The {@link IdempotencyStoreCompatibilityKit} runs it as a {@code @Nested} group.
 */
abstract class CompensationGuardContract extends KitContract {

    private static final int SUCCEED = 0;
    private static final int FAIL = 1;
    private static final int RETRY_LATER = 2;
    private static final int THROW = 3;

    /** What the charge handler answers: a refusal without writing, anything else after writing its ledger row. */
    private final AtomicInteger chargeAnswer = new AtomicInteger(SUCCEED);

    /** A participant whose charge books +100 and answers per {@link #chargeAnswer}, and whose refund books -100. */
    private CommandHandlers payment(String participant) {
        return CommandHandlers.forParticipant(participant)
                .on(Charge.class, (cmd, ctx) -> {
                    int answer = chargeAnswer.get();
                    if (answer == FAIL) {
                        return Outcome.failure("card declined"); // a refusal takes no effect
                    }
                    Outcome booked = book(ctx, cmd.orderId(), cmd.amountCents());
                    return switch (answer) {
                        case SUCCEED -> booked;
                        case RETRY_LATER -> Outcome.retryLater("card processor busy");
                        default -> throw new IllegalStateException("the kit's handler throws after writing");
                    };
                })
                .on(Refund.class, (cmd, ctx) -> book(ctx, cmd.orderId(), -100))
                .onException(ExceptionPolicy.FAIL)
                .build();
    }

    @Test
    @DisplayName("a compensation before its command is answered SUCCESS without running; the late command is refused, not run; both answers are final")
    void compensationOvertakesCommand() {
        ParticipantRuntime runtime = runtime(payment(PARTICIPANT));

        Reply undo = reply(runtime.handle(refund("s-1", 1)));
        assertThat(undo.outcome()).isEqualTo(ReplyOutcome.SUCCESS);
        assertThat(undo.disposition()).isEqualTo(Disposition.NOTHING_TO_COMPENSATE);
        assertThat(undo.reason()).startsWith("nothing to compensate");
        assertThat(find(refundId("s-1", 1))).hasValueSatisfying(r -> {
            assertThat(r.kind()).isEqualTo(CommandKind.COMPENSATION);
            assertThat(r.disposition()).isEqualTo(Disposition.NOTHING_TO_COMPENSATE);
        });

        Reply late = reply(runtime.handle(charge("s-1", 1)));
        assertThat(late.outcome()).isEqualTo(ReplyOutcome.FAILURE);
        assertThat(late.disposition()).isEqualTo(Disposition.REFUSED_AFTER_COMPENSATION);
        assertThat(late.reason()).contains("refused", "already compensated", refundId("s-1", 1));

        assertThat(reply(runtime.handle(refund("s-1", 1))).disposition()).isEqualTo(Disposition.REPLAYED);
        Reply lateAgain = reply(runtime.handle(charge("s-1", 1)));
        assertThat(lateAgain.outcome()).isEqualTo(ReplyOutcome.FAILURE);
        assertThat(lateAgain.disposition()).isEqualTo(Disposition.REPLAYED);
        assertThat(ledgerRows()).as("neither handler ran").isZero();
        assertThat(runs).hasValue(0);
    }

    @Test
    @DisplayName("a command, then its compensation: the compensation runs; a later invocation of the command is refused")
    void commandThenCompensation() {
        ParticipantRuntime runtime = runtime(payment(PARTICIPANT));

        assertThat(reply(runtime.handle(charge("s-1", 1))).outcome()).isEqualTo(ReplyOutcome.SUCCESS);
        Reply undo = reply(runtime.handle(refund("s-1", 1)));

        assertThat(undo.outcome()).isEqualTo(ReplyOutcome.SUCCESS);
        assertThat(undo.disposition()).isEqualTo(Disposition.HANDLED);
        assertThat(balances()).containsExactly(Map.entry("o-s-1", 0L));
        assertThat(ledgerRows()).isEqualTo(2);
        assertThat(reply(runtime.handle(charge("s-1", 2))).disposition())
                .isEqualTo(Disposition.REFUSED_AFTER_COMPENSATION);
        assertThat(ledgerRows()).isEqualTo(2);
    }

    @Test
    @DisplayName("a compensation after the command FAILED: nothing took effect, so SUCCESS without running the compensation")
    void compensationAfterFailure() {
        chargeAnswer.set(FAIL);
        ParticipantRuntime runtime = runtime(payment(PARTICIPANT));

        assertThat(reply(runtime.handle(charge("s-1", 1))).outcome()).isEqualTo(ReplyOutcome.FAILURE);
        Reply undo = reply(runtime.handle(refund("s-1", 1)));

        assertThat(undo.outcome()).isEqualTo(ReplyOutcome.SUCCESS);
        assertThat(undo.disposition()).isEqualTo(Disposition.NOTHING_TO_COMPENSATE);
        assertThat(ledgerRows()).as("neither the refused charge nor the refund wrote anything").isZero();
        assertThat(reply(runtime.handle(charge("s-1", 2))).disposition())
                .as("a new invocation of the command after the compensation is refused")
                .isEqualTo(Disposition.REFUSED_AFTER_COMPENSATION);
    }

    @Test
    @DisplayName("a compensation after the command threw (FAIL policy, its write rolled back): nothing to compensate")
    void compensationAfterThrow() {
        chargeAnswer.set(THROW);
        ParticipantRuntime runtime = runtime(payment(PARTICIPANT));

        Reply failed = reply(runtime.handle(charge("s-1", 1)));
        assertThat(failed.outcome()).isEqualTo(ReplyOutcome.FAILURE);
        assertThat(reply(runtime.handle(refund("s-1", 1))).disposition()).isEqualTo(Disposition.NOTHING_TO_COMPENSATE);
        assertThat(ledgerRows()).isZero();
    }

    @Test
    @DisplayName("a compensation after a RETRY_LATER (which left no trace): nothing to compensate, and the re-sent command is refused")
    void compensationAfterRetryLater() {
        chargeAnswer.set(RETRY_LATER);
        ParticipantRuntime runtime = runtime(payment(PARTICIPANT));

        assertThat(reply(runtime.handle(charge("s-1", 1))).outcome()).isEqualTo(ReplyOutcome.RETRY_LATER);
        assertThat(reply(runtime.handle(refund("s-1", 1))).disposition()).isEqualTo(Disposition.NOTHING_TO_COMPENSATE);
        chargeAnswer.set(SUCCEED);
        Reply resent = reply(runtime.handle(charge("s-1", 1)));

        assertThat(resent.outcome()).isEqualTo(ReplyOutcome.FAILURE);
        assertThat(resent.disposition()).isEqualTo(Disposition.REFUSED_AFTER_COMPENSATION);
        assertThat(ledgerRows()).isZero();
        assertThat(runs).as("only the busy run").hasValue(1);
    }

    @Test
    @DisplayName("a failed compensation is retried as a new invocation and then runs; the command stays refused; a third invocation gets the earlier success")
    void failedCompensationRetried() {
        AtomicInteger refunds = new AtomicInteger();
        ParticipantRuntime runtime = runtime(CommandHandlers.forParticipant(PARTICIPANT)
                .on(Charge.class, (cmd, ctx) -> book(ctx, cmd.orderId(), cmd.amountCents()))
                .on(Refund.class, (cmd, ctx) -> refunds.incrementAndGet() == 1 ? Outcome.failure("bank offline")
                        : book(ctx, cmd.orderId(), -100))
                .build());

        assertThat(reply(runtime.handle(charge("s-1", 1))).outcome()).isEqualTo(ReplyOutcome.SUCCESS);
        assertThat(reply(runtime.handle(refund("s-1", 1))).outcome()).isEqualTo(ReplyOutcome.FAILURE);
        assertThat(reply(runtime.handle(charge("s-1", 2))).disposition())
                .as("the saga is compensating this step: no new forward effect")
                .isEqualTo(Disposition.REFUSED_AFTER_COMPENSATION);
        Reply second = reply(runtime.handle(refund("s-1", 2)));
        assertThat(second.outcome()).isEqualTo(ReplyOutcome.SUCCESS);
        assertThat(second.disposition()).isEqualTo(Disposition.HANDLED);
        assertThat(refunds).hasValue(2);

        Reply third = reply(runtime.handle(refund("s-1", 3)));
        assertThat(third.outcome()).isEqualTo(ReplyOutcome.SUCCESS);
        assertThat(third.disposition()).isEqualTo(Disposition.ALREADY_DONE);
        assertThat(third.reason()).contains(refundId("s-1", 2));
        assertThat(refunds).hasValue(2);
        assertThat(balances()).containsExactly(Map.entry("o-s-1", 0L));
    }

    @Test
    @DisplayName("the guard is per saga, per step and per participant")
    void perSagaStepAndParticipant() {
        ParticipantRuntime payment = runtime(payment(PARTICIPANT));
        ParticipantRuntime other = runtime(payment("payment-eu")); // another participant in the same database

        assertThat(reply(payment.handle(refund("s-1", 1))).disposition()).isEqualTo(Disposition.NOTHING_TO_COMPENSATE);

        assertThat(reply(payment.handle(charge("s-2", 1))).disposition()).as("another saga").isEqualTo(Disposition.HANDLED);
        assertThat(reply(payment.handle(KitMessages.command(CommandKind.COMMAND, "s-1", "another-step", 1,
                new Charge("o-s-1", 7)))).disposition()).as("another step").isEqualTo(Disposition.HANDLED);
        assertThat(reply(other.handle(charge("s-1", 1))).disposition()).as("another participant")
                .isEqualTo(Disposition.HANDLED);
        assertThat(reply(payment.handle(charge("s-1", 1))).disposition()).as("the compensated step itself")
                .isEqualTo(Disposition.REFUSED_AFTER_COMPENSATION);
        assertThat(balances()).containsExactly(Map.entry("o-s-1", 107L), Map.entry("o-s-2", 100L));
        assertThat(runs).hasValue(3);
    }
}
