package dev.baton.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.engine.ConcurrentUpdateException;
import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.spi.SagaRecord;
import dev.baton.engine.spi.TimerKind;
import dev.baton.engine.spi.TimerRecord;
import dev.baton.jdbi.JdbiSagaStore;
import dev.baton.jdbi.PostgresDatabase;
import dev.baton.jdbi.PostgresExtension;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A reproduction, found by {@link MultiNodeFailoverTest}: two engine nodes deadlock on one saga's rows in PostgreSQL.
 * Node A applies a reply to the saga (DefaultSagaEngine.applyReply, then write: the saga row, then its timers); node B
 * meanwhile fires the saga's TIMEOUT timer (DefaultSagaEngine.fireTimer: claimTimer deletes the timer row, then the
 * saga row is updated). Each holds the row the other wants next. In one JVM the engine's striped locks keep the two
 * apart; across nodes only the database does, and PostgreSQL aborts one of them after {@code deadlock_timeout} (1 s)
 * with SQLSTATE 40P01. Nothing is lost (the transaction rolls back, the reply batch is read again, the timer stays
 * due), but the store reports it as a {@code SagaStoreException}, not as the lost race it is: the whole reply batch
 * (up to 500 replies) is re-read after the consumer's back-off, and the timer poll logs a WARN with a stack trace.
 *
 * <p>It belongs with the jdbi store's tests; it is here because this branch touches only the Kafka module. It uses
 * the store SPI directly, in the order the engine calls it, so it is deterministic.
 */
@ExtendWith(PostgresExtension.class)
class ReplyAndTimerOnTwoNodesTest {
    private static final Instant T = Instant.parse("2026-11-27T10:00:00Z");

    @Test
    @Disabled("fails on this branch: PostgreSQL's deadlock (40P01) surfaces as SagaStoreException; it passes once the"
            + " store maps 40P01 to ConcurrentUpdateException, which the engine retries (in progress in the store)")
    @DisplayName("a reply applied on one node while another fires the saga's timeout: the loser is a retriable race")
    void replyAndTimeoutOfOneSaga(PostgresDatabase db) throws Exception {
        SagaId id = SagaId.of("01a21e70-0000-7000-8000-000000000001");
        SagaRecord v1 = saga(id, 1);
        TimerRecord timeout = new TimerRecord(id, TimerKind.TIMEOUT, "authorize-payment", "t#1", T);
        try (JdbiSagaStore nodeA = db.openStore(); JdbiSagaStore nodeB = db.openStore()) {
            nodeA.inTransaction(tx -> {
                tx.insert(v1);
                tx.setTimer(timeout);
                return null;
            });
            CountDownLatch sagaLocked = new CountDownLatch(1);
            CountDownLatch timerClaimed = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                Future<?> reply = pool.submit(() -> nodeA.inTransaction(tx -> {
                    tx.update(saga(id, 2));                      // the reply moves the saga on
                    sagaLocked.countDown();
                    await(timerClaimed);
                    tx.cancelTimers(id, EnumSet.of(TimerKind.TIMEOUT)); // and replaces its timeout: waits for B
                    tx.setTimer(new TimerRecord(id, TimerKind.TIMEOUT, "schedule-shipment", "t#2", T.plusSeconds(10)));
                    return null;
                }));
                Future<?> timer = pool.submit(() -> nodeB.inTransaction(tx -> {
                    await(sagaLocked);
                    boolean claimed = tx.claimTimer(timeout);   // the timeout fires on the other node
                    timerClaimed.countDown();
                    if (claimed) {
                        tx.update(saga(id, 2));                  // waits for A: deadlock
                    }
                    return null;
                }));
                List<Throwable> failures = new ArrayList<>();
                for (Future<?> f : List.of(reply, timer)) {
                    try {
                        f.get(60, TimeUnit.SECONDS);
                    } catch (java.util.concurrent.ExecutionException e) {
                        failures.add(e.getCause());
                    }
                }
                assertThat(failures).as("what the losing node saw (PostgreSQL aborts one of the two)").hasSize(1)
                        .allSatisfy(e -> assertThat(e).isInstanceOf(ConcurrentUpdateException.class));
            } finally {
                pool.shutdownNow();
            }
        }
    }

    private static SagaRecord saga(SagaId id, long version) {
        return new SagaRecord(id, "order-failover-kafka", 1, SagaStatus.RUNNING, null, "authorize-payment", "order-1",
                "order-failover-kafka.data", "{}", "{}", null, version, T, T.plusSeconds(version));
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the other node did not get there in 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
