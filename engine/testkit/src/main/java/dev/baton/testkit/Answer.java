package dev.baton.testkit;

/**
 * How a simulated participant answers a command in {@link SagaTestKit}.
 *
 * @since 0.1
 */
public sealed interface Answer {
    /** The command took effect; {@code reply} (may be null) is folded into the saga data by {@code onReply}. */
    record Success(Object reply) implements Answer {}

    /** A business refusal: no effect. */
    record Failure(String reason) implements Answer {}

    /** Busy: no effect, ask again later ({@code RETRY_LATER}). */
    record Busy(String reason) implements Answer {}

    /**
     * The participant failed (its handler threw; the SDK answers RETRY_LATER with {@code baton-retry-cause: error}):
     * no effect, retried per the step's retry policy, counted against the participant's breaker.
     */
    record Error(String reason) implements Answer {}

    /** No answer at all: the saga's timeout decides. The effect is not applied either. */
    record Silence() implements Answer {}

    static Answer success() {
        return new Success(null);
    }

    static Answer success(Object reply) {
        return new Success(reply);
    }

    static Answer failure(String reason) {
        return new Failure(reason);
    }

    static Answer busy(String reason) {
        return new Busy(reason);
    }

    static Answer error(String reason) {
        return new Error(reason);
    }

    static Answer silence() {
        return new Silence();
    }
}
