package dev.baton.engine;

/**
 * What an operator can do to an instance.
 *
 * @since 0.1
 */
public enum OperatorAction {
    /**
     * A FAILED saga: send the failed command (or compensation) again: as a new invocation when it was refused, as
     * the same invocation (same message id) when its outcome is unknown, so it cannot take effect twice.
     */
    RETRY,
    /** A FAILED or PENDING saga: treat the current step (or compensation) as done and go on. */
    SKIP,
    /** A RUNNING, PENDING or FAILED saga that has not passed its pivot: compensate what was done. */
    ABORT,
    /** A PENDING saga: re-send its command now instead of waiting for the timer. */
    RESUME
}
