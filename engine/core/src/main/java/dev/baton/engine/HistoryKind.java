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
    NOT_SENT,
    /**
     * A step whose condition ({@code StepBuilder.when}) did not hold when the saga reached it: its command was not
     * sent, and there is nothing to compensate.
     *
     * @since 0.7
     */
    STEP_SKIPPED,
    /**
     * A step's participant could not answer (its breaker open, its attempts used up, or a park given up) and the
     * step's fallback ({@code StepBuilder.fallback}) gave the data the saga continues with: the step is degraded.
     *
     * @since 0.7
     */
    STEP_DEGRADED
}
