package dev.baton.participant;

import static dev.baton.participant.TestMessages.command;
import static dev.baton.participant.TestMessages.compensation;
import static dev.baton.participant.TestMessages.reply;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.participant.TestMessages.AuthorizePayment;
import dev.baton.participant.TestMessages.RefundPayment;
import dev.baton.protocol.ReplyOutcome;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The classic saga anomaly: a compensation overtaking its forward command. Keyed by (participant, saga, step). */
class CompensationGuardTest extends H2Test {

    private final List<String> effects = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger authorizeAnswer = new AtomicInteger(); // 0 success, 1 failure, 2 retry later, 3 throw

    private CommandHandlers payment(String name) {
        return CommandHandlers.forParticipant(name)
                .on(AuthorizePayment.class, cmd -> switch (authorizeAnswer.get()) {
                    case 0 -> {
                        effects.add("authorize " + cmd.orderId());
                        yield Outcome.success();
                    }
                    case 1 -> Outcome.failure("declined");
                    case 2 -> Outcome.retryLater("busy");
                    default -> throw new IllegalStateException("boom");
                })
                .on(RefundPayment.class, cmd -> {
                    effects.add("refund " + cmd.orderId());
                    return Outcome.success();
                })
                .onException(ExceptionPolicy.FAIL)
                .build();
    }

    private static IncomingCommand authorize(String saga, int invocation) {
        return command(saga, "authorize-payment", invocation, new AuthorizePayment("o-" + saga, 100));
    }

    private static IncomingCommand refund(String saga, int invocation) {
        return compensation(saga, "authorize-payment", invocation, new RefundPayment("o-" + saga));
    }

    @Test
    @DisplayName("compensation before its command: answered SUCCESS without running; the late command is refused, not run")
    void compensationOvertakesCommand() {
        ParticipantRuntime runtime = runtime(payment("payment"));

        Reply undo = reply(runtime.handle(refund("s-1", 1)));
        assertThat(undo.outcome()).isEqualTo(ReplyOutcome.SUCCESS);
        assertThat(undo.disposition()).isEqualTo(Disposition.NOTHING_TO_COMPENSATE);
        assertThat(undo.reason()).startsWith("nothing to compensate");
        assertThat(store.find("payment", "s-1/authorize-payment/undo/1")).isPresent();

        Reply late = reply(runtime.handle(authorize("s-1", 1)));
        assertThat(late.outcome()).isEqualTo(ReplyOutcome.FAILURE);
        assertThat(late.disposition()).isEqualTo(Disposition.REFUSED_AFTER_COMPENSATION);
        assertThat(late.reason()).contains("refused", "already compensated", "s-1/authorize-payment/undo/1");

        assertThat(effects).isEmpty();
        // both answers are final records: redeliveries replay them
        assertThat(reply(runtime.handle(refund("s-1", 1))).disposition()).isEqualTo(Disposition.REPLAYED);
        Reply lateAgain = reply(runtime.handle(authorize("s-1", 1)));
        assertThat(lateAgain.outcome()).isEqualTo(ReplyOutcome.FAILURE);
        assertThat(lateAgain.disposition()).isEqualTo(Disposition.REPLAYED);
        assertThat(effects).isEmpty();
    }

    @Test
    @DisplayName("command, then compensation: the compensation handler runs")
    void normalOrder() {
        ParticipantRuntime runtime = runtime(payment("payment"));

        assertThat(reply(runtime.handle(authorize("s-1", 1))).outcome()).isEqualTo(ReplyOutcome.SUCCESS);
        Reply undo = reply(runtime.handle(refund("s-1", 1)));

        assertThat(undo.outcome()).isEqualTo(ReplyOutcome.SUCCESS);
        assertThat(undo.disposition()).isEqualTo(Disposition.HANDLED);
        assertThat(effects).containsExactly("authorize o-s-1", "refund o-s-1");
        // a further invocation of the forward step after its compensation is refused
        assertThat(reply(runtime.handle(authorize("s-1", 2))).disposition())
                .isEqualTo(Disposition.REFUSED_AFTER_COMPENSATION);
        assertThat(effects).hasSize(2);
    }

