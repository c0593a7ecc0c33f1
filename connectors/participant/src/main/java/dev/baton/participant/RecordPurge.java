package dev.baton.participant;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.ToIntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The automatic purge of a {@link JdbiIdempotencyStore}: one daemon thread that deletes records older than the
 * retention every quarter of it (at most hourly, at least a second apart). A failed purge is logged and tried again
 * at the next turn. Thread-safe.
 */
final class RecordPurge implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RecordPurge.class);
    private static final Duration LONGEST_PERIOD = Duration.ofHours(1);
    private static final Duration SHORTEST_PERIOD = Duration.ofSeconds(1);

    private final ToIntFunction<Instant> purgeBefore;
    private final String store;
    private final ScheduledExecutorService scheduler;
    private ScheduledFuture<?> job;
    private Duration retention;

    RecordPurge(ToIntFunction<Instant> purgeBefore, String store) {
        this.purgeBefore = purgeBefore;
        this.store = store;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("baton-participant-purge").factory());
    }

    /** How often a retention is purged: a quarter of it, within [1 s, 1 h]. */
    static Duration period(Duration retention) {
        Duration quarter = retention.dividedBy(4);
        if (quarter.compareTo(LONGEST_PERIOD) > 0) {
            return LONGEST_PERIOD;
        }
        return quarter.compareTo(SHORTEST_PERIOD) < 0 ? SHORTEST_PERIOD : quarter;
    }

    /** Replaces the schedule: purges records older than {@code retention} on {@code clock}; null stops purging. */
    synchronized void retainFor(Duration retention, Clock clock) {
        if (job != null) {
            job.cancel(false);
            job = null;
        }
        this.retention = retention;
        if (retention == null || scheduler.isShutdown()) {
            return;
        }
        long every = period(retention).toMillis();
        job = scheduler.scheduleWithFixedDelay(() -> run(retention, clock), every, every, TimeUnit.MILLISECONDS);
    }

    synchronized Duration retention() {
        return retention;
    }

    private void run(Duration retention, Clock clock) {
        Instant before = clock.instant().minus(retention);
        try {
            int n = purgeBefore.applyAsInt(before);
            if (n > 0) {
                LOG.debug("participant store {}: purged {} answer(s) given before {} (retention {})", store, n, before,
                        retention);
            }
        } catch (RuntimeException e) {
            LOG.warn("participant store {}: the purge of answers older than {} failed; it runs again in {}: {}", store,
                    retention, period(retention), e.toString());
        }
    }

    @Override
    public synchronized void close() {
        if (job != null) {
            job.cancel(false);
        }
        scheduler.shutdownNow();
    }
}
