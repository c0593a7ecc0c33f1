package dev.baton.micrometer;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A supplier that calls its source at most once per period and hands out the result in between: for the gauge
 * suppliers of {@link BatonMetrics}, which run on every scrape (the active-saga counts once per published series), so
 * that a scrape every few seconds costs one store query per period, not one per series.
 *
 * <pre>{@code
 * Supplier<Map<TypeAndStatus, Long>> active = Cached.every(Duration.ofSeconds(5), counts::activeByTypeAndStatus);
 * LongSupplier outbox = Cached.every(Duration.ofSeconds(5), counts::outboxRows)::get;
 * }</pre>
 *
 * <p>Gauges fed this way lag the store by up to the period. A failure of the source is cached too: it is rethrown until the period ends, so a database that is down is not
 * asked again by every gauge of every scrape. If the clock moves backwards the value is reloaded. Thread-safe: callers
 * arriving during a reload wait for it rather than calling the source themselves.
 *
 * @param <T> what the source supplies
 * @since 0.1
 */
public final class Cached<T> implements Supplier<T> {
    private final Duration period;
    private final Supplier<? extends T> source;
    private final Clock clock;
    private Instant loadedAt;
    private T value;
    private RuntimeException failure;

    private Cached(Duration period, Supplier<? extends T> source, Clock clock) {
        Objects.requireNonNull(period, "period");
        if (period.isNegative()) {
            throw new IllegalArgumentException("the caching period must be >= 0, but was " + period);
        }
        this.period = period;
        this.source = Objects.requireNonNull(source, "source");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Calls {@code source} at most once per {@code period} of the system clock ({@link Duration#ZERO}: every time). */
    public static <T> Cached<T> every(Duration period, Supplier<? extends T> source) {
        return new Cached<>(period, source, Clock.systemUTC());
    }

    /** Like {@link #every(Duration, Supplier)}, measuring the period on {@code clock}. */
    public static <T> Cached<T> every(Duration period, Supplier<? extends T> source, Clock clock) {
        return new Cached<>(period, source, clock);
    }

    /**
     * The source's last result if it is younger than the period, otherwise a new one.
     *
     * @throws RuntimeException what the source threw, while that failure is younger than the period
     */
    @Override
    public synchronized T get() {
        Instant now = clock.instant();
        if (loadedAt == null || now.isBefore(loadedAt) || !now.isBefore(loadedAt.plus(period))) {
            try {
                value = source.get();
                failure = null;
            } catch (RuntimeException e) {
                value = null;
                failure = e;
            }
            loadedAt = now;
        }
        if (failure != null) {
            throw failure;
        }
        return value;
    }

    /** Forgets the cached result: the next {@link #get()} calls the source. */
    public synchronized void invalidate() {
        loadedAt = null;
        value = null;
        failure = null;
    }
}
