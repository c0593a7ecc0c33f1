package dev.baton.resilience4j;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Locale;

/**
 * Micrometer meters of the participants' circuit breakers, tagged {@code participant}:
 * <ul>
 * <li>{@code baton.breaker.state}: 0 closed, 1 open, 2 half-open;</li>
 * <li>{@code baton.breaker.failure.rate}: the failure rate of the window in percent (-1 until enough calls);</li>
 * <li>{@code baton.breaker.transitions}, also tagged {@code to} ({@code closed}, {@code open}, {@code half_open}, ...):
 *     state changes;</li>
 * <li>{@code baton.breaker.not.permitted}: commands held back by an open breaker.</li>
 * </ul>
 * Needs {@code micrometer-core} on the class path (an optional dependency of this module).
 *
 * @since 0.1
 */
public final class BreakerMetrics {
    private BreakerMetrics() {}

    /** Registers the meters of every breaker, now and as breakers are created. */
    public static void bind(ParticipantBreakers breakers, MeterRegistry registry) {
        breakers.forEachBreaker(b -> bind(breakers, b, registry));
    }

    private static void bind(ParticipantBreakers breakers, CircuitBreaker b, MeterRegistry registry) {
        String participant = b.getName();
        // read through the participant's name: an operator's new thresholds replace the breaker object
        Gauge.builder("baton.breaker.state", breakers, x -> BreakerState.code(x.breaker(participant).getState().name()))
                .description("circuit breaker state of a participant: 0 closed, 1 open, 2 half-open")
                .tag("participant", participant).register(registry);
        Gauge.builder("baton.breaker.failure.rate", breakers, x -> x.breaker(participant).getMetrics().getFailureRate())
                .description("failure rate (RETRY_LATER and timeouts) of the participant's recent commands, percent; -1 until enough calls")
                .baseUnit("percent").tag("participant", participant).register(registry);
        FunctionCounter.builder("baton.breaker.not.permitted", breakers, x -> x.state(participant).notPermittedCalls())
                .description("commands held back because the participant's circuit breaker was open")
                .tag("participant", participant).register(registry);
        for (CircuitBreaker.State s : new CircuitBreaker.State[] {CircuitBreaker.State.CLOSED, CircuitBreaker.State.OPEN,
                CircuitBreaker.State.HALF_OPEN}) {
            transitions(registry, participant, s); // present at 0 from the start
        }
        b.getEventPublisher().onStateTransition(e -> transitions(registry, participant, e.getStateTransition().getToState()).increment());
    }

    private static Counter transitions(MeterRegistry registry, String participant, CircuitBreaker.State to) {
        return Counter.builder("baton.breaker.transitions")
                .description("circuit breaker state changes of a participant, by the state entered")
                .tags("participant", participant, "to", to.name().toLowerCase(Locale.ROOT))
                .register(registry);
    }
}
