package dev.baton.participant;

import static dev.baton.participant.TestMessages.command;
import static dev.baton.participant.TestMessages.reply;
import static dev.baton.participant.TestMessages.unavailable;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.participant.TestMessages.AuthorizePayment;
import dev.baton.protocol.ReplyOutcome;
import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** What a handler that throws is answered with; never a lost message. */
class ExceptionPolicyTest extends H2Test {

    private final AtomicInteger runs = new AtomicInteger();
    private final IncomingCommand cmd = command("s-1", "authorize-payment", 1, new AuthorizePayment("o-1", 2500));

    static final class InsufficientFundsException extends IllegalArgumentException {
        InsufficientFundsException(String message) {
            super(message);
        }
    }

    @BeforeEach
    void serviceTable() {
        store.jdbi().useHandle(h -> h.execute("CREATE TABLE audit (message_id VARCHAR(255))"));
    }

    private CommandHandlers.Builder<Object> throwing(Exception first) {
        return CommandHandlers.forParticipant("payment").on(AuthorizePayment.class, (c, ctx) -> {
            ctx.handle().execute("INSERT INTO audit VALUES (?)", ctx.messageId());
            if (runs.incrementAndGet() == 1) {
                throw first;
            }
            return Outcome.success();
        });
    }

    @Test
    @DisplayName("default RETRY_LATER: a bug (NPE) is answered RETRY_LATER with its class and an error id, nothing recorded; the re-send after the fix runs")
    void defaultIsRetryLater() {
        ParticipantRuntime runtime = runtime(CommandHandlers.forParticipant("payment")
                .on(AuthorizePayment.class, c -> {
                    if (runs.incrementAndGet() == 1) {
                        String missing = null;
                        return Outcome.success(missing.length()); // the bug
                    }
                    return Outcome.success();
                })
                .build());
        assertThat(runtime.handlers().exceptionPolicy()).isEqualTo(ExceptionPolicy.RETRY_LATER);

        Reply r = reply(runtime.handle(cmd));

        assertThat(r.outcome()).isEqualTo(ReplyOutcome.RETRY_LATER);
        assertThat(r.reason()).matches("the handler for AuthorizePayment threw NullPointerException \\(error id [0-9a-f]{8}\\)");
        assertThat(r.error()).as("marked as an error, not busy: the engine's breaker counts it").isTrue();
        assertThat(r.headers()).containsEntry(dev.baton.protocol.Headers.RETRY_CAUSE, "error");
        assertThat(r.disposition()).isEqualTo(Disposition.HANDLED);
        assertThat(store.find("payment", "s-1/authorize-payment/do/1")).isEmpty();

        Reply resent = reply(runtime.handle(cmd));
        assertThat(resent.outcome()).isEqualTo(ReplyOutcome.SUCCESS);
        assertThat(runs).hasValue(2);
    }

    @Test
    @DisplayName("FAIL: the exception becomes a final FAILURE, replayed on redelivery; the handler's write is rolled back")
    void failPolicy() {
        ParticipantRuntime runtime = runtime(throwing(new IllegalStateException("limit table corrupt"))
                .onException(ExceptionPolicy.FAIL).build());

        Reply r = reply(runtime.handle(cmd));
        Reply again = reply(runtime.handle(cmd));

        assertThat(r.outcome()).isEqualTo(ReplyOutcome.FAILURE);
        assertThat(r.reason()).matches("the handler for AuthorizePayment threw IllegalStateException \\(error id [0-9a-f]{8}\\)")
                .doesNotContain("limit table corrupt"); // the message is in this process's log, next to the id
        assertThat(again.disposition()).isEqualTo(Disposition.REPLAYED);
        assertThat(again.reason()).isEqualTo(r.reason());
        assertThat(runs).hasValue(1);
        assertThat(count("audit")).isZero();
    }

    @Test
    @DisplayName("a policy per exception type: the most specific registered type wins, others use the participant-wide one")
    void perTypePolicy() {
        CommandHandlers handlers = throwing(new InsufficientFundsException("balance 12.00 < 25.00"))
                .onException(IllegalArgumentException.class, ExceptionPolicy.FAIL)
                .onException(InsufficientFundsException.class, ExceptionPolicy.RETRY_LATER)
                .onException(RuntimeException.class, ExceptionPolicy.FAIL)
                .build();

        assertThat(handlers.exceptionPolicyFor(new InsufficientFundsException("x"))).isEqualTo(ExceptionPolicy.RETRY_LATER);
        assertThat(handlers.exceptionPolicyFor(new NumberFormatException("x"))).isEqualTo(ExceptionPolicy.FAIL);
        assertThat(handlers.exceptionPolicyFor(new IllegalStateException("x"))).isEqualTo(ExceptionPolicy.FAIL);
        assertThat(handlers.exceptionPolicyFor(new IOException("x"))).isEqualTo(ExceptionPolicy.RETRY_LATER);
        assertThat(handlers.exceptionPolicyFor(new AssertionError("x"))).isEqualTo(ExceptionPolicy.RETRY_LATER);

        ParticipantRuntime runtime = runtime(throwing(new InsufficientFundsException("balance too low"))
                .onException(InsufficientFundsException.class, ExceptionPolicy.FAIL).build());
        Reply r = reply(runtime.handle(cmd));
        assertThat(r.outcome()).isEqualTo(ReplyOutcome.FAILURE);
        assertThat(r.reason()).contains("InsufficientFundsException (error id ").doesNotContain("balance too low");
    }

