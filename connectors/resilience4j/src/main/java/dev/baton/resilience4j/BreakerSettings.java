package dev.baton.resilience4j;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The thresholds of one participant's circuit breaker. The breaker looks at the outcomes of the last
 * {@code slidingWindow} commands sent to the participant (RETRY_LATER answers and timeouts count as failures, SUCCESS
 * and business FAILURE answers as successes); once at least {@code minimumCalls} are in, a failure rate at or above
 * {@code failureRatePercent} opens it. Open, it holds every command back for {@code waitOpen}; then it lets
 * {@code halfOpenCalls} probes through, and closes if their failure rate is below the threshold (or opens again).
 *
 * @param failureRatePercent the failure rate that opens the breaker, in percent: more than 0, at most 100
 * @param minimumCalls outcomes needed before the rate counts: at least 1
 * @param slidingWindow how many of the latest outcomes count: at least 1 (raised to {@code minimumCalls} if smaller)
 * @param waitOpen how long the breaker stays open before probing: positive
 * @param halfOpenCalls how many probes go out while half-open: at least 1
 * @since 0.1
 */
public record BreakerSettings(float failureRatePercent, int minimumCalls, int slidingWindow, Duration waitOpen, int halfOpenCalls) {

    /** The defaults: 50 % of the last 20 calls, counted from 10 calls on; open for 30 s; 3 probes. */
    public static final BreakerSettings DEFAULTS = new BreakerSettings(50, 10, 20, Duration.ofSeconds(30), 3);

    public BreakerSettings {
        List<String> problems = problems(failureRatePercent, minimumCalls, slidingWindow, waitOpen, halfOpenCalls);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid circuit breaker settings: " + String.join("; ", problems));
        }
        slidingWindow = Math.max(slidingWindow, minimumCalls);
    }

    /** What is wrong with these values, one entry per setting; empty when they are valid. */
    public static List<String> problems(float failureRatePercent, int minimumCalls, int slidingWindow, Duration waitOpen,
                                        int halfOpenCalls) {
        List<String> out = new ArrayList<>();
        if (!(failureRatePercent > 0 && failureRatePercent <= 100)) {
            out.add("failure-rate must be a percentage above 0 and at most 100, but was " + failureRatePercent);
        }
        if (minimumCalls < 1) {
            out.add("minimum-calls must be at least 1, but was " + minimumCalls);
        }
        if (slidingWindow < 1) {
            out.add("window must be at least 1, but was " + slidingWindow);
        }
        if (waitOpen == null || waitOpen.isZero() || waitOpen.isNegative()) {
            out.add("wait-open must be a positive duration, but was " + waitOpen);
        }
        if (halfOpenCalls < 1) {
            out.add("half-open-calls must be at least 1, but was " + halfOpenCalls);
        }
        return out;
    }

    public BreakerSettings withFailureRatePercent(float v) {
        return new BreakerSettings(v, minimumCalls, slidingWindow, waitOpen, halfOpenCalls);
    }

    public BreakerSettings withMinimumCalls(int v) {
        return new BreakerSettings(failureRatePercent, v, Math.max(slidingWindow, v), waitOpen, halfOpenCalls);
    }

    public BreakerSettings withSlidingWindow(int v) {
        return new BreakerSettings(failureRatePercent, minimumCalls, v, waitOpen, halfOpenCalls);
    }

    public BreakerSettings withWaitOpen(Duration v) {
        return new BreakerSettings(failureRatePercent, minimumCalls, slidingWindow, v, halfOpenCalls);
    }

    public BreakerSettings withHalfOpenCalls(int v) {
        return new BreakerSettings(failureRatePercent, minimumCalls, slidingWindow, waitOpen, v);
    }
}
