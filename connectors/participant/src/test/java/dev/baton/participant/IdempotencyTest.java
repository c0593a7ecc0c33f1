package dev.baton.participant;

import static dev.baton.participant.TestMessages.command;
import static dev.baton.participant.TestMessages.reply;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.participant.TestMessages.AuthorizePayment;
import dev.baton.participant.TestMessages.PaymentAuthorized;
import dev.baton.protocol.Headers;
import dev.baton.protocol.ReplyOutcome;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One effect per message id, however often the message is delivered. */
class IdempotencyTest extends H2Test {

    private final AtomicInteger runs = new AtomicInteger();

    /** Authorizes with a fresh payment id, time and nonce on every run: only a replay can repeat a reply exactly. */
    private CommandHandlers authorizing() {
        return CommandHandlers.forParticipant("payment")
                .on(AuthorizePayment.class, cmd -> {
                    runs.incrementAndGet();
                    return Outcome.success(new PaymentAuthorized("p-" + UUID.randomUUID(), Instant.now(),
                            UUID.randomUUID().toString()));
                })
                .build();
    }

    @Test
    @DisplayName("a command delivered four times runs its handler once; the three redeliveries are answered from the record")
    void handlerRunsOnceUnderRedelivery() {
        ParticipantRuntime runtime = runtime(authorizing());
        IncomingCommand cmd = command("s-1", "authorize-payment", 1, new AuthorizePayment("o-1", 2500));

        List<Reply> replies = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            replies.add(reply(runtime.handle(cmd)));
        }

