package dev.baton.participant;

import static dev.baton.participant.TestMessages.command;
import static dev.baton.participant.TestMessages.reply;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.participant.TestMessages.AuthorizePayment;
import dev.baton.protocol.CommandKind;
import dev.baton.protocol.Headers;
import dev.baton.protocol.ReplyOutcome;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A transactional handler's own writes and the SDK's record commit together or not at all. */
class TransactionalHandlerTest extends H2Test {

    private final AtomicInteger runs = new AtomicInteger();

    @BeforeEach
    void serviceTable() {
        store.jdbi().useHandle(h -> h.execute(
                "CREATE TABLE payment (order_id VARCHAR(50) PRIMARY KEY, amount_cents BIGINT NOT NULL, message_id VARCHAR(255))"));
    }

    private static Outcome insertPayment(AuthorizePayment cmd, HandlerContext ctx) {
        ctx.handle().createUpdate("INSERT INTO payment (order_id, amount_cents, message_id) VALUES (:o, :a, :m)")
                .bind("o", cmd.orderId()).bind("a", cmd.amountCents()).bind("m", ctx.messageId()).execute();
        return Outcome.success();
    }

    @Test
    @DisplayName("the handler's write commits with the record; a redelivery writes nothing more")
    void writesCommitWithTheRecord() {
        ParticipantRuntime runtime = runtime(CommandHandlers.forParticipant("payment")
                .on(AuthorizePayment.class, (cmd, ctx) -> {
                    runs.incrementAndGet();
                    assertThat(ctx.handle().isInTransaction()).isTrue();
                    return insertPayment(cmd, ctx);
                })
                .build());
        IncomingCommand cmd = command("s-1", "authorize-payment", 1, new AuthorizePayment("o-1", 2500));

        assertThat(reply(runtime.handle(cmd)).outcome()).isEqualTo(ReplyOutcome.SUCCESS);
        assertThat(reply(runtime.handle(cmd)).disposition()).isEqualTo(Disposition.REPLAYED);

        assertThat(runs).hasValue(1);
        assertThat(count("payment")).isEqualTo(1);
        String paymentMessageId = store.jdbi().withHandle(h -> h.createQuery("SELECT message_id FROM payment")
                .mapTo(String.class).one());
        assertThat(paymentMessageId).isEqualTo("s-1/authorize-payment/do/1");
        assertThat(store.find("payment", "s-1/authorize-payment/do/1")).isPresent();
    }

    /** The same write, in plain JDBC on the context's connection. */
    private static void insertPaymentJdbc(AuthorizePayment cmd, HandlerContext ctx) throws java.sql.SQLException {
        try (java.sql.PreparedStatement insert = ctx.connection().prepareStatement(
                "INSERT INTO payment (order_id, amount_cents, message_id) VALUES (?, ?, ?)")) {
            insert.setString(1, cmd.orderId());
            insert.setLong(2, cmd.amountCents());
            insert.setString(3, ctx.messageId());
            insert.executeUpdate();
        }
    }

    @Test
    @DisplayName("plain JDBC on the context's connection: the write commits with the record, or rolls back when the handler throws")
    void plainJdbcJoinsTheTransaction() {
        ParticipantRuntime runtime = runtime(CommandHandlers.forParticipant("payment")
                .on(AuthorizePayment.class, (cmd, ctx) -> {
                    runs.incrementAndGet();
                    assertThat(ctx.connection().getAutoCommit()).isFalse();
                    insertPaymentJdbc(cmd, ctx);
                    if (cmd.amountCents() > 10_000) {
                        throw new IllegalStateException("over the limit");
                    }
                    return Outcome.success();
                })
                .onException(ExceptionPolicy.FAIL)
                .build());
        IncomingCommand ok = command("s-1", "authorize-payment", 1, new AuthorizePayment("o-1", 2500));
        IncomingCommand tooMuch = command("s-2", "authorize-payment", 1, new AuthorizePayment("o-2", 20_000));

        assertThat(reply(runtime.handle(ok)).outcome()).isEqualTo(ReplyOutcome.SUCCESS);
        assertThat(reply(runtime.handle(ok)).disposition()).isEqualTo(Disposition.REPLAYED);
        assertThat(reply(runtime.handle(tooMuch)).outcome()).isEqualTo(ReplyOutcome.FAILURE);

        assertThat(runs).hasValue(2);
        java.util.List<String> paid = store.jdbi().withHandle(h -> h.createQuery("SELECT order_id FROM payment")
                .mapTo(String.class).list());
        assertThat(paid).containsExactly("o-1");
        assertThat(store.find("payment", "s-2/authorize-payment/do/1")).isPresent();
    }

