package dev.baton.dsl;

import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What a step does when its participant is busy (answers {@code RETRY_LATER}) or keeps timing out: the saga parks in
 * a named pending state, its command waits in line for the participant's capacity, and after {@code giveUpAfter} in
 * that state the saga gives up on the step (compensating before the pivot, failing for an operator after it).
 *
 * <pre>{@code Park.as("PENDING_PAYMENT").retryEvery(Duration.ofSeconds(10)).giveUpAfter(Duration.ofMinutes(30))}</pre>
 *
 * Defaults: retry every 10 seconds at most, give up after 30 minutes. Immutable.
 *
 * <p><b>Waiting.</b> The engine's flow control keeps a busy participant at what it can take and releases the parked
 * sagas' commands oldest first as it has room. After each busy answer a saga's own command pauses before it may go
 * again: 250 ms, doubled per busy answer, at most {@code retryEvery}; so one saga answered busy over and over does not
 * crowd out the others. (With flow control off, the command goes again when its pause ends.)
 *
 * <p><b>Spread.</b> Each pause is between 80 % and 100 % of its nominal length, by an amount the engine derives from
 * the saga id, the step and the attempt: the same saga and attempt always wait the same, but sagas that parked
 * together do not come back all at once.
 *
 * @param state the pending state's name, shown to operators: upper case, digits and '_'
 * @param retryEvery the longest pause of a parked saga's command after a busy answer (see "Waiting"); positive
 * @param giveUpAfter how long the saga may stay parked in all, from the first moment it waited; at least
 *                    {@code retryEvery}
 * @since 0.1
 */
public record Park(String state, Duration retryEvery, Duration giveUpAfter) {
    private static final Pattern STATE = Pattern.compile("[A-Z][A-Z0-9_]{0,63}");
    /** The default pause between re-sends while parked. */
    public static final Duration DEFAULT_RETRY_EVERY = Duration.ofSeconds(10);
    /** The default time a saga may stay parked before it gives up on the step. */
    public static final Duration DEFAULT_GIVE_UP_AFTER = Duration.ofMinutes(30);

    public Park {
        Objects.requireNonNull(state, "state");
        if (!STATE.matcher(state).matches()) {
            throw new IllegalArgumentException("pending state name must be upper case letters, digits and '_'"
                    + " (like PENDING_PAYMENT), but was '" + state + "'");
        }
        Retry.Checks.positive("retryEvery", retryEvery);
        Retry.Checks.positive("giveUpAfter", giveUpAfter);
        if (giveUpAfter.compareTo(retryEvery) < 0) {
            throw new IllegalArgumentException("giveUpAfter must be >= retryEvery (" + retryEvery + "), but was " + giveUpAfter);
        }
    }

    /** Parks in {@code state} with the default intervals. */
    public static Park as(String state) {
        return new Park(state, DEFAULT_RETRY_EVERY, DEFAULT_GIVE_UP_AFTER);
    }

    /**
     * A copy that re-sends every {@code interval}. When {@code interval} is longer than the current
     * {@code giveUpAfter}, {@code giveUpAfter} is raised to {@code interval}, so that
     * {@code Park.as("X").retryEvery(Duration.ofHours(1))} works without also setting {@code giveUpAfter}.
     */
    public Park retryEvery(Duration interval) {
        Objects.requireNonNull(interval, "retryEvery");
        Duration giveUp = giveUpAfter.compareTo(interval) < 0 ? interval : giveUpAfter;
        return new Park(state, interval, giveUp);
    }

    /** A copy that gives up after {@code limit} in the pending state. */
    public Park giveUpAfter(Duration limit) {
        return new Park(state, retryEvery, limit);
    }
}
