package dev.baton.participant;

import static dev.baton.participant.TestMessages.command;
import static dev.baton.participant.TestMessages.compensation;
import static dev.baton.participant.TestMessages.reply;
import static dev.baton.participant.TestMessages.unavailable;
import static dev.baton.participant.TestMessages.withHeader;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.participant.TestMessages.AuthorizePayment;
import dev.baton.participant.TestMessages.RefundPayment;
import dev.baton.protocol.Headers;
import dev.baton.protocol.ReplyOutcome;
import java.sql.SQLTransactionRollbackException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@link ParticipantRuntime#handleAll}: the answers of {@code handle} one by one, with one commit per batch. */
class BatchTest {

    private final AtomicInteger commits = new AtomicInteger();
    private final AtomicInteger runs = new AtomicInteger();
    private SwitchableDataSource h2;
    private JdbiIdempotencyStore store;

    @BeforeEach
    void open() {
        h2 = new SwitchableDataSource("jdbc:h2:mem:batch-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        store = JdbiIdempotencyStore.create(new CountingDataSource(h2, commits));
        store.jdbi().useHandle(h -> h.execute("CREATE TABLE ledger (order_id VARCHAR(50), delta INT)"));
    }

    @AfterEach
    void close() {
        store.close();
    }

    private ParticipantRuntime runtime(CommandHandlers handlers) {
        ParticipantRuntime runtime = ParticipantRuntime.builder().store(store).handlers(handlers).build();
        commits.set(0);
        return runtime;
    }

    private Outcome book(Handle h, String orderId, int delta) {
        runs.incrementAndGet();
        h.execute("INSERT INTO ledger VALUES (?, ?)", orderId, delta);
        return Outcome.success();
    }

    private CommandHandlers ledger() {
        return CommandHandlers.forParticipant("payment")
                .on(AuthorizePayment.class, (cmd, ctx) -> cmd.amountCents() < 0
                        ? Outcome.retryLater("busy") : book(ctx.handle(), cmd.orderId(), 1))
                .on(RefundPayment.class, (cmd, ctx) -> book(ctx.handle(), cmd.orderId(), -1))
                .build();
    }

    private int ledgerRows() {
        return store.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM ledger").mapTo(Integer.class).one());
    }

    private static List<IncomingCommand> commands(int n) {
        List<IncomingCommand> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(command("s-" + i, "authorize-payment", 1, new AuthorizePayment("o-" + i, 100)));
        }
        return list;
    }

    @Test
    @DisplayName("ten new commands: ten HANDLED replies, ten ledger rows, one commit")
    void oneCommitPerBatch() {
        List<HandlingResult> results = runtime(ledger()).handleAll(commands(10));

        assertThat(results).hasSize(10).allSatisfy(r -> assertThat(reply(r).disposition()).isEqualTo(Disposition.HANDLED));
        assertThat(ledgerRows()).isEqualTo(10);
        assertThat(commits).hasValue(1);
    }

    @Test
    @DisplayName("batchSize 4: ten commands commit in three chunks")
    void chunks() {
        ParticipantRuntime runtime = ParticipantRuntime.builder().store(store).handlers(ledger()).batchSize(4).build();
        commits.set(0);

        assertThat(runtime.handleAll(commands(10))).hasSize(10);
        assertThat(commits).hasValue(3);
    }

    @Test
    @DisplayName("RETRY_LATER in the middle rolls back that command alone and records nothing for it")
    void retryLaterIsolated() {
        List<IncomingCommand> batch = new ArrayList<>(commands(3));
        batch.add(1, command("s-busy", "authorize-payment", 1, new AuthorizePayment("o-busy", -1)));

        List<HandlingResult> results = runtime(ledger()).handleAll(batch);

        assertThat(results).extracting(r -> reply(r).outcome()).containsExactly(ReplyOutcome.SUCCESS,
                ReplyOutcome.RETRY_LATER, ReplyOutcome.SUCCESS, ReplyOutcome.SUCCESS);
        assertThat(ledgerRows()).isEqualTo(3);
        assertThat(store.find("payment", "s-busy/authorize-payment/do/1")).isEmpty();
        assertThat(commits).hasValue(1);
    }

