package dev.baton.kafka.common.internal;

import dev.baton.kafka.common.LoopHealth;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ConsumerLoop}'s health: when the broker last answered, the failures in a row and the restarts; the
 * back-off after a failure; the log lines and the {@link ConsumerLoop.Observer}'s calls when the loop starts failing
 * and when it recovers. Written by the loop's thread, read by any.
 */
final class LoopHealthTracker {
    private static final Logger log = LoggerFactory.getLogger(ConsumerLoop.class);
    private final String name;
    private final Duration backoff;
    private final ConsumerLoop.Observer observer;
    private final Clock clock = Clock.systemUTC();
    private volatile LoopHealth health;

    LoopHealthTracker(String name, Duration backoff, ConsumerLoop.Observer observer) {
        this.name = name;
        this.backoff = backoff;
        this.observer = observer;
        reset();
    }

    LoopHealth health() {
        return health;
    }

    /** A loop (re)starting: healthy, no failures, no restarts. */
    void reset() {
        health = new LoopHealth(name, clock.instant(), 0, 0, null);
    }

    /** The wait after {@code failures} failures in a row: the back-off, doubling, at most the larger of it and MAX_BACKOFF. */
    Duration backoffAfter(int failures) {
        Duration max = backoff.compareTo(ConsumerLoop.MAX_BACKOFF) > 0 ? backoff : ConsumerLoop.MAX_BACKOFF;
        Duration d = backoff;
        for (int i = 1; i < failures && d.compareTo(max) < 0; i++) {
            d = d.multipliedBy(2);
        }
        return d.compareTo(max) > 0 ? max : d;
    }

    /** A poll returned (records or none, the broker not yet known to answer). */
    void polled() {
        LoopHealth h = health;
        health = new LoopHealth(name, clock.instant(), h.consecutiveFailures(), h.restarts(), h.lastError());
    }

    /** The broker answered, or a batch was handled and committed: failures in a row end. */
    void succeeded() {
        LoopHealth h = health;
        LoopHealth now = new LoopHealth(name, clock.instant(), 0, h.restarts(), h.lastError());
        health = now;
        if (h.failing()) {
            log.info("{}: recovered after {} failure(s) in a row", name, h.consecutiveFailures());
            tell(() -> observer.recovered(now));
        }
    }

    /** A failure, {@code failures} in a row; {@code recreate} when the consumer is replaced. */
    void failed(Exception e, int failures, boolean recreate) {
        LoopHealth h = health;
        LoopHealth now = new LoopHealth(name, h.lastSuccessfulPoll(), failures, h.restarts() + (recreate ? 1 : 0),
                e.toString());
        health = now;
        Duration wait = backoffAfter(failures);
        if (recreate) {
            log.warn("{}: failure {} in a row; closing the consumer and making a new one, in {}: {}", name, failures,
                    wait, e.toString());
        } else if (failures == 1) {
            log.warn("{}: failed; trying again in {}: {}", name, wait, e.toString(), e);
        } else {
            log.warn("{}: failure {} in a row; trying again in {}: {}", name, failures, wait, e.toString());
        }
        if (!h.failing()) {
            tell(() -> observer.failing(now));
        }
    }

    private void tell(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            log.warn("{}: an observer threw; ignored", name, e);
        }
    }
}
