package dev.baton.testkit;

import java.time.Duration;
import java.util.Random;

/**
 * Faults {@link SagaTestKit} injects between simulated participants and the engine, drawn from a seeded
 * random source so a failing run can be replayed. Immutable; each setter returns a copy.
 *
 * <pre>{@code Faults.seeded(42).duplicateReplies(0.3).reorderReplies(0.5).delayReplies(0.2, Duration.ofSeconds(20)).dropReplies(0.1)}</pre>
 *
 * @param duplicateReplies probability that a reply is delivered twice
 * @param reorderReplies probability that a reply overtakes the replies queued before it
 * @param delayReplies probability that a reply is held back for up to {@code maxDelay} of virtual time
 * @param dropReplies probability that a reply is lost (after the participant applied the effect)
 * @param duplicateCommands probability that a participant receives a command twice
 * @since 0.1
 */
public record Faults(long seed, double duplicateReplies, double reorderReplies, double delayReplies, Duration maxDelay,
                     double dropReplies, double duplicateCommands) {

    public Faults {
        for (double p : new double[] {duplicateReplies, reorderReplies, delayReplies, dropReplies, duplicateCommands}) {
            if (p < 0 || p > 1) {
                throw new IllegalArgumentException("a fault probability must be within [0, 1], but was " + p);
            }
        }
        if (maxDelay == null || maxDelay.isNegative()) {
            throw new IllegalArgumentException("maxDelay must be >= 0, but was " + maxDelay);
        }
    }

    /** No faults. */
    public static Faults none() {
        return new Faults(0, 0, 0, 0, Duration.ZERO, 0, 0);
    }

    /** No faults yet, with this random seed. */
    public static Faults seeded(long seed) {
        return new Faults(seed, 0, 0, 0, Duration.ZERO, 0, 0);
    }

    public Faults duplicateReplies(double p) {
        return new Faults(seed, p, reorderReplies, delayReplies, maxDelay, dropReplies, duplicateCommands);
    }

    public Faults reorderReplies(double p) {
        return new Faults(seed, duplicateReplies, p, delayReplies, maxDelay, dropReplies, duplicateCommands);
    }

    public Faults delayReplies(double p, Duration max) {
        return new Faults(seed, duplicateReplies, reorderReplies, p, max, dropReplies, duplicateCommands);
    }

    public Faults dropReplies(double p) {
        return new Faults(seed, duplicateReplies, reorderReplies, delayReplies, maxDelay, p, duplicateCommands);
    }

    public Faults duplicateCommands(double p) {
        return new Faults(seed, duplicateReplies, reorderReplies, delayReplies, maxDelay, dropReplies, p);
    }

    Random random() {
        return new Random(seed);
    }
}