    @Test
    @DisplayName("a duplicate, a compensation of a step of the same batch and a malformed command: answered as one by one")
    void sameAnswersAsOneByOne() {
        IncomingCommand charge = command("s-1", "authorize-payment", 1, new AuthorizePayment("o-1", 100));
        IncomingCommand malformed = withHeader(charge, Headers.SAGA_ID, null);
        IncomingCommand refund = compensation("s-1", "authorize-payment", 1, new RefundPayment("o-1"));
        IncomingCommand refundNeverCharged = compensation("s-2", "authorize-payment", 1, new RefundPayment("o-2"));

        List<HandlingResult> results = runtime(ledger()).handleAll(
                List.of(charge, charge, malformed, refund, refundNeverCharged, charge));

        assertThat(reply(results.get(0)).disposition()).isEqualTo(Disposition.HANDLED);
        assertThat(reply(results.get(1)).disposition()).isEqualTo(Disposition.REPLAYED);
        assertThat(results.get(2)).isInstanceOf(Rejected.class);
        assertThat(reply(results.get(3)).disposition()).isEqualTo(Disposition.HANDLED);
        assertThat(reply(results.get(4)).disposition()).isEqualTo(Disposition.NOTHING_TO_COMPENSATE);
        assertThat(reply(results.get(5)).disposition()).isEqualTo(Disposition.REPLAYED);
        assertThat(runs).hasValue(2);
        assertThat(commits).hasValue(1);
    }

    @Test
    @DisplayName("a transient database failure in the batch: rolled back whole, then one by one; every command takes effect once")
    void fallbackAfterFailure() {
        Set<String> failedOnce = ConcurrentHashMap.newKeySet();
        ParticipantRuntime runtime = runtime(CommandHandlers.forParticipant("payment")
                .on(AuthorizePayment.class, (cmd, ctx) -> {
                    book(ctx.handle(), cmd.orderId(), 1);
                    if (cmd.orderId().equals("o-2") && failedOnce.add(cmd.orderId())) {
                        throw new SQLTransactionRollbackException("deadlock (the test's)", "40001");
                    }
                    return Outcome.success();
                })
                .build());

        List<HandlingResult> results = runtime.handleAll(commands(4));

        assertThat(results).allSatisfy(r -> assertThat(reply(r).disposition()).isEqualTo(Disposition.HANDLED));
        assertThat(ledgerRows()).as("the batch's writes were rolled back, then each written once").isEqualTo(4);
        assertThat(runs).as("o-0..o-2 ran in the batch, then all four one by one").hasValue(7);
        assertThat(commits).as("one commit per command after the fallback").hasValue(4);
    }

    @Test
    @DisplayName("a plain CommandHandler (it may call other systems) is never batched")
    void plainHandlersOneByOne() {
        ParticipantRuntime runtime = runtime(CommandHandlers.forParticipant("payment")
                .on(AuthorizePayment.class, cmd -> {
                    runs.incrementAndGet();
                    return Outcome.success();
                })
                .build());

        assertThat(runtime.handleAll(commands(5))).hasSize(5);
        assertThat(commits).hasValue(5);
    }

    @Test
    @DisplayName("database down: the first command is Unavailable and every later one is not even attempted")
    void unavailableStopsTheBatch() {
        ParticipantRuntime runtime = runtime(ledger());
        h2.down(true);

        List<HandlingResult> results = runtime.handleAll(commands(3));

        assertThat(unavailable(results.get(0)).reason()).contains("unreachable");
        assertThat(unavailable(results.get(1)).reason()).contains("not attempted");
        assertThat(unavailable(results.get(2)).reason()).contains("not attempted");
        h2.down(false);
        assertThat(runtime.handleAll(commands(3))).allSatisfy(r -> assertThat(reply(r).outcome()).isEqualTo(ReplyOutcome.SUCCESS));
        assertThat(ledgerRows()).isEqualTo(3);
    }
}
