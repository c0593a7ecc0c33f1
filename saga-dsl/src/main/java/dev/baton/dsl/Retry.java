package dev.baton.dsl;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How often, and how far apart, a step's command is sent again after a timeout, a {@code RETRY_LATER}
 * answer without a {@link Park} rule, or (for retriable steps after the pivot) a failure.
 *
 * <p>Attempts are numbered from 1: the first send is attempt 1. {@link #delayAfter(int)} answers the
 * pause before the next attempt once {@code attempt} attempts were made, or empty when the policy gives up.
 * All policies are immutable values.
 *
 * @since 0.1
 */
public sealed interface Retry permits Retry.None, Retry.Fixed, Retry.Exponential, Retry.Forever {

    /** No retry: one attempt only. */
    static Retry none() {
        return None.INSTANCE;
    }

    /** At most {@code maxAttempts} attempts in all, {@code delay} apart. */
    static Retry fixed(int maxAttempts, Duration delay) {
        return new Fixed(maxAttempts, delay);
    }

    /**
     * At most {@code maxAttempts} attempts, the pause doubling from {@code initial}; capped at
     * 100 times {@code initial}.
     */
    static Retry exponential(int maxAttempts, Duration initial) {
        Objects.requireNonNull(initial, "initial");
        return new Exponential(maxAttempts, initial, initial.multipliedBy(100));
    }

    /** At most {@code maxAttempts} attempts, the pause doubling from {@code initial} up to {@code cap}. */
    static Retry exponential(int maxAttempts, Duration initial, Duration cap) {
        return new Exponential(maxAttempts, initial, cap);
    }

    /** Never gives up: the pause doubles from {@code initial} up to {@code cap}. For steps after the pivot. */
    static Retry forever(Duration initial, Duration cap) {
        return new Forever(initial, cap);
    }

    /** The most attempts this policy allows; {@link Integer#MAX_VALUE} for {@link Forever}. */
    int maxAttempts();

    /**
     * The pause before the next attempt after {@code attempt} attempts were made, or empty when no
     * further attempt is allowed.
     */
    Optional<Duration> delayAfter(int attempt);

    /** True when this policy allows a second attempt. */
    default boolean retries() {
        return maxAttempts() > 1;
    }

    /** One attempt only. */
    enum None implements Retry {
        INSTANCE;

        @Override
        public int maxAttempts() {
            return 1;
        }

        @Override
        public Optional<Duration> delayAfter(int attempt) {
            return Optional.empty();
        }

        @Override
        public String toString() {
            return "Retry.none()";
        }
    }

    /** A fixed number of attempts a fixed pause apart. */
    record Fixed(int maxAttempts, Duration delay) implements Retry {
        public Fixed {
            Checks.attempts(maxAttempts);
            Checks.notNegative("delay", delay);
        }

        @Override
        public Optional<Duration> delayAfter(int attempt) {
            return attempt < maxAttempts ? Optional.of(delay) : Optional.empty();
        }
    }

    /** A bounded number of attempts, the pause doubling up to a cap. */
    record Exponential(int maxAttempts, Duration initial, Duration cap) implements Retry {
        public Exponential {
            Checks.attempts(maxAttempts);
            Checks.positive("initial", initial);
            Checks.positive("cap", cap);
            if (cap.compareTo(initial) < 0) {
                throw new IllegalArgumentException("cap must be >= initial (" + initial + "), but was " + cap);
            }
        }

        @Override
        public Optional<Duration> delayAfter(int attempt) {
            return attempt < maxAttempts ? Optional.of(Checks.doubling(initial, cap, attempt)) : Optional.empty();
        }
    }

    /** Unbounded attempts, the pause doubling up to a cap. */
    record Forever(Duration initial, Duration cap) implements Retry {
        public Forever {
            Checks.positive("initial", initial);
            Checks.positive("cap", cap);
            if (cap.compareTo(initial) < 0) {
                throw new IllegalArgumentException("cap must be >= initial (" + initial + "), but was " + cap);
            }
        }

        @Override
        public int maxAttempts() {
            return Integer.MAX_VALUE;
        }

        @Override
        public Optional<Duration> delayAfter(int attempt) {
            return Optional.of(Checks.doubling(initial, cap, attempt));
        }
    }

    /** Argument checks shared by the policies. Not API. */
    final class Checks {
        private Checks() {}

        static void attempts(int maxAttempts) {
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be >= 1, but was " + maxAttempts);
            }
        }

        static void positive(String what, Duration d) {
            Objects.requireNonNull(d, what);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, but was " + d);
            }
        }

        static void notNegative(String what, Duration d) {
            Objects.requireNonNull(d, what);
            if (d.isNegative()) {
                throw new IllegalArgumentException(what + " must not be negative, but was " + d);
            }
        }

        static Duration doubling(Duration initial, Duration cap, int attempt) {
            int shift = Math.min(Math.max(attempt - 1, 0), 30);
            Duration d = initial.multipliedBy(1L << shift);
            return d.compareTo(cap) > 0 ? cap : d;
        }
    }
}
