package dev.baton.kafka.common;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The state of one Kafka consumer loop (the engine's reply or start-topic loop, a participant's command loop), as
 * seen at one instant. A loop polls, hands what it read to its handler and commits; every error backs off and resumes,
 * and a consumer that cannot be used any more is closed and replaced, so a loop ends only when it is closed.
 *
 * @param name                the loop's name (its thread's name), e.g. {@code baton-kafka-replies}
 * @param lastSuccessfulPoll  when the loop last knew the broker answered it: a poll that returned records, a commit, or
 *                            (when polls come back empty) a check of the assigned partitions' end offsets; the loop's
 *                            start until then
 * @param consecutiveFailures errors since the last iteration that went through (poll, handler, commit); 0 when healthy
 * @param restarts            how many times the loop closed its consumer and made a new one
 * @param lastError           the most recent error, as text, or null when there was none
 * @since 0.1
 */
public record LoopHealth(String name, Instant lastSuccessfulPoll, int consecutiveFailures, long restarts,
                         String lastError) {
    public LoopHealth {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(lastSuccessfulPoll, "lastSuccessfulPoll");
        if (consecutiveFailures < 0) {
            throw new IllegalArgumentException("consecutiveFailures must be >= 0, but was " + consecutiveFailures);
        }
        if (restarts < 0) {
            throw new IllegalArgumentException("restarts must be >= 0, but was " + restarts);
        }
    }

    /** How long the loop has gone without a successful poll at {@code now} (zero if the last one is in the future). */
    public Duration silence(Instant now) {
        Duration d = Duration.between(lastSuccessfulPoll, now);
        return d.isNegative() ? Duration.ZERO : d;
    }

    /** Whether the loop's last iteration failed: it is backing off, and cannot read at the moment. */
    public boolean failing() {
        return consecutiveFailures > 0;
    }
}
