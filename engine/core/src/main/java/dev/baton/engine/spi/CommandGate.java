package dev.baton.engine.spi;

import java.util.Map;
import java.util.Set;

/**
 * Decides whether a command may go to a participant now, and learns how participants answer: the seam for a
 * circuit breaker per participant ({@code baton-resilience4j} has one). The engine asks {@link #permit} inside the
 * transaction that would write the command to the outbox; a command that is not permitted is never written, and
 * the saga waits in line for the participant ("circuit open for participant X"), in the same transaction, with no
 * attempt used: a step that parks shows its pending state. Flow control releases waiting sagas, oldest first, and
 * asks {@link #permit} for each (while a breaker is open, none go; half-open, its probes do).
 *
 * <p>Every permit granted is settled exactly once: by {@link #onOutcome} when the participant answers or the
 * command times out, or by {@link #release} when the transaction that took it did not commit (a lost race, a
 * rollback). A permit whose command an operator made moot (skip, abort) is not settled. All methods are called on
 * engine threads, concurrently: keep them fast and thread-safe, and never throw. {@link #OPEN} permits everything.
 *
 * @since 0.1
 */
public interface CommandGate {
    /** Permits every command and learns nothing: no circuit breaking. */
    CommandGate OPEN = participant -> true;

    /** How a participant dealt with a command, as a breaker counts it. */
    enum Outcome {
        /** It answered SUCCESS or FAILURE: the service works (a business refusal is a working service). */
        ANSWERED,
        /** It answered RETRY_LATER: working, but at its capacity (flow control sends it less). */
        BUSY,
        /** No answer within the step's timeout. */
        TIMED_OUT,
        /** It answered that it failed (its handler threw): the service is not working for this command. */
        ERROR,
        /**
         * It failed again on a command it had already failed on (a re-send of the same invocation): not counted
         * again, so that one command the handler cannot process (a poison payload, retried per its policy) does not
         * open the breaker for every other saga. Each new command that fails counts once.
         */
        ERROR_REPEATED;

        /**
         * Whether a breaker should count it as a failed call: a timeout or a first error. A busy participant is not
         * down (flow control adapts to it); counting its answers as failures would shut out a participant that is
         * merely busy.
         */
        public boolean failed() {
            return this == TIMED_OUT || this == ERROR;
        }
    }

    /**
     * Called when the engine opens, with every participant its definitions send commands (or compensations) to, so
     * that per-participant state (and its metrics) exists before the first command.
     */
    default void prepare(Set<String> participants) {}

    /**
     * Whether a command may go to {@code participant} now. A {@code true} may take one of a limited number of permits
     * (a probe while a breaker is half-open); the engine settles it with {@link #onOutcome} or {@link #release}.
     */
    boolean permit(String participant);

    /** A permit from {@link #permit} was not used: the command was not committed. */
    default void release(String participant) {}

    /** The participant answered a command (or did not, in time). Called after the saga's transaction committed. */
    default void onOutcome(String participant, Outcome outcome) {}

    /**
     * Checks settings an operator gives one participant at run time (a breaker's thresholds, by the names the gate
     * documents), before they are stored and applied on every node.
     *
     * @throws IllegalArgumentException saying which setting is wrong and what it takes; the default refuses every
     *     setting: the gate has none to change
     * @since 0.8
     */
    default void checkPolicy(String participant, Map<String, String> settings) {
        throw new IllegalArgumentException("this engine's command gate (" + getClass().getSimpleName() + ") has no"
                + " settings to change at run time");
    }

    /**
     * The participant settings in force (participant → settings, each checked by {@link #checkPolicy}), replacing
     * those given before; a participant not named runs with the gate's own settings again. Called on every node when
     * they change.
     *
     * @since 0.8
     */
    default void applyPolicies(Map<String, Map<String, String>> policies) {}
}
