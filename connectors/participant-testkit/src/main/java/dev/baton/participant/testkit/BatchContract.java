package dev.baton.participant.testkit;

import static dev.baton.participant.testkit.KitMessages.charge;
import static dev.baton.participant.testkit.KitMessages.chargeId;
import static dev.baton.participant.testkit.KitMessages.refund;
import static dev.baton.participant.testkit.KitMessages.reply;
import static dev.baton.participant.testkit.KitMessages.withHeader;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.participant.CommandHandlers;
import dev.baton.participant.Disposition;
import dev.baton.participant.ExceptionPolicy;
import dev.baton.participant.HandlingResult;
import dev.baton.participant.IncomingCommand;
import dev.baton.participant.Outcome;
import dev.baton.participant.ParticipantRuntime;
import dev.baton.participant.Rejected;
import dev.baton.participant.Reply;
import dev.baton.participant.testkit.KitMessages.Charge;
import dev.baton.protocol.Headers;
import dev.baton.protocol.ReplyOutcome;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The participant store contract, part 5 of 8: {@code ParticipantRuntime.handleAll}, many commands in one
 * transaction, each behind its own savepoint, answered as they would be one by one. The
 * {@link IdempotencyStoreCompatibilityKit} runs it as a {@code @Nested} group.
 */
abstract class BatchContract extends KitContract {

