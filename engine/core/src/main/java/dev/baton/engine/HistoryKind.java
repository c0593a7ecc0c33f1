package dev.baton.engine;

/**
 * What one entry of a saga's history records ({@link dev.baton.engine.spi.HistoryRecord#kind()}). Stores keep the
 * name ({@link #name()}); new kinds may be added in later versions.
 *
 * @since 0.4
 */
public enum HistoryKind {
    STARTED, COMMAND_SENT, REPLY_RECEIVED, STEP_COMPLETED, STEP_FAILED, TIMED_OUT, RETRY_SCHEDULED, PARKED, RESUMED,
    GAVE_UP, COMPENSATION_STARTED, COMPENSATION_SENT, STEP_COMPENSATED, COMPENSATION_FAILED, OPERATOR_ACTION,
    COMPLETED, COMPENSATED, FAILED,
    /** A command decided but not sent: its participant's {@code CommandGate} (circuit breaker) held it back. */
    NOT_SENT
}
