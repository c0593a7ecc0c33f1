package dev.baton.participant;

import static dev.baton.participant.TestMessages.command;
import static dev.baton.participant.TestMessages.compensation;
import static dev.baton.participant.TestMessages.reply;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.participant.TestMessages.AuthorizePayment;
import dev.baton.participant.TestMessages.PaymentAuthorized;
import dev.baton.participant.TestMessages.RefundPayment;
import dev.baton.protocol.ReplyOutcome;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Deliveries racing on real threads against one H2 database: the handler runs once per message id. */
class ConcurrencyTest extends H2Test {

    private final AtomicInteger runs = new AtomicInteger();
    private ExecutorService threads;

    @BeforeEach
    void threads() {
        // a lock wait longer than H2's 2 s default, so a slow CI machine cannot turn a blocked copy into a retry
        store.close();
        store = JdbiIdempotencyStore.create("jdbc:h2:mem:concurrency-" + UUID.randomUUID() + ";LOCK_TIMEOUT=20000",
                "sa", "");
        threads = Executors.newFixedThreadPool(8);
        store.jdbi().useHandle(h -> h.execute("CREATE TABLE ledger (order_id VARCHAR(50), delta INT)"));
    }

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    /**
     * Sessions of this database waiting for another session: on a row lock ({@code FOR UPDATE}, shown with a
     * {@code BLOCKER_ID}), or inserting a step row that another open transaction inserted first. H2 makes that insert
     * wait until the other transaction ends without naming a blocker; while the first delivery's handler runs, an
     * insert of its step row still executing can only be waiting for it.
     */
    private int blockedSessions() {
        return store.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM INFORMATION_SCHEMA.SESSIONS"
                        + " WHERE BLOCKER_ID IS NOT NULL OR EXECUTING_STATEMENT LIKE 'INSERT INTO baton_participant_step%'")
                .mapTo(Integer.class).one());
    }

    private List<HandlingResult> all(List<Callable<HandlingResult>> tasks) throws Exception {
        List<HandlingResult> results = new ArrayList<>();
        for (Future<HandlingResult> f : threads.invokeAll(tasks)) {
            results.add(f.get());
        }
        return results;
    }

    @Test
    @DisplayName("four copies of one message at once: the handler runs once while the other three wait for its step row, then replay its reply")
    void concurrentDuplicatesRunOnce() throws Exception {
        int copies = 4;
        ParticipantRuntime runtime = runtime(CommandHandlers.forParticipant("payment")
                .on(AuthorizePayment.class, (cmd, ctx) -> {
                    runs.incrementAndGet();
                    ctx.handle().execute("INSERT INTO ledger VALUES (?, 1)", cmd.orderId());
                    // hold the transaction open until every other copy is provably blocked behind it
                    await("the other " + (copies - 1) + " deliveries wait for the step row")
                            .atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(5))
                            .until(() -> blockedSessions() >= copies - 1);
                    return Outcome.success(new PaymentAuthorized("p-" + UUID.randomUUID(), Instant.now(), "n"));
                })
                .build());
        IncomingCommand cmd = command("s-1", "authorize-payment", 1, new AuthorizePayment("o-1", 2500));

        List<Callable<HandlingResult>> tasks = new ArrayList<>();
        for (int i = 0; i < copies; i++) {
            tasks.add(() -> runtime.handle(cmd));
        }
        List<Reply> replies = all(tasks).stream().map(TestMessages::reply).toList();

        assertThat(runs).hasValue(1);
        assertThat(count("ledger")).isEqualTo(1);
        assertThat(replies).extracting(Reply::disposition)
                .containsExactlyInAnyOrder(Disposition.HANDLED, Disposition.REPLAYED, Disposition.REPLAYED, Disposition.REPLAYED);
        assertThat(replies).extracting(Reply::payload).containsOnly(replies.get(0).payload());
    }

    @Test
    @DisplayName("stress: 30 messages, each delivered by 6 threads released together: 30 handler runs, 30 ledger rows")
    void stress() throws Exception {
        ParticipantRuntime runtime = runtime(CommandHandlers.forParticipant("payment")
                .on(AuthorizePayment.class, (cmd, ctx) -> {
                    runs.incrementAndGet();
                    ctx.handle().execute("INSERT INTO ledger VALUES (?, 1)", cmd.orderId());
                    return Outcome.success(new PaymentAuthorized("p-" + UUID.randomUUID(), Instant.now(), "n"));
                })
                .build());
        int messages = 30;
        int copies = 6;
        for (int m = 0; m < messages; m++) {
            IncomingCommand cmd = command("s-" + m, "authorize-payment", 1, new AuthorizePayment("o-" + m, 100));
            CyclicBarrier start = new CyclicBarrier(copies);
            List<Callable<HandlingResult>> tasks = new ArrayList<>();
            for (int i = 0; i < copies; i++) {
                tasks.add(() -> {
                    start.await();
                    return runtime.handle(cmd);
                });
            }
            List<Reply> replies = all(tasks).stream().map(TestMessages::reply).toList();
            assertThat(replies).extracting(Reply::payload).as("message " + m).containsOnly(replies.get(0).payload());
            assertThat(replies).filteredOn(r -> r.disposition() == Disposition.HANDLED).as("message " + m).hasSize(1);
        }
        assertThat(runs).hasValue(messages);
        assertThat(count("ledger")).isEqualTo(messages);
    }

    @Test
    @DisplayName("a compensation racing its own command: either both run (charge, then refund) or neither does; never a charge without its refund")
    void compensationRacesCommand() throws Exception {
        ParticipantRuntime runtime = runtime(CommandHandlers.forParticipant("payment")
                .on(AuthorizePayment.class, (cmd, ctx) -> {
                    ctx.handle().execute("INSERT INTO ledger VALUES (?, 1)", cmd.orderId());
                    return Outcome.success();
                })
                .on(RefundPayment.class, (cmd, ctx) -> {
                    ctx.handle().execute("INSERT INTO ledger VALUES (?, -1)", cmd.orderId());
                    return Outcome.success();
                })
                .build());
        Map<String, Integer> outcomes = new ConcurrentHashMap<>();
        int sagas = 40;
        for (int s = 0; s < sagas; s++) {
            String saga = "s-" + s;
            CyclicBarrier start = new CyclicBarrier(2);
            IncomingCommand charge = command(saga, "authorize-payment", 1, new AuthorizePayment(saga, 100));
            IncomingCommand refund = compensation(saga, "authorize-payment", 1, new RefundPayment(saga));
            List<HandlingResult> results = all(List.of(
                    () -> {
                        start.await();
                        return runtime.handle(charge);
                    },
                    () -> {
                        start.await();
                        return runtime.handle(refund);
                    }));
            Reply forward = reply(results.get(0));
            Reply undo = reply(results.get(1));
            assertThat(undo.outcome()).isEqualTo(ReplyOutcome.SUCCESS);
            if (undo.disposition() == Disposition.NOTHING_TO_COMPENSATE) {
                assertThat(forward.disposition()).as(saga).isEqualTo(Disposition.REFUSED_AFTER_COMPENSATION);
                assertThat(forward.outcome()).isEqualTo(ReplyOutcome.FAILURE);
            } else {
                assertThat(undo.disposition()).as(saga).isEqualTo(Disposition.HANDLED);
                assertThat(forward.disposition()).as(saga).isEqualTo(Disposition.HANDLED);
            }
            outcomes.merge(undo.disposition().name(), 1, Integer::sum);
        }
        List<Integer> balances = store.jdbi().withHandle(h -> h.createQuery(
                "SELECT SUM(delta) FROM ledger GROUP BY order_id").mapTo(Integer.class).list());
        assertThat(balances).as("every charge was refunded").containsOnly(0);
        assertThat(outcomes.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(sagas);
    }
}