    private static List<IncomingCommand> charges(int n) {
        List<IncomingCommand> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(charge("s-" + i, 1));
        }
        return list;
    }

    @Test
    @DisplayName("ten new commands: ten HANDLED replies, ten ledger rows, ten records, one commit")
    void tenCommandsOneCommit() {
        ParticipantRuntime runtime = runtime(ledgerHandlers());

        database().resetCommits();
        List<HandlingResult> results = runtime.handleAll(charges(10));

        assertThat(database().commits()).isEqualTo(1);
        assertThat(results).hasSize(10)
                .allSatisfy(r -> assertThat(reply(r).disposition()).isEqualTo(Disposition.HANDLED));
        for (int i = 0; i < 10; i++) {
            assertThat(reply(results.get(i)).correlationId()).isEqualTo(chargeId("s-" + i, 1));
        }
        assertThat(ledgerRows()).isEqualTo(10);
        assertThat(count("baton_participant_inbox")).isEqualTo(10);

        List<HandlingResult> again = runtime.handleAll(charges(10));
        assertThat(again).allSatisfy(r -> assertThat(reply(r).disposition()).isEqualTo(Disposition.REPLAYED));
        for (int i = 0; i < 10; i++) {
            assertThat(reply(again.get(i)).payload()).isEqualTo(reply(results.get(i)).payload());
        }
        assertThat(ledgerRows()).isEqualTo(10);
        assertThat(runs).hasValue(10);
    }

    @Test
    @DisplayName("RETRY_LATER in the middle of a batch rolls back that command's write alone and records nothing for it")
    void retryLaterRollsBackOneCommand() {
        ParticipantRuntime runtime = runtime(ledgerHandlers());
        List<IncomingCommand> batch = new ArrayList<>(charges(3));
        batch.add(1, charge("s-busy", 1, -1)); // the handler writes, then answers RETRY_LATER

        database().resetCommits();
        List<HandlingResult> results = runtime.handleAll(batch);

        assertThat(database().commits()).isEqualTo(1);
        assertThat(results).extracting(r -> reply(r).outcome()).containsExactly(ReplyOutcome.SUCCESS,
                ReplyOutcome.RETRY_LATER, ReplyOutcome.SUCCESS, ReplyOutcome.SUCCESS);
        assertThat(ledgerRows()).isEqualTo(3);
        assertThat(ledgerRows(chargeId("s-busy", 1))).isZero();
        assertThat(find(chargeId("s-busy", 1))).isEmpty();
        assertThat(find(chargeId("s-2", 1))).isPresent();
    }

    @Test
    @DisplayName("a handler's failing statement in the middle of a batch (FAIL policy): that command's writes are rolled back, its FAILURE and the others' successes commit together")
    void failedStatementInABatch() {
        ParticipantRuntime runtime = runtime(CommandHandlers.forParticipant(PARTICIPANT)
                .on(Charge.class, (cmd, ctx) -> {
                    book(ctx, cmd.orderId(), cmd.amountCents());
                    if (cmd.orderId().equals("o-s-1")) {
                        write(ctx.handle(), ctx.messageId(), null, 1); // order_id is NOT NULL: the database refuses
                    }
                    return Outcome.success();
                })
                .onException(ExceptionPolicy.FAIL)
                .build());

        database().resetCommits();
        List<HandlingResult> results = runtime.handleAll(charges(3));

        assertThat(results).extracting(r -> reply(r).outcome()).containsExactly(ReplyOutcome.SUCCESS,
                ReplyOutcome.FAILURE, ReplyOutcome.SUCCESS);
        assertThat(database().commits()).isEqualTo(1);
        assertThat(ledgerRows()).isEqualTo(2);
        assertThat(ledgerRows(chargeId("s-1", 1))).isZero();
        assertThat(find(chargeId("s-1", 1))).hasValueSatisfying(
                r -> assertThat(r.outcome()).isEqualTo(ReplyOutcome.FAILURE));
    }

    @Test
    @DisplayName("duplicates, a compensation of a step of the same batch, one of a step never charged and a malformed command: answered as one by one")
    void sameAnswersAsOneByOne() {
        ParticipantRuntime runtime = runtime(ledgerHandlers());
        IncomingCommand charge = charge("s-1", 1);
        IncomingCommand malformed = withHeader(charge, Headers.SAGA_ID, null);
        IncomingCommand undo = refund("s-1", 1);
        IncomingCommand undoNeverCharged = refund("s-2", 1);
        IncomingCommand lateCharge = charge("s-2", 1);

        database().resetCommits();
        List<HandlingResult> results = runtime.handleAll(
                List.of(charge, charge, malformed, undo, undoNeverCharged, charge, lateCharge, undo));

        assertThat(database().commits()).isEqualTo(1);
        assertThat(reply(results.get(0)).disposition()).isEqualTo(Disposition.HANDLED);
        assertThat(reply(results.get(1)).disposition()).isEqualTo(Disposition.REPLAYED);
        assertThat(reply(results.get(1)).payload()).isEqualTo(reply(results.get(0)).payload());
        assertThat(results.get(2)).isInstanceOf(Rejected.class);
        assertThat(reply(results.get(3)).disposition()).isEqualTo(Disposition.HANDLED);
        assertThat(reply(results.get(4)).disposition()).isEqualTo(Disposition.NOTHING_TO_COMPENSATE);
        assertThat(reply(results.get(5)).disposition()).isEqualTo(Disposition.REPLAYED);
        assertThat(reply(results.get(6)).disposition()).isEqualTo(Disposition.REFUSED_AFTER_COMPENSATION);
        assertThat(reply(results.get(7)).disposition()).isEqualTo(Disposition.REPLAYED);
        assertThat(runs).hasValue(2);
        assertThat(balances()).containsExactly(Map.entry("o-s-1", 0L));
    }

    @Test
    @DisplayName("a batch on one instance racing single deliveries of the same messages on another: one effect per message, one HANDLED answer, the same payload everywhere")
    void batchRacesSingleDeliveries() {
        ParticipantRuntime batching = runtime(ledgerHandlers());
        ParticipantRuntime single = runtime(ledgerHandlers(), secondStore(), NOW);
        int rounds = 5;
        int messages = 10;
        for (int round = 0; round < rounds; round++) {
            List<IncomingCommand> batch = new ArrayList<>();
            for (int i = 0; i < messages; i++) {
                batch.add(charge("r" + round + "-s-" + i, 1));
            }
            List<Callable<List<HandlingResult>>> tasks = new ArrayList<>();
            tasks.add(() -> batching.handleAll(batch));
            // two threads on the other instance, each delivering half of the messages one by one, from the back
            for (int half = 0; half < 2; half++) {
                int from = half;
                tasks.add(() -> {
                    List<HandlingResult> results = new ArrayList<>();
                    for (int i = messages - 1 - from; i >= 0; i -= 2) {
                        results.add(single.handle(batch.get(i)));
                    }
                    return results;
                });
            }
            List<List<HandlingResult>> all = KitRace.together(tasks);

            Map<String, List<Reply>> byMessage = new HashMap<>();
            all.stream().flatMap(List::stream).map(KitMessages::reply)
                    .forEach(r -> byMessage.computeIfAbsent(r.correlationId(), k -> new ArrayList<>()).add(r));
            assertThat(byMessage).as("round %d", round).hasSize(messages);
            byMessage.forEach((id, replies) -> {
                assertThat(replies).as(id).hasSize(2);
                assertThat(replies).extracting(Reply::outcome).as(id).containsOnly(ReplyOutcome.SUCCESS);
                assertThat(replies).filteredOn(r -> r.disposition() == Disposition.HANDLED).as(id).hasSize(1);
                assertThat(replies).extracting(Reply::payload).as(id).containsOnly(replies.get(0).payload());
                assertThat(ledgerRows(id)).as(id).isEqualTo(1);
            });
        }
        assertThat(ledgerRows()).isEqualTo(rounds * messages);
    }
}
