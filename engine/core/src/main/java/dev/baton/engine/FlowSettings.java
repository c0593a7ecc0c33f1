package dev.baton.engine;

import java.time.Duration;
import java.util.Objects;

/**
 * Flow control per participant: how many commands may be in flight at each participant at once, across all engine
 * nodes, and how that limit adapts. Commands over the limit wait in the engine (durably, in line) and go out, oldest
 * first, as answers free room. The limit rises by about one per round of answers while the participant answers and
 * the limit is what holds commands back, and is cut by {@code decrease} (at most once per {@code tick}) when it
 * lets commands time out or answers most of them RETRY_LATER: additive increase, multiplicative decrease, as TCP
 * does. A participant limited by rate rather than by concurrency (it answers at once, busy when asked too often) is
 * also paced: the engine spaces its releases, and sends them a pace apart, so that about three answers in ten are
 * busy, which keeps it near its rate.
 *
 * <pre>{@code SagaEngine.builder().flow(FlowSettings.DEFAULTS.withInitialLimit(20))}</pre>
 *
 * @param enabled false: every command goes out at once, and a parked saga's re-send waits for its timer only
 * @param initialLimit the limit of a participant the engines have not seen before
 * @param minLimit the limit never falls below this (at least one command is always let through, so a participant
 *                 that recovers is noticed)
 * @param maxLimit the limit never rises above this
 * @param decrease the factor a limit is multiplied by after busy answers or timeouts, between 0.5 and 0.99
 * @param tick how often each node counts what is in flight and waiting, reports outcomes, and (the node holding a
 *             participant's lease) adjusts the limit and releases waiting commands
 * @param lease how long a node holds a participant's lease without renewing it (a dead node's participants are
 *              taken over after this)
 * @since 0.4
 */
public record FlowSettings(boolean enabled, double initialLimit, int minLimit, int maxLimit, double decrease,
                           Duration tick, Duration lease) {

    /** Enabled; limit 50 to start, between 1 and 5,000; cut by 10 %; tick 100 ms; lease 2 s. */
    public static final FlowSettings DEFAULTS = new FlowSettings(true, 50, 1, 5_000, 0.9, Duration.ofMillis(100),
            Duration.ofSeconds(2));

    /** No flow control: every command goes out at once. */
    public static final FlowSettings OFF = new FlowSettings(false, 50, 1, 5_000, 0.9, Duration.ofMillis(100),
            Duration.ofSeconds(2));

    public FlowSettings {
        Objects.requireNonNull(tick, "tick");
        Objects.requireNonNull(lease, "lease");
        if (minLimit < 1) {
            throw new IllegalArgumentException("minLimit must be at least 1, but was " + minLimit);
        }
        if (maxLimit < minLimit) {
            throw new IllegalArgumentException("maxLimit must be at least minLimit (" + minLimit + "), but was " + maxLimit);
        }
        if (!(initialLimit >= minLimit && initialLimit <= maxLimit)) {
            throw new IllegalArgumentException("initialLimit must be between minLimit and maxLimit (" + minLimit + ".."
                    + maxLimit + "), but was " + initialLimit);
        }
        if (!(decrease >= 0.5 && decrease <= 0.99)) {
            throw new IllegalArgumentException("decrease must be between 0.5 and 0.99, but was " + decrease);
        }
        if (tick.isNegative() || tick.isZero() || lease.compareTo(tick.multipliedBy(3)) < 0) {
            throw new IllegalArgumentException("tick must be positive and lease at least three ticks, but were " + tick
                    + " and " + lease);
        }
    }

    public FlowSettings withInitialLimit(double limit) {
        return new FlowSettings(enabled, limit, minLimit, maxLimit, decrease, tick, lease);
    }

    public FlowSettings withLimits(int min, int max) {
        return new FlowSettings(enabled, Math.max(min, Math.min(max, initialLimit)), min, max, decrease, tick, lease);
    }

    public FlowSettings withTick(Duration tick, Duration lease) {
        return new FlowSettings(enabled, initialLimit, minLimit, maxLimit, decrease, tick, lease);
    }

    /**
     * The next limit after one tick: cut by {@link #decrease} when a command timed out or more than half of the
     * answers were busy (a few busy answers are the pace's business, not the limit's);
     * otherwise raised by {@code answered / limit} (one per round of answers) when the limit is what held commands
     * back (the most in flight during the tick reached it, less one); else unchanged: a limit that was not reached
     * says nothing about the participant. Always within [minLimit, maxLimit].
     *
     * @param peakInFlight the most commands in flight during the tick
     * @param waiting commands waiting in line
     */
    public double next(double limit, long answered, long busy, long timedOut, long peakInFlight, long waiting) {
        double next = limit;
        if (timedOut > 0 || busy > answered) {
            next = limit * decrease;
        } else if (answered > 0 && peakInFlight >= Math.floor(limit) - 1) {
            next = limit + (double) answered / Math.max(1.0, limit);
        }
        return Math.max(minLimit, Math.min(maxLimit, next));
    }
}
