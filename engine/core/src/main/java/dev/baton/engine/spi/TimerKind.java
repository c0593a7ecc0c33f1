package dev.baton.engine.spi;

/**
 * The timers a saga can have; at most one of each kind per saga.
 *
 * @since 0.1
 */
public enum TimerKind {
    /** The reply to the outstanding command is overdue. */
    TIMEOUT,
    /** Time to re-send the outstanding command (retry backoff, or a parked saga's next try). */
    RETRY,
    /** A parked saga's give-up deadline. */
    GIVE_UP
}
