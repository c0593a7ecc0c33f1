package dev.baton.participant.testkit;

import static dev.baton.participant.testkit.KitMessages.charge;
import static dev.baton.participant.testkit.KitMessages.chargeId;
import static dev.baton.participant.testkit.KitMessages.refund;
import static dev.baton.participant.testkit.KitMessages.reply;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.participant.CommandHandlers;
import dev.baton.participant.Disposition;
import dev.baton.participant.ExceptionPolicy;
import dev.baton.participant.IncomingCommand;
import dev.baton.participant.Outcome;
import dev.baton.participant.ParticipantRuntime;
import dev.baton.participant.Reply;
import dev.baton.participant.testkit.KitMessages.Charge;
import dev.baton.protocol.ReplyOutcome;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The participant store contract, part 3 of 8: a transactional handler's writes (on {@code HandlerContext.handle()})
 * and the SDK's record commit together, once, or not at all. The {@link IdempotencyStoreCompatibilityKit} runs it as
 * a {@code @Nested} group.
 */
abstract class TransactionsContract extends KitContract {

    @Test
    @DisplayName("the handler's write commits with the record, in one commit; a redelivery writes nothing more")
    void writeCommitsWithTheRecord() {
        AtomicBoolean inTransaction = new AtomicBoolean();
        ParticipantRuntime runtime = runtime(CommandHandlers.forParticipant(PARTICIPANT)
                .on(Charge.class, (cmd, ctx) -> {
                    inTransaction.set(ctx.handle().isInTransaction());
                    return book(ctx, cmd.orderId(), cmd.amountCents());
                })
                .build());
        IncomingCommand cmd = charge("s-1", 1);

        database().resetCommits();
        assertThat(reply(runtime.handle(cmd)).outcome()).isEqualTo(ReplyOutcome.SUCCESS);
        assertThat(database().commits()).as("the step row, the handler's write and the record: one commit").isEqualTo(1);
        assertThat(reply(runtime.handle(cmd)).disposition()).isEqualTo(Disposition.REPLAYED);

        assertThat(inTransaction).isTrue();
        assertThat(runs).hasValue(1);
        assertThat(ledgerRows(chargeId("s-1", 1))).isEqualTo(1);
        assertThat(ledgerRows()).isEqualTo(1);
        assertThat(find(chargeId("s-1", 1))).isPresent();
    }

    @Test
    @DisplayName("the handler's write is invisible to other connections until it commits with the record")
    void writeInvisibleUntilCommit() {
        AtomicReference<Integer> seenOutside = new AtomicReference<>();
        AtomicReference<Integer> seenInside = new AtomicReference<>();
        ParticipantRuntime runtime = runtime(CommandHandlers.forParticipant(PARTICIPANT)
                .on(Charge.class, (cmd, ctx) -> {
                    Outcome booked = book(ctx, cmd.orderId(), cmd.amountCents());
                    seenInside.set(ctx.handle().createQuery("SELECT COUNT(*) FROM kit_ledger").mapTo(Long.class).one()
                            .intValue());
                    seenOutside.set(ledgerRows()); // on a connection of its own
                    return booked;
                })
                .build());

        reply(runtime.handle(charge("s-1", 1)));

        assertThat(seenInside).as("the handler sees its own write").hasValue(1);
        assertThat(seenOutside).as("no other connection sees it before the commit").hasValue(0);
        assertThat(ledgerRows()).isEqualTo(1);
    }

