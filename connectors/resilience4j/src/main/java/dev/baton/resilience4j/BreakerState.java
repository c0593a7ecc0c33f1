package dev.baton.resilience4j;

/**
 * A snapshot of one participant's circuit breaker.
 *
 * @param participant the participant's name
 * @param state {@code CLOSED}, {@code OPEN} or {@code HALF_OPEN} (or Resilience4j's {@code FORCED_OPEN}, {@code DISABLED},
 *              {@code METRICS_ONLY} when someone forced it through {@link ParticipantBreakers#breaker})
 * @param failureRatePercent the failure rate of the calls in the window, in percent; -1 until the minimum number of
 *                           calls is in
 * @param bufferedCalls outcomes in the window now
 * @param failedCalls failed outcomes in the window now
 * @param notPermittedCalls commands held back since the engine started
 * @since 0.1
 */
public record BreakerState(String participant, String state, float failureRatePercent, int bufferedCalls, int failedCalls,
                           long notPermittedCalls) {

    /** The state as a number for a gauge: 0 closed, 1 open (forced open too), 2 half-open; 0 when disabled. */
    public int code() {
        return code(state);
    }

    static int code(String state) {
        return switch (state) {
            case "OPEN", "FORCED_OPEN" -> 1;
            case "HALF_OPEN" -> 2;
            default -> 0;
        };
    }
}