    @Test
    @DisplayName("a handler that writes and then throws (FAIL policy): its write is rolled back, the FAILURE is recorded")
    void throwRollsBackWritesFailPolicy() {
        ParticipantRuntime runtime = runtime(CommandHandlers.forParticipant("payment")
                .on(AuthorizePayment.class, (cmd, ctx) -> {
                    runs.incrementAndGet();
                    insertPayment(cmd, ctx);
                    throw new IllegalStateException("fraud check unreachable");
                })
                .onException(ExceptionPolicy.FAIL)
                .build());
        IncomingCommand cmd = command("s-1", "authorize-payment", 1, new AuthorizePayment("o-1", 2500));

        Reply r = reply(runtime.handle(cmd));

        assertThat(r.outcome()).isEqualTo(ReplyOutcome.FAILURE);
        assertThat(r.reason()).contains("IllegalStateException (error id ").doesNotContain("fraud check unreachable");
        assertThat(count("payment")).isZero();
        assertThat(store.find("payment", "s-1/authorize-payment/do/1")).hasValueSatisfying(
                rec -> assertThat(rec.outcome()).isEqualTo(ReplyOutcome.FAILURE));
        assertThat(reply(runtime.handle(cmd)).disposition()).isEqualTo(Disposition.REPLAYED);
        assertThat(runs).hasValue(1);
    }

    @Test
    @DisplayName("a handler that writes and then throws (default policy): its write is rolled back and nothing is recorded")
    void throwRollsBackWritesDefaultPolicy() {
        ParticipantRuntime runtime = runtime(CommandHandlers.forParticipant("payment")
                .on(AuthorizePayment.class, (cmd, ctx) -> {
                    insertPayment(cmd, ctx);
                    if (runs.incrementAndGet() == 1) {
                        throw new IllegalStateException("fraud check unreachable");
                    }
                    return Outcome.success();
                })
                .build());
        IncomingCommand cmd = command("s-1", "authorize-payment", 1, new AuthorizePayment("o-1", 2500));

        Reply first = reply(runtime.handle(cmd));
        assertThat(first.outcome()).isEqualTo(ReplyOutcome.RETRY_LATER);
        assertThat(count("payment")).isZero();
        assertThat(count("baton_participant_inbox")).isZero();

        Reply resent = reply(runtime.handle(cmd));
        assertThat(resent.outcome()).isEqualTo(ReplyOutcome.SUCCESS);
        assertThat(count("payment")).isEqualTo(1);
    }

    @Test
    @DisplayName("a handler that writes and answers retryLater: its write is rolled back, the re-send writes once")
    void retryLaterRollsBackWrites() {
        ParticipantRuntime runtime = runtime(CommandHandlers.forParticipant("payment")
                .on(AuthorizePayment.class, (cmd, ctx) -> {
                    insertPayment(cmd, ctx);
                    return runs.incrementAndGet() == 1 ? Outcome.retryLater("limit reached") : Outcome.success();
                })
                .build());
        IncomingCommand cmd = command("s-1", "authorize-payment", 1, new AuthorizePayment("o-1", 2500));

        assertThat(reply(runtime.handle(cmd)).outcome()).isEqualTo(ReplyOutcome.RETRY_LATER);
        assertThat(count("payment")).isZero();
        assertThat(reply(runtime.handle(cmd)).outcome()).isEqualTo(ReplyOutcome.SUCCESS);
        assertThat(count("payment")).isEqualTo(1);
    }