    @Test
    @DisplayName("a handler that writes and then throws (FAIL policy): its write is rolled back, the FAILURE is recorded")
    void throwRollsBackFailPolicy() {
        ParticipantRuntime runtime = runtime(CommandHandlers.forParticipant(PARTICIPANT)
                .on(Charge.class, (cmd, ctx) -> {
                    book(ctx, cmd.orderId(), cmd.amountCents());
                    throw new IllegalStateException("fraud check unreachable");
                })
                .onException(ExceptionPolicy.FAIL)
                .build());
        IncomingCommand cmd = charge("s-1", 1);

        Reply r = reply(runtime.handle(cmd));

        assertThat(r.outcome()).isEqualTo(ReplyOutcome.FAILURE);
        assertThat(r.reason()).contains("IllegalStateException");
        assertThat(ledgerRows()).isZero();
        assertThat(find(chargeId("s-1", 1))).hasValueSatisfying(
                rec -> assertThat(rec.outcome()).isEqualTo(ReplyOutcome.FAILURE));
        assertThat(reply(runtime.handle(cmd)).disposition()).isEqualTo(Disposition.REPLAYED);
        assertThat(runs).hasValue(1);
    }

    @Test
    @DisplayName("a handler whose own statement fails (FAIL policy): its earlier write is rolled back, the FAILURE is still recorded in the same transaction")
    void failedStatementRollsBackToTheHandlersSavepoint() {
        ParticipantRuntime runtime = runtime(CommandHandlers.forParticipant(PARTICIPANT)
                .on(Charge.class, (cmd, ctx) -> {
                    book(ctx, cmd.orderId(), cmd.amountCents());
                    write(ctx.handle(), ctx.messageId(), null, 1); // order_id is NOT NULL: the database refuses
                    return Outcome.success();
                })
                .onException(ExceptionPolicy.FAIL)
                .build());
        IncomingCommand cmd = charge("s-1", 1);

        Reply r = reply(runtime.handle(cmd));

        assertThat(r.outcome()).isEqualTo(ReplyOutcome.FAILURE);
        assertThat(r.disposition()).isEqualTo(Disposition.HANDLED);
        assertThat(ledgerRows()).isZero();
        assertThat(find(chargeId("s-1", 1))).hasValueSatisfying(
                rec -> assertThat(rec.outcome()).isEqualTo(ReplyOutcome.FAILURE));
        assertThat(reply(runtime.handle(cmd)).disposition()).isEqualTo(Disposition.REPLAYED);
        assertThat(runs).hasValue(1);
    }

    @Test
    @DisplayName("a handler that writes and then throws (default policy): its write is rolled back, nothing is recorded, the re-send writes once")
    void throwRollsBackDefaultPolicy() {
        ParticipantRuntime runtime = runtime(CommandHandlers.forParticipant(PARTICIPANT)
                .on(Charge.class, (cmd, ctx) -> {
                    book(ctx, cmd.orderId(), cmd.amountCents());
                    if (runs.get() == 1) {
                        throw new IllegalStateException("fraud check unreachable");
                    }
                    return Outcome.success();
                })
                .build());
        IncomingCommand cmd = charge("s-1", 1);

        Reply first = reply(runtime.handle(cmd));
        assertThat(first.outcome()).isEqualTo(ReplyOutcome.RETRY_LATER);
        assertThat(first.error()).as("a handler that threw is an error, not busy").isTrue();
        assertThat(ledgerRows()).isZero();
        assertThat(count("baton_participant_inbox")).isZero();

        Reply resent = reply(runtime.handle(cmd));
        assertThat(resent.outcome()).isEqualTo(ReplyOutcome.SUCCESS);
        assertThat(resent.disposition()).isEqualTo(Disposition.HANDLED);
        assertThat(ledgerRows()).isEqualTo(1);
    }

    @Test
    @DisplayName("a handler that writes and answers retryLater: its write is rolled back, the re-send writes once")
    void retryLaterRollsBack() {
        ParticipantRuntime runtime = runtime(CommandHandlers.forParticipant(PARTICIPANT)
                .on(Charge.class, (cmd, ctx) -> {
                    book(ctx, cmd.orderId(), cmd.amountCents());
                    return runs.get() == 1 ? Outcome.retryLater("limit reached") : Outcome.success();
                })
                .build());
        IncomingCommand cmd = charge("s-1", 1);

        assertThat(reply(runtime.handle(cmd)).outcome()).isEqualTo(ReplyOutcome.RETRY_LATER);
        assertThat(ledgerRows()).isZero();
        assertThat(count("baton_participant_inbox")).isZero();
        assertThat(reply(runtime.handle(cmd)).outcome()).isEqualTo(ReplyOutcome.SUCCESS);
        assertThat(ledgerRows()).isEqualTo(1);
    }

