package dev.baton.participant.testkit;

import static dev.baton.participant.testkit.KitMessages.charge;
import static dev.baton.participant.testkit.KitMessages.chargeId;
import static dev.baton.participant.testkit.KitMessages.reply;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.participant.CommandHandlers;
import dev.baton.participant.Disposition;
import dev.baton.participant.IncomingCommand;
import dev.baton.participant.Outcome;
import dev.baton.participant.ParticipantRuntime;
import dev.baton.participant.Reply;
import dev.baton.participant.testkit.KitMessages.Charge;
import dev.baton.participant.testkit.KitMessages.Charged;
import dev.baton.protocol.CommandKind;
import dev.baton.protocol.Headers;
import dev.baton.protocol.ReplyOutcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The participant store contract, part 1 of 8: final answers are recorded with the message id and every redelivery is
 * answered from the record. The {@link IdempotencyStoreCompatibilityKit} runs it as a {@code @Nested} group.
 */
abstract class RepliesContract extends KitContract {

    /**
     * Text that no single-byte character set holds: Latin, Greek, Cyrillic, CJK, a character outside the Basic
     * Multilingual Plane (two UTF-16 units), an escaped quote and a backslash.
     */
    static final String UNICODE = "Zürich Ωμέγα Москва 東京 🎉 \"quoted\" back\\slash";

    @Test
    @DisplayName("a command delivered four times runs its handler once; the three redeliveries are answered from the record")
    void handlerRunsOnceUnderRedelivery() {
        ParticipantRuntime runtime = runtime(ledgerHandlers());
        IncomingCommand cmd = charge("s-1", 1);

        List<Reply> replies = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            replies.add(reply(runtime.handle(cmd)));
        }

