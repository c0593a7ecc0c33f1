package dev.baton.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;

/**
 * A clock that moves only when told to. Thread-safe.
 *
 * @since 0.1
 */
public final class ManualClock extends Clock {
    private volatile Instant now;

    public ManualClock(Instant start) {
        this.now = Objects.requireNonNull(start, "start");
    }

    /** A clock at 2026-01-01T00:00:00Z. */
    public static ManualClock atEpochOfTests() {
        return new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
    }

    /** Moves the clock forward. */
    public synchronized void advance(Duration d) {
        if (d.isNegative()) {
            throw new IllegalArgumentException("a clock only moves forward, but was asked to move " + d);
        }
        now = now.plus(d);
    }

    /** Moves the clock to {@code t} if it is later than now. */
    public synchronized void advanceTo(Instant t) {
        if (t.isAfter(now)) {
            now = t;
        }
    }

    @Override
    public Instant instant() {
        return now;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("ManualClock is always UTC");
    }
}
