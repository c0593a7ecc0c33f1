package dev.baton.engine.spi;

/**
 * The timers a saga can have; at most one of each kind per saga.
 *
 * @since 0.1
 */
public enum TimerKind {
    /** The reply to the outstanding command is overdue. */
    TIMEOUT,
    /** Time to re-send the outstanding command after a retry policy's backoff. */
    RETRY,
    /** A parked saga's give-up deadline. */
    GIVE_UP,
    /**
     * The outstanding command waits for its participant's capacity (held back by flow control, or parked after a
     * busy answer). Not fired by time alone: from {@code fireAt} on it may go, and the engine's flow control releases
     * the waiting commands of a participant in {@code fireAt} order as the participant has room for them.
     *
     * @since 0.4
     */
    WAIT
}
