package dev.baton.participant.testkit;

import static dev.baton.participant.testkit.KitMessages.charge;
import static dev.baton.participant.testkit.KitMessages.chargeId;
import static dev.baton.participant.testkit.KitMessages.refund;
import static dev.baton.participant.testkit.KitMessages.reply;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.participant.CommandHandlers;
import dev.baton.participant.Disposition;
import dev.baton.participant.HandlingResult;
import dev.baton.participant.IncomingCommand;
import dev.baton.participant.Outcome;
import dev.baton.participant.ParticipantRuntime;
import dev.baton.participant.Reply;
import dev.baton.participant.testkit.KitMessages.Charge;
import dev.baton.participant.testkit.KitMessages.Refund;
import dev.baton.protocol.ReplyOutcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The participant store contract, part 4 of 8: deliveries racing on real threads, and on two instances of the
 * service, against the one database: a message's handler runs once, and a compensation racing its command undoes
 * exactly what took effect. The {@link IdempotencyStoreCompatibilityKit} runs it as a {@code @Nested} group.
 */
abstract class ConcurrencyContract extends KitContract {

    /**
     * A participant whose charge books its amount and, on its first run only, holds its transaction open until
     * {@code waiting} other threads are inside a statement: the other copies of the message, waiting for the lock
     * of its step. Whether they were seen waiting goes to {@code overlapped}.
     */
    private CommandHandlers holdingFirstRun(int waiting, AtomicBoolean overlapped) {
        return CommandHandlers.forParticipant(PARTICIPANT)
                .on(Charge.class, (cmd, ctx) -> {
                    book(ctx, cmd.orderId(), cmd.amountCents());
                    if (runs.get() == 1) {
                        overlapped.set(othersWaiting(waiting));
                    }
                    return Outcome.success(charged());
                })
                .build();
    }

    @Test
    @DisplayName("four copies of one message at once: the handler runs once while the other three wait for its step, then they replay its reply")
    void fourCopiesRunOnce() {
        int copies = 4;
        AtomicBoolean overlapped = new AtomicBoolean();
        ParticipantRuntime runtime = runtime(holdingFirstRun(copies - 1, overlapped));
        IncomingCommand cmd = charge("s-1", 1);

        List<Reply> replies = KitRace.copies(copies, () -> runtime.handle(cmd)).stream().map(KitMessages::reply).toList();

        assertThat(overlapped).as("the other %d copies were seen waiting, inside a statement, while the first"
                + " delivery's transaction was open (a concurrent insert of the same step must wait for it)", copies - 1)
                .isTrue();
        assertThat(runs).hasValue(1);
        assertThat(ledgerRows()).isEqualTo(1);
        assertThat(replies).extracting(Reply::disposition).containsExactlyInAnyOrder(Disposition.HANDLED,
                Disposition.REPLAYED, Disposition.REPLAYED, Disposition.REPLAYED);
        assertThat(replies).extracting(Reply::payload).containsOnly(replies.get(0).payload());
    }

    @Test
    @DisplayName("stress: 30 messages, each delivered by " + RACERS + " threads released together: 30 handler runs, 30 ledger rows")
    void stress() {
        ParticipantRuntime runtime = runtime(ledgerHandlers());
        int messages = 30;
        for (int m = 0; m < messages; m++) {
            IncomingCommand cmd = charge("s-" + m, 1);
            List<Reply> replies = KitRace.copies(RACERS, () -> runtime.handle(cmd)).stream().map(KitMessages::reply)
                    .toList();
            assertThat(replies).extracting(Reply::payload).as("message %d", m).containsOnly(replies.get(0).payload());
            assertThat(replies).filteredOn(r -> r.disposition() == Disposition.HANDLED).as("message %d", m).hasSize(1);
        }
        assertThat(runs).hasValue(messages);
        assertThat(ledgerRows()).isEqualTo(messages);
    }