    @Test
    @DisplayName("a failure answered by the handler commits its writes with the record (say, a declined-payment audit row)")
    void failureOutcomeCommitsWrites() {
        ParticipantRuntime runtime = runtime(CommandHandlers.forParticipant("payment")
                .on(AuthorizePayment.class, (cmd, ctx) -> {
                    insertPayment(cmd, ctx);
                    return Outcome.failure("declined");
                })
                .build());

        assertThat(reply(runtime.handle(command("s-1", "authorize-payment", 1, new AuthorizePayment("o-1", 1))))
                .outcome()).isEqualTo(ReplyOutcome.FAILURE);
        assertThat(count("payment")).isEqualTo(1);
    }

    @Test
    @DisplayName("a reply that cannot be encoded is a handler failure: the writes are rolled back")
    void unencodableReplyRollsBack() {
        ParticipantRuntime runtime = runtime(CommandHandlers.forParticipant("payment")
                .on(AuthorizePayment.class, (cmd, ctx) -> {
                    insertPayment(cmd, ctx);
                    return Outcome.success(new Object()); // Jackson: no properties to serialise
                })
                .onException(ExceptionPolicy.FAIL)
                .build());

        Reply r = reply(runtime.handle(command("s-1", "authorize-payment", 1, new AuthorizePayment("o-1", 1))));

        assertThat(r.outcome()).isEqualTo(ReplyOutcome.FAILURE);
        assertThat(r.reason()).contains("InvalidDefinitionException");
        assertThat(count("payment")).isZero();
    }

    @Test
    @DisplayName("Handle.afterCommit runs once the writes and the record are committed, and not for a replay")
    void afterCommit() {
        AtomicBoolean recordVisible = new AtomicBoolean();
        ParticipantRuntime runtime = runtime(CommandHandlers.forParticipant("payment")
                .on(AuthorizePayment.class, (cmd, ctx) -> {
                    ctx.handle().afterCommit(() -> {
                        runs.incrementAndGet();
                        recordVisible.set(store.find("payment", ctx.messageId()).isPresent());
                    });
                    return insertPayment(cmd, ctx);
                })
                .build());
        IncomingCommand cmd = command("s-1", "authorize-payment", 1, new AuthorizePayment("o-1", 1));

        runtime.handle(cmd);
        runtime.handle(cmd);

        assertThat(runs).hasValue(1);
        assertThat(recordVisible).isTrue();
    }

    @Test
    @DisplayName("the context describes the command: message id, saga, step, kind, attempt, participant, headers")
    void context() {
        HandlerContext[] seen = new HandlerContext[1];
        String[] sagaType = new String[1];
        ParticipantRuntime runtime = runtime(CommandHandlers.forParticipant("payment")
                .on(AuthorizePayment.class, (cmd, ctx) -> {
                    seen[0] = ctx;
                    sagaType[0] = ctx.sagaType();
                    return Outcome.success();
                })
                .build());

        runtime.handle(TestMessages.withHeader(command("s-1", "authorize-payment", 3, new AuthorizePayment("o-1", 1)),
                Headers.ATTEMPT, "4"));

        HandlerContext ctx = seen[0];
        assertThat(ctx.messageId()).isEqualTo("s-1/authorize-payment/do/3");
        assertThat(ctx.sagaId()).isEqualTo("s-1");
        assertThat(ctx.step()).isEqualTo("authorize-payment");
        assertThat(ctx.kind()).isEqualTo(CommandKind.COMMAND);
        assertThat(ctx.attempt()).isEqualTo(4);
        assertThat(ctx.participant()).isEqualTo("payment");
        assertThat(sagaType[0]).isEqualTo("order-flow");
        assertThat(ctx.headers()).containsEntry(Headers.MESSAGE_TYPE, "AuthorizePayment");
    }
}
