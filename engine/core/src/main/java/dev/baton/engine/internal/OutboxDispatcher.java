package dev.baton.engine.internal;

import dev.baton.engine.spi.OutboxRecord;
import dev.baton.engine.spi.SagaListener;
import dev.baton.engine.spi.SagaStore;
import dev.baton.engine.spi.Transport;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands committed outbox rows to the transport, deletes them once acknowledged (many acknowledgements per delete
 * transaction, on its own thread), and re-sends rows that no acknowledgement removed (the sweep). Sending happens
 * on the caller's thread with no saga lock held: a transport that blocks delays only that caller.
 */
final class OutboxDispatcher {
    private static final Logger log = LoggerFactory.getLogger(OutboxDispatcher.class);
    private static final int SWEEP_PAGE = 500;
    /** At most how long an acknowledged outbox row waits for others to be deleted with it. */
    private static final long ACK_COALESCE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /** This many acknowledged rows are deleted at once, without waiting for more. */
    private static final int ACK_COALESCE_ROWS = 500;

    private final SagaStore store;
    private final Transport transport;
    private final SagaListener listener;
    private final Clock clock;
    private final Duration lease;
    private final ConcurrentLinkedQueue<String> acked = new ConcurrentLinkedQueue<>();
    /** Acknowledged outbox ids not deleted yet (a cheap size for {@link #acked}). */
    private final AtomicInteger ackedCount = new AtomicInteger();
    /** True while a drain is queued or waiting on the acker thread; new acknowledgements then just join its batch. */
    private final AtomicBoolean drainPending = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile ExecutorService acker;

    OutboxDispatcher(SagaStore store, Transport transport, SagaListener listener, Clock clock, Duration lease) {
        this.store = store;
        this.transport = transport;
        this.listener = listener;
        this.clock = clock;
        this.lease = lease;
    }

    void open() {
        acker = Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().name("baton-outbox-ack").factory());
    }

    /** The engine is closing: a running sweep stops after its page, a waiting drain stops waiting. */
    void closing() {
        closed.set(true);
    }

    /** Stops deleting in the background: acknowledgements from now on delete at once, on the acknowledging thread. */
    void close() {
        closed.set(true);
        ExecutorService a = acker;
        if (a != null) {
            a.shutdown();
            try {
                a.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Sends the rows; once the transport acknowledges them they are deleted. A failed send is left to the sweep. */
    void dispatch(List<OutboxRecord> rows) {
        if (rows.isEmpty()) {
            return;
        }
        List<String> outboxIds = rows.stream().map(OutboxRecord::id).toList();
        CompletableFuture<Void> sent;
        try {
            sent = transport.send(rows);
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        sent.whenComplete((ok, error) -> {
            if (error != null) {
                log.warn("sending {} message(s) failed; the outbox sweeper will re-send them: {}", rows.size(), error.toString());
                return;
            }
            acknowledged(outboxIds);
        });
    }

    private void acknowledged(List<String> outboxIds) {
        ExecutorService a = acker;
        if (a == null || a.isShutdown()) {
            deleteAcknowledged(outboxIds);
            return;
        }
        acked.addAll(outboxIds);
        ackedCount.addAndGet(outboxIds.size());
        if (drainPending.compareAndSet(false, true)) {
            try {
                a.execute(this::drainAcknowledged);
            } catch (RejectedExecutionException closing) {
                drainPending.set(false); // the engine is closing: the sweeper re-sends them after a restart
            }
        }
    }

    /**
     * Deletes the acknowledged rows queued so far in one transaction: one commit for many acknowledgements. It first
     * waits up to {@link #ACK_COALESCE_NANOS} for {@link #ACK_COALESCE_ROWS} to gather, so that under load a delete
     * commit takes hundreds of rows rather than the few acknowledged since the last one. A row waiting here is still
     * in the outbox; the sweeper only re-sends rows far older than this wait.
     */
    private void drainAcknowledged() {
        long deadline = System.nanoTime() + ACK_COALESCE_NANOS;
        while (ackedCount.get() < ACK_COALESCE_ROWS && System.nanoTime() < deadline && !closed.get()) {
            LockSupport.parkNanos(500_000);
        }
        drainPending.set(false); // acknowledgements from now on queue a new drain (which may find nothing: fine)
        List<String> batch = new ArrayList<>();
        String id;
        while ((id = acked.poll()) != null) {
            batch.add(id);
            if (batch.size() == 5_000) {
                ackedCount.addAndGet(-batch.size());
                deleteAcknowledged(batch);
                batch = new ArrayList<>();
            }
        }
        if (!batch.isEmpty()) {
            ackedCount.addAndGet(-batch.size());
            deleteAcknowledged(batch);
        }
    }

    private void deleteAcknowledged(List<String> outboxIds) {
        try {
            store.deleteOutbox(outboxIds);
        } catch (RuntimeException e) {
            log.warn("deleting {} acknowledged outbox row(s) failed; they will be re-sent", outboxIds.size(), e);
        }
    }

    /**
     * Re-sends outbox rows older than {@code age} that no acknowledgement removed (left by a crash, a failed send, or
     * a node that died). Rows are leased first, so the sweepers of several nodes re-send disjoint rows; a row whose
     * re-send fails again goes out once its lease ends.
     *
     * @return how many rows were re-sent
     */
    int sweep(Duration age) {
        int total = 0;
        Instant now = clock.instant();
        Instant before = now.minus(age).plusMillis(1); // "at least age old", inclusive
        for (int page = 0; page < 100; page++) {
            List<OutboxRecord> rows = store.leaseOutbox(before, now, now.plus(lease), SWEEP_PAGE);
            if (rows.isEmpty()) {
                break;
            }
            log.debug("re-sending {} outbox row(s) older than {}", rows.size(), age);
            int n = rows.size();
            Listeners.safely(() -> listener.onOutboxResent(n));
            dispatch(rows);
            total += n;
            if (n < SWEEP_PAGE || closed.get()) {
                break;
            }
        }
        return total;
    }
}
