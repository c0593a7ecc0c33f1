package dev.baton.engine.internal;

import dev.baton.engine.spi.SagaStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the store from growing without bound: purges inbox entries (ids of applied replies) past their retention,
 * ended sagas with their history past theirs (30 days by default), and FAILED sagas when a retention is set for them.
 */
final class Housekeeping {
    private static final Logger log = LoggerFactory.getLogger(Housekeeping.class);
    /** Most sagas deleted in one purge transaction, and most transactions per purge run. */
    private static final int PURGE_BATCH = 1000;
    private static final int PURGE_BATCHES_PER_RUN = 100;
    private static final Duration MIN_PURGE_PERIOD = Duration.ofSeconds(1);

    private final SagaStore store;
    private final Clock clock;
    private final Duration inboxRetention;
    /** Null: ended sagas are kept. */
    private final Duration endedRetention;
    /** Null: FAILED sagas are kept. */
    private final Duration failedRetention;
    private final AtomicBoolean purgeUnsupportedLogged = new AtomicBoolean();

    Housekeeping(SagaStore store, Clock clock, Duration inboxRetention, Duration endedRetention, Duration failedRetention) {
        this.store = store;
        this.clock = clock;
        this.inboxRetention = inboxRetention;
        this.endedRetention = endedRetention;
        this.failedRetention = failedRetention;
    }

    boolean purgesEnded() {
        return endedRetention != null || failedRetention != null;
    }

    /**
     * How often to purge sagas: {@code usual}, or a quarter of the shortest retention when that is shorter (a saga
     * then outlives its retention by at most a quarter), never more often than once a second.
     */
    Duration purgePeriod(Duration usual) {
        Duration period = usual;
        for (Duration r : new Duration[] {endedRetention, failedRetention}) {
            if (r != null && r.dividedBy(4).compareTo(period) < 0) {
                period = r.dividedBy(4);
            }
        }
        return period.compareTo(MIN_PURGE_PERIOD) < 0 ? MIN_PURGE_PERIOD : period;
    }

    /** How often to purge the inbox: {@code usual}, or a quarter of its retention when shorter (at least 1 s). */
    Duration inboxPurgePeriod(Duration usual) {
        Duration quarter = inboxRetention.dividedBy(4);
        Duration period = quarter.compareTo(usual) < 0 ? quarter : usual;
        return period.compareTo(MIN_PURGE_PERIOD) < 0 ? MIN_PURGE_PERIOD : period;
    }

    /**
     * Deletes inbox entries older than the retention. A reply redelivered after its entry is gone is still checked
     * against its saga's outstanding command, like any late reply: the saga has moved past the command it answered,
     * so it changes nothing.
     *
     * @return how many entries were deleted
     */
    int purgeInbox() {
        int n = store.purgeInbox(clock.instant().minus(inboxRetention));
        if (n > 0) {
            log.debug("purged {} inbox entries older than {}", n, inboxRetention);
        }
        return n;
    }

    /**
     * Deletes ended sagas (COMPLETED, COMPENSATED) last changed longer ago than their retention, and FAILED ones past
     * theirs when one is set, with their history, in batches of 1,000 (at most 100 batches of each per call). Does
     * nothing for a status without a retention.
     *
     * @return how many sagas were deleted
     */
    int purgeEnded() {
        int total = 0;
        if (endedRetention != null) {
            total += purge("ended", endedRetention, store::purgeEnded);
        }
        if (failedRetention != null) {
            total += purge("FAILED", failedRetention, store::purgeFailed);
        }
        return total;
    }

    private interface Purge {
        int purge(Instant before, int limit);
    }

    private int purge(String what, Duration retention, Purge purge) {
        Instant before = clock.instant().minus(retention);
        int total = 0;
        for (int i = 0; i < PURGE_BATCHES_PER_RUN; i++) {
            int n = purge.purge(before, PURGE_BATCH);
            total += n;
            if (n < PURGE_BATCH) {
                break;
            }
        }
        if (total > 0) {
            log.info("purged {} {} saga(s) last changed before {} (retention {})", total, what, before, retention);
        }
        return total;
    }

    /** {@link #purgeEnded()} for the scheduler: a store that cannot purge is reported once. */
    void purgeEndedQuietly() {
        try {
            purgeEnded();
        } catch (UnsupportedOperationException e) {
            if (purgeUnsupportedLogged.compareAndSet(false, true)) {
                log.warn("a retention of ended sagas is set (30 days unless configured) but the store cannot purge"
                        + " sagas; they are kept: {}", e.getMessage());
            }
        }
    }
}