    @Test
    @DisplayName("a checked exception goes through the policy too")
    void checkedException() {
        ParticipantRuntime runtime = runtime(throwing(new IOException("psp read timed out")).build());

        Reply r = reply(runtime.handle(cmd));

        assertThat(r.outcome()).isEqualTo(ReplyOutcome.RETRY_LATER);
        assertThat(r.reason()).contains("IOException (error id ").doesNotContain("psp read timed out");
    }

    @Test
    @DisplayName("a handler returning null is a handler bug, answered per the policy")
    void nullOutcome() {
        ParticipantRuntime runtime = runtime(CommandHandlers.forParticipant("payment")
                .on(AuthorizePayment.class, c -> null).onException(ExceptionPolicy.FAIL).build());

        Reply r = reply(runtime.handle(cmd));

        assertThat(r.outcome()).isEqualTo(ReplyOutcome.FAILURE);
        assertThat(r.reason()).contains("IllegalStateException (error id "); // "returned null instead of an Outcome" is logged
    }

    @Test
    @DisplayName("a very long exception message (shown when opted in) is cut to 2000 characters, the same in the reply and the record")
    void longReasonIsCut() {
        ParticipantRuntime runtime = ParticipantRuntime.builder().store(store).exceptionMessagesInReasons(true)
                .handlers(throwing(new IllegalStateException("x".repeat(5000))).onException(ExceptionPolicy.FAIL).build())
                .build();

        Reply r = reply(runtime.handle(cmd));

        assertThat(r.reason()).hasSize(2000).endsWith("…");
        assertThat(reply(runtime.handle(cmd)).reason()).isEqualTo(r.reason());
    }

    @Test
    @DisplayName("a transient database error in the handler (deadlock) is not a decision: the transaction is run again")
    void transientDatabaseErrorIsRetried() {
        ParticipantRuntime runtime = runtime(throwing(new SQLException("deadlock detected", "40P01"))
                .onException(ExceptionPolicy.FAIL).build());

        Reply r = reply(runtime.handle(cmd));

        assertThat(r.outcome()).isEqualTo(ReplyOutcome.SUCCESS);
        assertThat(runs).hasValue(2);
        assertThat(count("audit")).as("the first run's write was rolled back").isEqualTo(1);
    }

    @Test
    @DisplayName("a transient error that persists ends as Unavailable (redeliver), never as a recorded FAILURE")
    void persistentContentionIsUnavailable() {
        ParticipantRuntime runtime = ParticipantRuntime.builder().store(store).contentionAttempts(3)
                .handlers(CommandHandlers.forParticipant("payment").on(AuthorizePayment.class, c -> {
                    runs.incrementAndGet();
                    throw new SQLException("could not serialize access", "40001");
                }).onException(ExceptionPolicy.FAIL).build())
                .build();

        Unavailable u = unavailable(runtime.handle(cmd));

        assertThat(u.reason()).startsWith("still contended after 3 attempts: SQLSTATE 40001");
        assertThat(u.cause()).isInstanceOf(SQLException.class);
        assertThat(runs).hasValue(3);
        assertThat(count("baton_participant_inbox")).isZero();
    }

    @Test
    @DisplayName("a lost connection in the handler is Unavailable at once, whatever the policy")
    void connectionLossIsUnavailable() {
        ParticipantRuntime runtime = runtime(throwing(new SQLTransientConnectionException("pool exhausted", "08001"))
                .onException(ExceptionPolicy.FAIL).build());

        Unavailable u = unavailable(runtime.handle(cmd));

        assertThat(u.reason()).startsWith("database unreachable: SQLSTATE 08001");
        assertThat(runs).hasValue(1);
        assertThat(count("audit")).isZero();
        assertThat(reply(runtime.handle(cmd)).outcome()).as("redelivered later").isEqualTo(ReplyOutcome.SUCCESS);
    }

    @Test
    @DisplayName("an interrupted handler is Unavailable, the interrupt flag is kept, nothing is recorded")
    void interrupted() {
        ParticipantRuntime runtime = runtime(throwing(new InterruptedException("shutting down"))
                .onException(ExceptionPolicy.FAIL).build());
        try {
            Unavailable u = unavailable(runtime.handle(cmd));

            assertThat(u.reason()).contains("interrupted");
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
        assertThat(count("baton_participant_inbox")).isZero();
        assertThat(count("audit")).isZero();
    }
}
