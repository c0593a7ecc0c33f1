package dev.baton.dsl;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The run-time policy of one step, as an operator overrides it without a new release: each field replaces the
 * definition's value, or is null to keep it. {@link SagaDefinition#withPolicies} applies a set of them and checks
 * them as {@code build()} checks a definition.
 *
 * @param timeout how long each attempt waits for a reply; positive
 * @param retry how the command is re-sent after a timeout or a busy answer; after the pivot it must retry
 * @param compensationRetry how the compensation is re-sent; only on a step with a compensation
 * @param parkRetryEvery the pause between re-sends while parked; only on a step with {@code whenBusy(...)}
 * @param parkGiveUpAfter how long a saga may stay parked at the step; only on a step with {@code whenBusy(...)}
 * @since 0.8
 */
public record StepPolicy(Duration timeout, Retry retry, Retry compensationRetry, Duration parkRetryEvery,
                         Duration parkGiveUpAfter) {

    /** No override: every field the definition's. */
    public static final StepPolicy NONE = new StepPolicy(null, null, null, null, null);

    /** True when no field is set. */
    public boolean isEmpty() {
        return timeout == null && retry == null && compensationRetry == null && parkRetryEvery == null
                && parkGiveUpAfter == null;
    }

    /** The fields set here, over those set in {@code base}. */
    public StepPolicy over(StepPolicy base) {
        return new StepPolicy(timeout != null ? timeout : base.timeout, retry != null ? retry : base.retry,
                compensationRetry != null ? compensationRetry : base.compensationRetry,
                parkRetryEvery != null ? parkRetryEvery : base.parkRetryEvery,
                parkGiveUpAfter != null ? parkGiveUpAfter : base.parkGiveUpAfter);
    }

    /** Names and values of the fields set, for display: {@code timeout=PT5S, retry=...}. */
    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        if (timeout != null) {
            parts.add("timeout=" + timeout);
        }
        if (retry != null) {
            parts.add("retry=" + retry);
        }
        if (compensationRetry != null) {
            parts.add("compensationRetry=" + compensationRetry);
        }
        if (parkRetryEvery != null) {
            parts.add("parkRetryEvery=" + parkRetryEvery);
        }
        if (parkGiveUpAfter != null) {
            parts.add("parkGiveUpAfter=" + parkGiveUpAfter);
        }
        return String.join(", ", parts);
    }
}