        assertThat(runs).hasValue(1);
        assertThat(ledgerRows()).isEqualTo(1);
        assertThat(replies).extracting(Reply::disposition).containsExactly(Disposition.HANDLED, Disposition.REPLAYED,
                Disposition.REPLAYED, Disposition.REPLAYED);
        assertThat(replies).extracting(Reply::outcome).containsOnly(ReplyOutcome.SUCCESS);
        assertThat(replies).extracting(Reply::correlationId).containsOnly(chargeId("s-1", 1));
        assertThat(replies).extracting(Reply::messageId).as("every reply has an id of its own").doesNotHaveDuplicates();
        assertThat(count("baton_participant_inbox")).isEqualTo(1);
    }

    @Test
    @DisplayName("the recorded reply comes back byte for byte: a 100 000-character payload with text in many scripts, its type, outcome and headers")
    void recordedReplyIsByteForByte() {
        String note = UNICODE + " " + "x".repeat(100_000);
        ParticipantRuntime runtime = runtime(CommandHandlers.forParticipant(PARTICIPANT)
                .on(Charge.class, (cmd, ctx) -> {
                    book(ctx, cmd.orderId(), cmd.amountCents());
                    return Outcome.success(new Charged("ch-" + UUID.randomUUID(), note, UUID.randomUUID().toString()));
                })
                .build());
        IncomingCommand cmd = charge("s-1", 1);

        Reply first = reply(runtime.handle(cmd));
        Reply again = reply(runtime.handle(cmd));

        assertThat(first.payload()).contains("Zürich Ωμέγα Москва 東京 🎉").hasSizeGreaterThan(100_000);
        assertThat(again.disposition()).isEqualTo(Disposition.REPLAYED);
        assertThat(again.payloadBytes()).isEqualTo(first.payloadBytes());
        assertThat(again.payloadType()).isEqualTo("Charged").isEqualTo(first.payloadType());
        assertThat(again.outcome()).isEqualTo(ReplyOutcome.SUCCESS);
        assertThat(again.headers()).isEqualTo(withMessageId(first.headers(), again.messageId()));
        assertThat(find(chargeId("s-1", 1))).hasValueSatisfying(r -> {
            assertThat(r.participant()).isEqualTo(PARTICIPANT);
            assertThat(r.messageId()).isEqualTo(chargeId("s-1", 1));
            assertThat(r.sagaId()).isEqualTo("s-1");
            assertThat(r.step()).isEqualTo(KitMessages.STEP);
            assertThat(r.kind()).isEqualTo(CommandKind.COMMAND);
            assertThat(r.messageType()).isEqualTo("Charge");
            assertThat(r.outcome()).isEqualTo(ReplyOutcome.SUCCESS);
            assertThat(r.disposition()).isEqualTo(Disposition.HANDLED);
            assertThat(r.replyType()).isEqualTo("Charged");
            assertThat(r.replyPayload()).isEqualTo(first.payload());
            assertThat(r.reason()).isNull();
            assertThat(r.handledAt()).isEqualTo(NOW);
        });
        assertThat(runs).hasValue(1);
    }

    @Test
    @DisplayName("a reply without a payload is replayed without one")
    void replyWithoutPayload() {
        ParticipantRuntime runtime = runtime(CommandHandlers.forParticipant(PARTICIPANT)
                .on(Charge.class, (cmd, ctx) -> book(ctx, cmd.orderId(), cmd.amountCents()))
                .build());

        Reply first = reply(runtime.handle(charge("s-1", 1)));
        Reply again = reply(runtime.handle(charge("s-1", 1)));

        assertThat(first.payload()).isNull();
        assertThat(again.disposition()).isEqualTo(Disposition.REPLAYED);
        assertThat(again.payload()).isNull();
        assertThat(again.payloadType()).isNull();
        assertThat(again.headers()).doesNotContainKey(Headers.MESSAGE_TYPE).doesNotContainKey(Headers.REASON);
        assertThat(find(chargeId("s-1", 1))).hasValueSatisfying(r -> {
            assertThat(r.replyType()).isNull();
            assertThat(r.replyPayload()).isNull();
        });
    }

    @Test
    @DisplayName("a redelivery to a second instance of the service (another store on the same database) is answered from the record")
    void replayOnAnotherInstance() {
        ParticipantRuntime first = runtime(ledgerHandlers());
        ParticipantRuntime second = runtime(ledgerHandlers(), secondStore(), NOW);

        Reply handled = reply(first.handle(charge("s-1", 1)));
        Reply replayed = reply(second.handle(charge("s-1", 1)));

        assertThat(replayed.disposition()).isEqualTo(Disposition.REPLAYED);
        assertThat(replayed.payload()).isEqualTo(handled.payload());
        assertThat(secondStore().find(PARTICIPANT, chargeId("s-1", 1))).isEqualTo(find(chargeId("s-1", 1)));
        assertThat(runs).hasValue(1);
    }

    @Test
    @DisplayName("a FAILURE is final: a redelivery is answered FAILURE with the same reason, even if the handler would now succeed")
    void failureIsFinal() {
        String reason = "card declined: " + UNICODE;
        ParticipantRuntime runtime = runtime(CommandHandlers.forParticipant(PARTICIPANT)
                .on(Charge.class, (cmd, ctx) -> runs.incrementAndGet() == 1 ? Outcome.failure(reason)
                        : Outcome.success(charged()))
                .build());
        IncomingCommand cmd = charge("s-1", 1);

        Reply first = reply(runtime.handle(cmd));
        Reply again = reply(runtime.handle(cmd));

        assertThat(runs).hasValue(1);
        assertThat(first.outcome()).isEqualTo(ReplyOutcome.FAILURE);
        assertThat(first.reason()).isEqualTo(reason);
        assertThat(again.outcome()).isEqualTo(ReplyOutcome.FAILURE);
        assertThat(again.reason()).isEqualTo(reason);
        assertThat(again.disposition()).isEqualTo(Disposition.REPLAYED);
        assertThat(again.payload()).isNull();
        assertThat(find(chargeId("s-1", 1))).hasValueSatisfying(r -> {
            assertThat(r.outcome()).isEqualTo(ReplyOutcome.FAILURE);
            assertThat(r.reason()).isEqualTo(reason);
        });
    }

    @Test
    @DisplayName("a reason of 2000 characters (the most the SDK sends), none of them ASCII, is recorded and replayed whole")
    void longestReason() {
        String reason = "€".repeat(1000) + "ü".repeat(1000); // 2000 characters, 5000 bytes in UTF-8
        ParticipantRuntime runtime = runtime(CommandHandlers.forParticipant(PARTICIPANT)
                .on(Charge.class, cmd -> Outcome.failure(reason))
                .build());

        assertThat(reply(runtime.handle(charge("s-1", 1))).reason()).isEqualTo(reason);
        Reply again = reply(runtime.handle(charge("s-1", 1)));

        assertThat(again.disposition()).isEqualTo(Disposition.REPLAYED);
        assertThat(again.reason()).isEqualTo(reason);
        assertThat(find(chargeId("s-1", 1))).hasValueSatisfying(r -> assertThat(r.reason()).isEqualTo(reason));
    }

    @Test
    @DisplayName("RETRY_LATER is not recorded: the engine's re-send of the same message id runs the handler again")
    void retryLaterIsNotRecorded() {
        ParticipantRuntime runtime = runtime(CommandHandlers.forParticipant(PARTICIPANT)
                .on(Charge.class, (cmd, ctx) -> {
                    book(ctx, cmd.orderId(), cmd.amountCents());
                    return runs.get() == 1 ? Outcome.retryLater("card processor busy", Duration.ofSeconds(30))
                            : Outcome.success(charged());
                })
                .build());
        IncomingCommand cmd = charge("s-1", 1);

        Reply busy = reply(runtime.handle(cmd));
        assertThat(busy.outcome()).isEqualTo(ReplyOutcome.RETRY_LATER);
        assertThat(busy.reason()).isEqualTo("card processor busy");
        assertThat(busy.retryAfter()).isEqualTo(Duration.ofSeconds(30));
        assertThat(busy.error()).as("a busy answer is no error").isFalse();
        assertThat(find(chargeId("s-1", 1))).isEmpty();
        assertThat(count("baton_participant_inbox")).isZero();

        Reply resent = reply(runtime.handle(KitMessages.withHeader(cmd, Headers.ATTEMPT, "2")));
        assertThat(resent.outcome()).isEqualTo(ReplyOutcome.SUCCESS);
        assertThat(resent.disposition()).isEqualTo(Disposition.HANDLED);
        assertThat(resent.retryAfter()).isNull();

        Reply third = reply(runtime.handle(KitMessages.withHeader(cmd, Headers.ATTEMPT, "3")));
        assertThat(third.disposition()).isEqualTo(Disposition.REPLAYED);
        assertThat(third.payload()).isEqualTo(resent.payload());
        assertThat(runs).hasValue(2);
        assertThat(ledgerRows()).as("the busy run's write was rolled back").isEqualTo(1);
    }

    @Test
    @DisplayName("a new invocation after a FAILURE (a new message id) runs the handler again")
    void newInvocationAfterFailureRuns() {
        AtomicInteger calls = new AtomicInteger();
        ParticipantRuntime runtime = runtime(CommandHandlers.forParticipant(PARTICIPANT)
                .on(Charge.class, (cmd, ctx) -> calls.incrementAndGet() == 1 ? Outcome.failure("no funds")
                        : book(ctx, cmd.orderId(), cmd.amountCents()))
                .build());

        Reply first = reply(runtime.handle(charge("s-1", 1)));
        Reply second = reply(runtime.handle(charge("s-1", 2)));

        assertThat(first.outcome()).isEqualTo(ReplyOutcome.FAILURE);
        assertThat(second.outcome()).isEqualTo(ReplyOutcome.SUCCESS);
        assertThat(second.disposition()).isEqualTo(Disposition.HANDLED);
        assertThat(calls).hasValue(2);
        assertThat(ledgerRows()).isEqualTo(1);
        assertThat(reply(runtime.handle(charge("s-1", 1))).outcome()).as("the first invocation stays failed")
                .isEqualTo(ReplyOutcome.FAILURE);
    }

    @Test
    @DisplayName("a new invocation of a step that already succeeded (an operator's retry after a lost reply) gets that success, payload included, not a second effect")
    void newInvocationAfterSuccessIsAlreadyDone() {
        ParticipantRuntime runtime = runtime(ledgerHandlers());

        Reply first = reply(runtime.handle(charge("s-1", 1)));
        Reply retried = reply(runtime.handle(charge("s-1", 2)));

        assertThat(runs).hasValue(1);
        assertThat(ledgerRows()).isEqualTo(1);
        assertThat(retried.outcome()).isEqualTo(ReplyOutcome.SUCCESS);
        assertThat(retried.disposition()).isEqualTo(Disposition.ALREADY_DONE);
        assertThat(retried.correlationId()).isEqualTo(chargeId("s-1", 2));
        assertThat(retried.payload()).isEqualTo(first.payload());
        assertThat(retried.payloadType()).isEqualTo(first.payloadType());
        assertThat(retried.reason()).contains("already done", chargeId("s-1", 1));
        assertThat(find(chargeId("s-1", 2))).hasValueSatisfying(
                r -> assertThat(r.disposition()).isEqualTo(Disposition.ALREADY_DONE));
        Reply again = reply(runtime.handle(charge("s-1", 2)));
        assertThat(again.disposition()).as("the ALREADY_DONE answer is itself a record").isEqualTo(Disposition.REPLAYED);
        assertThat(again.payload()).isEqualTo(first.payload());
    }

    @Test
    @DisplayName("records are per participant: two participants in one database answer the same message id each with their own run")
    void recordsPerParticipant() {
        AtomicInteger other = new AtomicInteger();
        ParticipantRuntime payment = runtime(ledgerHandlers());
        ParticipantRuntime payout = runtime(CommandHandlers.forParticipant("payout")
                .on(Charge.class, cmd -> {
                    other.incrementAndGet();
                    return Outcome.failure("payouts closed");
                })
                .build());

        assertThat(reply(payment.handle(charge("s-1", 1))).outcome()).isEqualTo(ReplyOutcome.SUCCESS);
        assertThat(reply(payout.handle(charge("s-1", 1))).outcome()).isEqualTo(ReplyOutcome.FAILURE);
        assertThat(reply(payment.handle(charge("s-1", 1))).outcome()).isEqualTo(ReplyOutcome.SUCCESS);
        assertThat(reply(payout.handle(charge("s-1", 1))).disposition()).isEqualTo(Disposition.REPLAYED);

        assertThat(runs).hasValue(1);
        assertThat(other).hasValue(1);
        assertThat(store().find("payout", chargeId("s-1", 1))).hasValueSatisfying(
                r -> assertThat(r.outcome()).isEqualTo(ReplyOutcome.FAILURE));
        assertThat(find(chargeId("s-1", 1))).hasValueSatisfying(
                r -> assertThat(r.outcome()).isEqualTo(ReplyOutcome.SUCCESS));
    }

    private static Map<String, String> withMessageId(Map<String, String> headers, String messageId) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put(Headers.MESSAGE_ID, messageId);
        return h;
    }
}
