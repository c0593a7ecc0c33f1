package dev.baton.engine;

/**
 * Where a saga instance is in its life.
 *
 * <pre>
 * RUNNING -&gt; COMPLETED
 * RUNNING -&gt; PENDING(name) -&gt; RUNNING ...
 * RUNNING/PENDING -&gt; COMPENSATING -&gt; COMPENSATED      (failure before or at the pivot)
 * any non-terminal -&gt; FAILED                         (needs an operator: retry, skip, abort)
 * </pre>
 *
 * @since 0.1
 */
public enum SagaStatus {
    /** Moving forward: a command is out or about to be re-sent. */
    RUNNING,
    /** Parked in a named pending state (a busy participant); a durable timer re-sends the command. */
    PENDING,
    /** Undoing completed steps in reverse order. */
    COMPENSATING,
    /** Every step succeeded. Terminal. */
    COMPLETED,
    /** Every completed step was compensated. Terminal. */
    COMPENSATED,
    /** Stopped with a reason; an operator must retry, skip or abort. Not terminal. */
    FAILED;

    /** True for COMPLETED and COMPENSATED: nothing will happen to the instance any more. */
    public boolean isTerminal() {
        return this == COMPLETED || this == COMPENSATED;
    }
}