    @Test
    @DisplayName("compensation after the command FAILED: nothing took effect, so SUCCESS without running the compensation")
    void compensationAfterFailedCommand() {
        authorizeAnswer.set(1);
        ParticipantRuntime runtime = runtime(payment("payment"));

        assertThat(reply(runtime.handle(authorize("s-1", 1))).outcome()).isEqualTo(ReplyOutcome.FAILURE);
        Reply undo = reply(runtime.handle(refund("s-1", 1)));

        assertThat(undo.outcome()).isEqualTo(ReplyOutcome.SUCCESS);
        assertThat(undo.disposition()).isEqualTo(Disposition.NOTHING_TO_COMPENSATE);
        assertThat(effects).isEmpty();
    }

    @Test
    @DisplayName("compensation after the command threw (FAIL policy, writes rolled back): nothing to compensate")
    void compensationAfterThrowingCommand() {
        authorizeAnswer.set(3);
        ParticipantRuntime runtime = runtime(payment("payment"));

        assertThat(reply(runtime.handle(authorize("s-1", 1))).outcome()).isEqualTo(ReplyOutcome.FAILURE);
        assertThat(reply(runtime.handle(refund("s-1", 1))).disposition()).isEqualTo(Disposition.NOTHING_TO_COMPENSATE);
        assertThat(effects).isEmpty();
    }

    @Test
    @DisplayName("compensation after a RETRY_LATER (which left no trace): nothing to compensate, and the re-sent command is refused")
    void compensationAfterRetryLater() {
        authorizeAnswer.set(2);
        ParticipantRuntime runtime = runtime(payment("payment"));

        assertThat(reply(runtime.handle(authorize("s-1", 1))).outcome()).isEqualTo(ReplyOutcome.RETRY_LATER);
        assertThat(reply(runtime.handle(refund("s-1", 1))).disposition()).isEqualTo(Disposition.NOTHING_TO_COMPENSATE);
        authorizeAnswer.set(0);
        Reply resent = reply(runtime.handle(authorize("s-1", 1)));

        assertThat(resent.outcome()).isEqualTo(ReplyOutcome.FAILURE);
        assertThat(resent.disposition()).isEqualTo(Disposition.REFUSED_AFTER_COMPENSATION);
        assertThat(effects).isEmpty();
    }

    @Test
    @DisplayName("a failed compensation is retried as a new invocation and then runs; a later command is still refused")
    void failedCompensationThenRetry() {
        AtomicInteger refunds = new AtomicInteger();
        ParticipantRuntime runtime = runtime(CommandHandlers.forParticipant("payment")
                .on(AuthorizePayment.class, cmd -> {
                    effects.add("authorize");
                    return Outcome.success();
                })
                .on(RefundPayment.class, cmd -> refunds.incrementAndGet() == 1 ? Outcome.failure("bank offline")
                        : Outcome.success())
                .build());

        runtime.handle(authorize("s-1", 1));
        assertThat(reply(runtime.handle(refund("s-1", 1))).outcome()).isEqualTo(ReplyOutcome.FAILURE);
        assertThat(reply(runtime.handle(authorize("s-1", 2))).disposition())
                .as("the saga is compensating this step: no new forward effect")
                .isEqualTo(Disposition.REFUSED_AFTER_COMPENSATION);
        assertThat(reply(runtime.handle(refund("s-1", 2))).outcome()).isEqualTo(ReplyOutcome.SUCCESS);
        assertThat(refunds).hasValue(2);
        // and a third compensation invocation gets the earlier success without running
        Reply third = reply(runtime.handle(refund("s-1", 3)));
        assertThat(third.disposition()).isEqualTo(Disposition.ALREADY_DONE);
        assertThat(refunds).hasValue(2);
        assertThat(effects).containsExactly("authorize");
    }

    @Test
    @DisplayName("the guard is per saga, per step and per participant")
    void keyedBySagaStepAndParticipant() {
        ParticipantRuntime payment = runtime(payment("payment"));
        ParticipantRuntime other = runtime(payment("payment-eu")); // another participant in the same database

        payment.handle(refund("s-1", 1)); // compensation first, for saga s-1 only

        assertThat(reply(payment.handle(authorize("s-2", 1))).disposition()).isEqualTo(Disposition.HANDLED);
        assertThat(reply(payment.handle(command("s-1", "another-step", 1, new AuthorizePayment("o", 1)))).disposition())
                .isEqualTo(Disposition.HANDLED);
        assertThat(reply(other.handle(authorize("s-1", 1))).disposition()).isEqualTo(Disposition.HANDLED);
        assertThat(reply(payment.handle(authorize("s-1", 1))).disposition()).isEqualTo(Disposition.REFUSED_AFTER_COMPENSATION);
        assertThat(effects).containsExactly("authorize o-s-2", "authorize o", "authorize o-s-1");
    }
}
