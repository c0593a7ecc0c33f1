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
 * and, when a retention is set, ended sagas with their history.
 */
final class Housekeeping {
    private static final Logger log = LoggerFactory.getLogger(Housekeeping.class);
    /** Most sagas deleted in one purge transaction, and most transactions per purge run. */
    private static final int PURGE_BATCH = 1000;
    private static final int PURGE_BATCHES_PER_RUN = 100;

    private final SagaStore store;
    private final Clock clock;
    private final Duration inboxRetention;
    /** Null: ended sagas are kept. */
    private final Duration endedRetention;
    private final AtomicBoolean purgeUnsupportedLogged = new AtomicBoolean();

    Housekeeping(SagaStore store, Clock clock, Duration inboxRetention, Duration endedRetention) {
        this.store = store;
        this.clock = clock;
        this.inboxRetention = inboxRetention;
        this.endedRetention = endedRetention;
    }

    boolean purgesEnded() {
        return endedRetention != null;
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
     * Deletes ended sagas (COMPLETED, COMPENSATED) last changed longer ago than the retention, with their history, in
     * batches of 1,000 (at most 100 batches per call). Does nothing when no retention is set.
     *
     * @return how many sagas were deleted
     */
    int purgeEnded() {
        if (endedRetention == null) {
            return 0;
        }
        Instant before = clock.instant().minus(endedRetention);
        int total = 0;
        for (int i = 0; i < PURGE_BATCHES_PER_RUN; i++) {
            int n = store.purgeEnded(before, PURGE_BATCH);
            total += n;
            if (n < PURGE_BATCH) {
                break;
            }
        }
        if (total > 0) {
            log.info("purged {} ended saga(s) last changed before {} (retention {})", total, before, endedRetention);
        }
        return total;
    }

    /** {@link #purgeEnded()} for the scheduler: a store that cannot purge is reported once. */
    void purgeEndedQuietly() {
        try {
            purgeEnded();
        } catch (UnsupportedOperationException e) {
            if (purgeUnsupportedLogged.compareAndSet(false, true)) {
                log.warn("endedRetention is set but the store cannot purge ended sagas; they are kept: {}", e.getMessage());
            }
        }
    }
}