    @Test
    @DisplayName("two instances of the service (two stores, one database) get copies of one message at once: one effect, the others replay it")
    void duplicatesOnTwoInstances() {
        AtomicBoolean overlapped = new AtomicBoolean();
        CommandHandlers handlers = holdingFirstRun(3, overlapped);
        ParticipantRuntime first = runtime(handlers);
        ParticipantRuntime second = runtime(handlers, secondStore(), NOW);
        IncomingCommand cmd = charge("s-1", 1);

        List<Reply> replies = KitRace.together(List.<Callable<HandlingResult>>of(
                        () -> first.handle(cmd), () -> second.handle(cmd), () -> first.handle(cmd),
                        () -> second.handle(cmd)))
                .stream().map(KitMessages::reply).toList();

        assertThat(overlapped).as("the other copies were seen waiting while the first delivery's transaction was open")
                .isTrue();
        assertThat(runs).hasValue(1);
        assertThat(ledgerRows()).isEqualTo(1);
        assertThat(replies).filteredOn(r -> r.disposition() == Disposition.HANDLED).hasSize(1);
        assertThat(replies).extracting(Reply::payload).containsOnly(replies.get(0).payload());
    }

    @Test
    @DisplayName("stress on two instances: 20 messages, each delivered by 3 threads on each instance, released together: 20 effects")
    void stressOnTwoInstances() {
        ParticipantRuntime first = runtime(ledgerHandlers());
        ParticipantRuntime second = runtime(ledgerHandlers(), secondStore(), NOW);
        int messages = 20;
        for (int m = 0; m < messages; m++) {
            IncomingCommand cmd = charge("s-" + m, 1);
            List<Callable<HandlingResult>> tasks = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                tasks.add(() -> first.handle(cmd));
                tasks.add(() -> second.handle(cmd));
            }
            List<Reply> replies = KitRace.together(tasks).stream().map(KitMessages::reply).toList();
            assertThat(replies).extracting(Reply::payload).as("message %d", m).containsOnly(replies.get(0).payload());
            assertThat(replies).filteredOn(r -> r.disposition() == Disposition.HANDLED).as("message %d", m).hasSize(1);
            assertThat(ledgerRows(chargeId("s-" + m, 1))).as("message %d", m).isEqualTo(1);
        }
        assertThat(runs).hasValue(messages);
    }

    @Test
    @DisplayName("four copies of a compensation of a step that took effect, on two instances at once: the refund runs once while the others wait for the step's row lock")
    void compensationCopiesOnAnExistingStep() {
        AtomicBoolean overlapped = new AtomicBoolean();
        AtomicInteger refunds = new AtomicInteger();
        CommandHandlers handlers = CommandHandlers.forParticipant(PARTICIPANT)
                .on(Charge.class, (cmd, ctx) -> book(ctx, cmd.orderId(), cmd.amountCents()))
                .on(Refund.class, (cmd, ctx) -> {
                    Outcome booked = book(ctx, cmd.orderId(), -100);
                    if (refunds.incrementAndGet() == 1) {
                        overlapped.set(othersWaiting(3));
                    }
                    return booked;
                })
                .build();
        ParticipantRuntime first = runtime(handlers);
        ParticipantRuntime second = runtime(handlers, secondStore(), NOW);
        reply(first.handle(charge("s-1", 1)));
        IncomingCommand undo = refund("s-1", 1);

        List<Reply> replies = KitRace.together(List.<Callable<HandlingResult>>of(
                        () -> first.handle(undo), () -> second.handle(undo), () -> first.handle(undo),
                        () -> second.handle(undo)))
                .stream().map(KitMessages::reply).toList();

        assertThat(overlapped).as("the other copies were seen waiting for the lock of the step's existing row").isTrue();
        assertThat(refunds).hasValue(1);
        assertThat(replies).filteredOn(r -> r.disposition() == Disposition.HANDLED).hasSize(1);
        assertThat(replies).extracting(Reply::outcome).containsOnly(ReplyOutcome.SUCCESS);
        assertThat(balances()).containsExactly(Map.entry("o-s-1", 0L));
    }

    @Test
    @DisplayName("after a FAILED first invocation, a new invocation of the command racing the step's compensation: both run or neither; never a charge without its refund")
    void newInvocationRacesCompensation() {
        CommandHandlers handlers = CommandHandlers.forParticipant(PARTICIPANT)
                .on(Charge.class, (cmd, ctx) -> cmd.amountCents() == 0 ? Outcome.failure("card declined")
                        : book(ctx, cmd.orderId(), cmd.amountCents()))
                .on(Refund.class, (cmd, ctx) -> book(ctx, cmd.orderId(), -100))
                .build();
        ParticipantRuntime first = runtime(handlers);
        ParticipantRuntime second = runtime(handlers, secondStore(), NOW);
        int sagas = 30;
        int both = 0;
        for (int s = 0; s < sagas; s++) {
            String saga = "s-" + s;
            assertThat(reply(first.handle(charge(saga, 1, 0))).outcome()).isEqualTo(ReplyOutcome.FAILURE);
            ParticipantRuntime refunding = s % 2 == 1 ? second : first;
            List<Reply> results = KitRace.together(List.<Callable<HandlingResult>>of(
                    () -> first.handle(charge(saga, 2)), () -> refunding.handle(refund(saga, 1))))
                    .stream().map(KitMessages::reply).toList();
            Reply forward = results.get(0);
            Reply undo = results.get(1);
            assertThat(undo.outcome()).as(saga).isEqualTo(ReplyOutcome.SUCCESS);
            if (undo.disposition() == Disposition.NOTHING_TO_COMPENSATE) {
                assertThat(forward.disposition()).as(saga).isEqualTo(Disposition.REFUSED_AFTER_COMPENSATION);
            } else {
                assertThat(undo.disposition()).as(saga).isEqualTo(Disposition.HANDLED);
                assertThat(forward.disposition()).as(saga).isEqualTo(Disposition.HANDLED);
                both++;
            }
        }
        assertThat(balances().values()).as("every charge was refunded").containsOnly(0L);
        assertThat(ledgerRows()).isEqualTo(2 * both);
    }

    @Test
    @DisplayName("a compensation racing its own command, on one instance or two: either both run (charge, then refund) or neither does; never a charge without its refund")
    void compensationRacesCommand() {
        CommandHandlers handlers = CommandHandlers.forParticipant(PARTICIPANT)
                .on(Charge.class, (cmd, ctx) -> book(ctx, cmd.orderId(), 100))
                .on(Refund.class, (cmd, ctx) -> book(ctx, cmd.orderId(), -100))
                .build();
        ParticipantRuntime first = runtime(handlers);
        ParticipantRuntime second = runtime(handlers, secondStore(), NOW);
        int sagas = 40;
        int both = 0;
        for (int s = 0; s < sagas; s++) {
            String saga = "s-" + s;
            ParticipantRuntime charging = s % 4 == 3 ? second : first;
            ParticipantRuntime refunding = s % 2 == 1 ? second : first;
            List<Reply> results = KitRace.together(List.<Callable<HandlingResult>>of(
                    () -> charging.handle(charge(saga, 1)), () -> refunding.handle(refund(saga, 1))))
                    .stream().map(KitMessages::reply).toList();
            Reply forward = results.get(0);
            Reply undo = results.get(1);
            assertThat(undo.outcome()).as(saga).isEqualTo(ReplyOutcome.SUCCESS);
            if (undo.disposition() == Disposition.NOTHING_TO_COMPENSATE) {
                assertThat(forward.disposition()).as(saga).isEqualTo(Disposition.REFUSED_AFTER_COMPENSATION);
                assertThat(forward.outcome()).as(saga).isEqualTo(ReplyOutcome.FAILURE);
            } else {
                assertThat(undo.disposition()).as(saga).isEqualTo(Disposition.HANDLED);
                assertThat(forward.disposition()).as(saga).isEqualTo(Disposition.HANDLED);
                both++;
            }
        }
        assertThat(balances().values()).as("every charge was refunded").containsOnly(0L);
        assertThat(ledgerRows()).isEqualTo(2 * both);
        assertThat(runs).hasValue(2 * both);
    }
}