        assertThat(runs).hasValue(1);
        assertThat(replies).extracting(Reply::disposition)
                .containsExactly(Disposition.HANDLED, Disposition.REPLAYED, Disposition.REPLAYED, Disposition.REPLAYED);
        assertThat(replies).extracting(Reply::outcome).containsOnly(ReplyOutcome.SUCCESS);
        assertThat(replies).extracting(Reply::correlationId).containsOnly("s-1/authorize-payment/do/1");
        assertThat(replies).extracting(Reply::sagaId).containsOnly("s-1");
        assertThat(replies).extracting(Reply::messageId).doesNotHaveDuplicates();
        assertThat(count("baton_participant_inbox")).isEqualTo(1);
    }

    @Test
    @DisplayName("the recorded reply is returned byte for byte: payload, payload type, outcome and reason")
    void recordedReplyIsByteForByte() {
        ParticipantRuntime runtime = runtime(authorizing());
        IncomingCommand cmd = command("s-1", "authorize-payment", 1, new AuthorizePayment("o-1", 2500));

        Reply first = reply(runtime.handle(cmd));
        Reply again = reply(runtime.handle(cmd));

        assertThat(first.payload()).contains("\"paymentId\":\"p-");
        assertThat(again.payloadBytes()).isEqualTo(first.payloadBytes());
        assertThat(again.payloadType()).isEqualTo("PaymentAuthorized").isEqualTo(first.payloadType());
        assertThat(again.headers()).containsAllEntriesOf(withoutMessageId(first));
        assertThat(store.find("payment", "s-1/authorize-payment/do/1")).hasValueSatisfying(r -> {
            assertThat(r.replyPayload()).isEqualTo(first.payload());
            assertThat(r.outcome()).isEqualTo(ReplyOutcome.SUCCESS);
            assertThat(r.disposition()).isEqualTo(Disposition.HANDLED);
            assertThat(r.messageType()).isEqualTo("AuthorizePayment");
        });
    }

    private static Map<String, String> withoutMessageId(Reply r) {
        Map<String, String> h = new LinkedHashMap<>(r.headers());
        h.remove(Headers.MESSAGE_ID);
        return h;
    }

    @Test
    @DisplayName("a FAILURE is final: a redelivery is answered FAILURE from the record, even if the handler would now succeed")
    void failureIsFinal() {
        ParticipantRuntime runtime = runtime(CommandHandlers.forParticipant("payment")
                .on(AuthorizePayment.class, cmd -> runs.incrementAndGet() == 1 ? Outcome.failure("card declined")
                        : Outcome.success())
                .build());
        IncomingCommand cmd = command("s-1", "authorize-payment", 1, new AuthorizePayment("o-1", 2500));

        Reply first = reply(runtime.handle(cmd));
        Reply again = reply(runtime.handle(cmd));

        assertThat(runs).hasValue(1);
        assertThat(first.outcome()).isEqualTo(ReplyOutcome.FAILURE);
        assertThat(first.reason()).isEqualTo("card declined");
        assertThat(again.outcome()).isEqualTo(ReplyOutcome.FAILURE);
        assertThat(again.reason()).isEqualTo("card declined");
        assertThat(again.disposition()).isEqualTo(Disposition.REPLAYED);
    }

    @Test
    @DisplayName("RETRY_LATER is not recorded: the engine's re-send of the same message id runs the handler again")
    void retryLaterThenResendExecutes() {
        ParticipantRuntime runtime = runtime(CommandHandlers.forParticipant("payment")
                .on(AuthorizePayment.class, cmd -> runs.incrementAndGet() == 1
                        ? Outcome.retryLater("card processor busy", Duration.ofSeconds(30))
                        : Outcome.success(new PaymentAuthorized("p-1", Instant.EPOCH, "n")))
                .build());
        IncomingCommand cmd = command("s-1", "authorize-payment", 1, new AuthorizePayment("o-1", 2500));

        Reply busy = reply(runtime.handle(cmd));
        assertThat(busy.outcome()).isEqualTo(ReplyOutcome.RETRY_LATER);
        assertThat(busy.reason()).isEqualTo("card processor busy");
        assertThat(busy.retryAfter()).isEqualTo(Duration.ofSeconds(30));
        assertThat(busy.headers()).containsEntry(Headers.RETRY_AFTER_MS, "30000");
        assertThat(busy.error()).as("a busy answer is no error").isFalse();
        assertThat(busy.headers()).doesNotContainKey(Headers.RETRY_CAUSE);
        assertThat(busy.payload()).isNull();
        assertThat(store.find("payment", "s-1/authorize-payment/do/1")).isEmpty();

        Reply resent = reply(runtime.handle(withAttempt(cmd, 2)));
        assertThat(resent.outcome()).isEqualTo(ReplyOutcome.SUCCESS);
        assertThat(resent.disposition()).isEqualTo(Disposition.HANDLED);
        assertThat(resent.headers()).doesNotContainKey(Headers.RETRY_AFTER_MS);

        Reply third = reply(runtime.handle(withAttempt(cmd, 3)));
        assertThat(third.disposition()).isEqualTo(Disposition.REPLAYED);
        assertThat(third.payload()).isEqualTo(resent.payload());
        assertThat(runs).hasValue(2);
    }

    private static IncomingCommand withAttempt(IncomingCommand c, int attempt) {
        return TestMessages.withHeader(c, Headers.ATTEMPT, Integer.toString(attempt));
    }

    @Test
    @DisplayName("a new invocation after a FAILURE (a new message id) runs the handler again")
    void newInvocationAfterFailureRuns() {
        ParticipantRuntime runtime = runtime(CommandHandlers.forParticipant("logistics")
                .on(AuthorizePayment.class, cmd -> runs.incrementAndGet() == 1 ? Outcome.failure("no truck")
                        : Outcome.success())
                .build());

        Reply first = reply(runtime.handle(command("s-1", "schedule-shipment", 1, new AuthorizePayment("o-1", 1))));
        Reply second = reply(runtime.handle(command("s-1", "schedule-shipment", 2, new AuthorizePayment("o-1", 1))));

        assertThat(first.outcome()).isEqualTo(ReplyOutcome.FAILURE);
        assertThat(second.outcome()).isEqualTo(ReplyOutcome.SUCCESS);
        assertThat(second.disposition()).isEqualTo(Disposition.HANDLED);
        assertThat(runs).hasValue(2);
    }

    @Test
    @DisplayName("a new invocation of a step that already succeeded (operator retry after a lost reply) gets that success, not a second effect")
    void newInvocationAfterSuccessIsAlreadyDone() {
        ParticipantRuntime runtime = runtime(authorizing());

        Reply first = reply(runtime.handle(command("s-1", "authorize-payment", 1, new AuthorizePayment("o-1", 2500))));
        Reply retried = reply(runtime.handle(command("s-1", "authorize-payment", 2, new AuthorizePayment("o-1", 2500))));

        assertThat(runs).hasValue(1);
        assertThat(retried.outcome()).isEqualTo(ReplyOutcome.SUCCESS);
        assertThat(retried.disposition()).isEqualTo(Disposition.ALREADY_DONE);
        assertThat(retried.correlationId()).isEqualTo("s-1/authorize-payment/do/2");
        assertThat(retried.payload()).isEqualTo(first.payload());
        assertThat(retried.reason()).contains("already done", "s-1/authorize-payment/do/1");
    }

    @Test
    @DisplayName("records are durable: after a restart on the same H2 file, a redelivery is answered from the record")
    void survivesRestart(@TempDir Path dir) {
        String url = "jdbc:h2:file:" + dir.resolve("payment").toAbsolutePath() + ";WRITE_DELAY=0";
        IncomingCommand cmd = command("s-1", "authorize-payment", 1, new AuthorizePayment("o-1", 2500));
        Reply first;
        try (JdbiIdempotencyStore fileStore = JdbiIdempotencyStore.create(url, "sa", "")) {
            first = reply(ParticipantRuntime.builder().handlers(authorizing()).store(fileStore).build().handle(cmd));
        }
        try (JdbiIdempotencyStore reopened = JdbiIdempotencyStore.create(url, "sa", "")) {
            Reply again = reply(ParticipantRuntime.builder().handlers(authorizing()).store(reopened).build().handle(cmd));
            assertThat(again.disposition()).isEqualTo(Disposition.REPLAYED);
            assertThat(again.payload()).isEqualTo(first.payload());
        }
        assertThat(runs).hasValue(1);
    }

    @Test
    @DisplayName("reply headers: new id, correlation, saga, step and type echoed, trace context carried through")
    void replyHeaders() {
        ParticipantRuntime runtime = ParticipantRuntime.builder().handlers(authorizing()).store(store)
                .replyIds(counter()).build();
        IncomingCommand cmd = TestMessages.withHeader(
                command("s-9", "authorize-payment", 1, new AuthorizePayment("o-9", 100)),
                Headers.TRACEPARENT, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");

        Reply r = reply(runtime.handle(cmd));

        assertThat(r.headers()).containsExactly(
                Map.entry(Headers.MESSAGE_ID, "reply-1"),
                Map.entry(Headers.CORRELATION_ID, "s-9/authorize-payment/do/1"),
                Map.entry(Headers.SAGA_ID, "s-9"),
                Map.entry(Headers.SAGA_TYPE, "order-flow"),
                Map.entry(Headers.STEP, "authorize-payment"),
                Map.entry(Headers.OUTCOME, "SUCCESS"),
                Map.entry(Headers.MESSAGE_TYPE, "PaymentAuthorized"),
                Map.entry(Headers.TRACEPARENT, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
        assertThat(reply(runtime.handle(cmd)).messageId()).isEqualTo("reply-2");
    }

    private static Supplier<String> counter() {
        AtomicInteger n = new AtomicInteger();
        return () -> "reply-" + n.incrementAndGet();
    }
}
