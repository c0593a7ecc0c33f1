package dev.baton.bench;

import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.spi.SagaListener;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;

/**
 * What {@link KafkaSagaBenchmark} measures: as the engines' listener, the latencies and outcomes of the sagas that end
 * in the measured window; and the counters of {@link CountingStore} and {@link CountingTransport}. Thread-safe.
 */
final class BenchStats implements SagaListener {
    /** When a saga was started and ended (System.nanoTime), and how. */
    private record Times(long start, long end, SagaStatus outcome) {}

    /** Sagas whose start or end was seen, not both yet. */
    private final Map<SagaId, Times> open = new ConcurrentHashMap<>();
    final LongAdder endedTotal = new LongAdder();
    final LongAdder duplicateEnds = new LongAdder();
    final LongAdder sends = new LongAdder();
    final LongAdder transactions = new LongAdder();
    final LongAdder outboxDeletes = new LongAdder();
    final LongAdder sentMessages = new LongAdder();
    final LongAdder replyBatches = new LongAdder();
    final LongAdder replies = new LongAdder();
    final LongAdder duplicates = new LongAdder();
    final LongAdder ignored = new LongAdder();
    final LongAdder deadLetters = new LongAdder();
    final LongAdder failedOrPending = new LongAdder();
    /** Of those, FAILED: a saga that needs an operator makes the run invalid (PENDING is a park, by design). */
    final LongAdder failed = new LongAdder();
    final AtomicLong maxBatch = new AtomicLong();
    final Map<SagaStatus, LongAdder> outcomes = new EnumMap<>(SagaStatus.class);
    private final Map<SagaId, Boolean> ended = new ConcurrentHashMap<>();
    /** Start to terminal state of the sagas that ended in the window, in nanoseconds. */
    private final Histogram latencies = new Histogram(3);
    private volatile long from;
    private volatile long to;
    volatile Semaphore slots;
    /** The engine's PostgreSQL, or null on H2. */
    volatile BenchPostgres postgres;
    long databaseCommitsAtStart = -1;
    long databaseCommitsAtEnd = -1;

    BenchStats() {
        for (SagaStatus st : SagaStatus.values()) {
            outcomes.put(st, new LongAdder());
        }
    }

    /** PostgreSQL's count of committed transactions in the database (reads included), or -1. */
    long databaseCommits() {
        BenchPostgres pg = postgres;
        return pg == null ? -1 : pg.commits();
    }

    /** The stage's tracing, and the spans ended when the window opened and closed. */
    volatile BenchTracing tracing = BenchTracing.off();
    volatile long spansAtStart = -1;
    volatile long spansAtEnd = -1;

    /** The process's CPU time at the window's start and end (every thread: broker, engine, services), or -1. */
    volatile long cpuNanosAtStart = -1;
    volatile long cpuNanosAtEnd = -1;
    /** Every thread's CPU time at the window's start and end. */
    volatile ThreadCpu threadsAtStart;
    volatile ThreadCpu threadsAtEnd;

    /** This JVM's CPU time so far, all threads, or -1 where the system does not tell. */
    static long processCpuNanos() {
        return ProcessHandle.current().info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(-1L);
    }

    void window(long from, long to) {
        this.from = from;
        this.to = to;
    }

    boolean measuring() {
        long now = System.nanoTime();
        return now >= from && now < to;
    }

    void started(SagaId id, long at) {
        meet(id, new Times(at, 0, null));
    }

    @Override
    public void onEnded(SagaId id, String sagaType, SagaStatus outcome, Duration took) {
        long now = System.nanoTime();
        if (ended.putIfAbsent(id, Boolean.TRUE) != null) {
            duplicateEnds.increment();
            return;
        }
        endedTotal.increment();
        meet(id, new Times(0, now, outcome));
        Semaphore s = slots;
        if (s != null) {
            s.release();
        }
    }

    /** Start and end meet here, in either order (a saga may end before the start call returned). */
    private void meet(SagaId id, Times half) {
        Times[] both = new Times[1];
        open.compute(id, (k, other) -> {
            if (other == null) {
                return half;
            }
            both[0] = other.end() == 0 ? new Times(other.start(), half.end(), half.outcome())
                    : new Times(half.start(), other.end(), other.outcome());
            return null;
        });
        if (both[0] != null) {
            record(both[0]);
        }
    }

    @Override
    public void onStatusChanged(SagaId id, String sagaType, SagaStatus from, SagaStatus to, String reason) {
        if (to == SagaStatus.FAILED || to == SagaStatus.PENDING) {
            failedOrPending.increment();
            if (to == SagaStatus.FAILED) {
                failed.increment();
            }
        }
    }

    @Override
    public void onDuplicateMessage(String messageId) {
        duplicates.increment();
    }

    @Override
    public void onIgnoredReply(SagaId id, String reason) {
        ignored.increment();
    }

    @Override
    public void onDeadLetter(String where, String reason) {
        deadLetters.increment();
    }

    /** A copy of the latencies recorded so far. */
    synchronized Histogram latencies() {
        return latencies.copy();
    }

    /** Records a saga if it ended in the window. */
    private synchronized void record(Times t) {
        if (t.end() < from || t.end() >= to) {
            return;
        }
        latencies.recordValue(t.end() - t.start());
        outcomes.get(t.outcome()).increment();
    }
}