    @Test
    @DisplayName("a failure answered by the handler commits its writes with the record (say, a declined-payment audit row)")
    void failureCommitsWrites() {
        ParticipantRuntime runtime = runtime(CommandHandlers.forParticipant(PARTICIPANT)
                .on(Charge.class, (cmd, ctx) -> {
                    book(ctx, cmd.orderId(), 0);
                    return Outcome.failure("declined");
                })
                .build());

        assertThat(reply(runtime.handle(charge("s-1", 1))).outcome()).isEqualTo(ReplyOutcome.FAILURE);
        assertThat(ledgerRows(chargeId("s-1", 1))).isEqualTo(1);
        assertThat(find(chargeId("s-1", 1))).isPresent();
    }

    @Test
    @DisplayName("Handle.afterCommit runs once, after the writes and the record are committed; not for a replay, not after a rollback")
    void afterCommit() {
        AtomicInteger afterCommits = new AtomicInteger();
        AtomicBoolean recordVisible = new AtomicBoolean();
        AtomicBoolean busyOnce = new AtomicBoolean(true);
        ParticipantRuntime runtime = runtime(CommandHandlers.forParticipant(PARTICIPANT)
                .on(Charge.class, (cmd, ctx) -> {
                    String messageId = ctx.messageId();
                    ctx.handle().afterCommit(() -> {
                        afterCommits.incrementAndGet();
                        recordVisible.set(find(messageId).isPresent() && ledgerRows(messageId) == 1);
                    });
                    book(ctx, cmd.orderId(), cmd.amountCents());
                    return busyOnce.getAndSet(false) ? Outcome.retryLater("busy") : Outcome.success();
                })
                .build());
        IncomingCommand cmd = charge("s-1", 1);

        assertThat(reply(runtime.handle(cmd)).outcome()).isEqualTo(ReplyOutcome.RETRY_LATER);
        assertThat(afterCommits).as("rolled back: no afterCommit").hasValue(0);
        assertThat(reply(runtime.handle(cmd)).outcome()).isEqualTo(ReplyOutcome.SUCCESS);
        assertThat(reply(runtime.handle(cmd)).disposition()).isEqualTo(Disposition.REPLAYED);

        assertThat(afterCommits).hasValue(1);
        assertThat(recordVisible).as("the record and the write are visible from afterCommit").isTrue();
    }

    @Test
    @DisplayName("one commit per command on every path: a compensation that runs, one with nothing to compensate, a refusal, a replay (which writes nothing)")
    void oneCommitPerCommand() {
        ParticipantRuntime runtime = runtime(ledgerHandlers());
        reply(runtime.handle(charge("s-1", 1)));

        database().resetCommits();
        assertThat(reply(runtime.handle(refund("s-1", 1))).disposition()).isEqualTo(Disposition.HANDLED);
        assertThat(database().commits()).as("a compensation of a step that ran").isEqualTo(1);

        assertThat(reply(runtime.handle(refund("s-2", 1))).disposition()).isEqualTo(Disposition.NOTHING_TO_COMPENSATE);
        assertThat(database().commits()).as("plus a compensation of a step that never ran").isEqualTo(2);

        assertThat(reply(runtime.handle(charge("s-2", 1))).disposition())
                .isEqualTo(Disposition.REFUSED_AFTER_COMPENSATION);
        assertThat(database().commits()).as("plus a refused command").isEqualTo(3);

        int records = count("baton_participant_inbox");
        int rows = ledgerRows();
        database().resetCommits();
        assertThat(reply(runtime.handle(charge("s-1", 1))).disposition()).isEqualTo(Disposition.REPLAYED);
        assertThat(database().commits()).as("a replay").isEqualTo(1);
        assertThat(count("baton_participant_inbox")).isEqualTo(records);
        assertThat(ledgerRows()).isEqualTo(rows);
    }
}
