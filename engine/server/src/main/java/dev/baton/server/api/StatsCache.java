package dev.baton.server.api;

import dev.baton.engine.spi.SagaCount;
import dev.baton.engine.spi.SagaStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What {@code GET /api/stats} reads from the store (saga counts, the outbox backlog, due timers), read at most once
 * per {@link #MAX_AGE}: the counts are a {@code GROUP BY} over every saga, which a dashboard polling every second from
 * several tabs must not run per request. Concurrent callers of a stale snapshot wait for one read. Thread-safe.
 */
final class StatsCache {
    /** How old a snapshot may be before the next request reads the store again. */
    static final Duration MAX_AGE = Duration.ofSeconds(1);

    /** The store's figures, read at {@code asOf}. */
    record Snapshot(List<SagaCount> counts, long outboxBacklog, long timersDue, Instant asOf) {}

    private final SagaStore store;
    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();
    private volatile Snapshot last;

    StatsCache(SagaStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** The latest snapshot, read again when older than {@link #MAX_AGE}. */
    Snapshot get() {
        Snapshot s = last;
        if (fresh(s)) {
            return s;
        }
        lock.lock();
        try {
            s = last;
            if (fresh(s)) {
                return s; // another request read it while this one waited
            }
            Instant now = clock.instant();
            s = new Snapshot(store.counts(), store.outboxBacklog(), store.dueTimerCount(now), now);
            last = s;
            return s;
        } finally {
            lock.unlock();
        }
    }

    private boolean fresh(Snapshot s) {
        if (s == null) {
            return false;
        }
        Duration age = Duration.between(s.asOf(), clock.instant());
        return !age.isNegative() && age.compareTo(MAX_AGE) < 0;
    }
}
