package dev.baton.resilience4j;

import dev.baton.engine.spi.CommandGate;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link CommandGate} with one Resilience4j circuit breaker per participant: pass it to
 * {@code SagaEngine.builder().commandGate(...)}. A participant that lets too many of its recent commands time out
 * gets its breaker opened (a RETRY_LATER answer is no failure: a busy participant works, and the engine's flow
 * control sends it less); while it is open the engine sends it nothing, and sagas that reach it
 * park (or back off) as if it had answered RETRY_LATER. After the wait, a few probes go out as normal commands; their
 * answers close the breaker or open it again.
 *
 * <p>Breakers are count-based (the last N outcomes) and use the engine's clock for the open wait, so a test's
 * manual clock drives them. Their state is in memory: a restarted engine starts with every breaker closed.
 * Thread-safe.
 *
 * @since 0.1
 */
public final class ParticipantBreakers implements CommandGate {
    private static final Logger log = LoggerFactory.getLogger(ParticipantBreakers.class);

    /** What a failed outcome is recorded as; no stack trace, shared. */
    private static final class ParticipantUnavailable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ParticipantUnavailable(String message) {
            super(message, null, false, false);
        }
    }

    private static final Throwable TIMED_OUT = new ParticipantUnavailable("the participant did not answer in time");
    private static final Throwable ERRORED = new ParticipantUnavailable("the participant answered that its handler failed");

    private final Clock clock;
    private final BreakerSettings defaults;
    private final Map<String, BreakerSettings> perParticipant;
    /** Operators' run-time overrides (CommandGate#applyPolicies), over the configured settings. */
    private volatile Map<String, BreakerSettings> overridden = Map.of();
    private final CircuitBreakerRegistry registry;
    private final Map<String, LongAdder> notPermitted = new ConcurrentHashMap<>();
    private final List<Consumer<CircuitBreaker>> onCreated = new CopyOnWriteArrayList<>();

    private ParticipantBreakers(Clock clock, BreakerSettings defaults, Map<String, BreakerSettings> perParticipant) {
        this.clock = clock;
        this.defaults = defaults;
        this.perParticipant = Map.copyOf(perParticipant);
        this.registry = CircuitBreakerRegistry.of(config(defaults));
    }

    /** Breakers with {@link BreakerSettings#DEFAULTS} for every participant, on the system clock. */
    public static ParticipantBreakers withDefaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds {@link ParticipantBreakers}. */
    public static final class Builder {
        private Clock clock = Clock.systemUTC();
        private BreakerSettings defaults = BreakerSettings.DEFAULTS;
        private final Map<String, BreakerSettings> perParticipant = new LinkedHashMap<>();

        private Builder() {}

        /** The clock the open wait is measured on: give it the engine's clock. Defaults to the system clock (UTC). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** The settings of every participant not named in {@link #participant}. */
        public Builder defaults(BreakerSettings settings) {
            this.defaults = Objects.requireNonNull(settings, "settings");
            return this;
        }

        /** The settings of one participant's breaker. */
        public Builder participant(String name, BreakerSettings settings) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("a participant name must not be blank");
            }
            perParticipant.put(name, Objects.requireNonNull(settings, "settings"));
            return this;
        }

        /** Every participant's settings from {@code settings}, as {@link BreakerConfigs#parse} reads them. */
        public Builder settings(BreakerConfigs settings) {
            defaults(settings.defaults());
            settings.participants().forEach(this::participant);
            return this;
        }

        public ParticipantBreakers build() {
            return new ParticipantBreakers(clock, defaults, perParticipant);
        }
    }

    private CircuitBreakerConfig config(BreakerSettings s) {
        return CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(s.slidingWindow())
                .minimumNumberOfCalls(s.minimumCalls())
                .failureRateThreshold(s.failureRatePercent())
                .waitDurationInOpenState(s.waitOpen())
                .permittedNumberOfCallsInHalfOpenState(s.halfOpenCalls())
                // a probe's answer may be applied by another engine node, never settling this node's permit: after
                // the open wait again, a half-open breaker opens again and, after that wait, hands out fresh probes
                .maxWaitDurationInHalfOpenState(s.waitOpen())
                // the engine measures slowness with its step timeouts; durations are not recorded
                .slowCallRateThreshold(100)
                .slowCallDurationThreshold(java.time.Duration.ofDays(365))
                .clock(clock)
                .build();
    }

    /** The settings used for {@code participant}. */
    public BreakerSettings settings(String participant) {
        BreakerSettings o = overridden.get(participant);
        return o != null ? o : configured(participant);
    }

    private BreakerSettings configured(String participant) {
        return perParticipant.getOrDefault(participant, defaults);
    }

    /** The breaker of {@code participant}, created on first use. For inspection (or forcing a state by hand). */
    public CircuitBreaker breaker(String participant) {
        CircuitBreaker existing = registry.find(participant).orElse(null);
        if (existing != null) {
            return existing;
        }
        synchronized (this) {
            existing = registry.find(participant).orElse(null);
            if (existing != null) {
                return existing;
            }
            CircuitBreaker b = registry.circuitBreaker(participant, config(settings(participant)));
            LongAdder held = notPermitted.computeIfAbsent(participant, p -> new LongAdder());
            b.getEventPublisher()
                    .onCallNotPermitted(e -> held.increment())
                    .onStateTransition(e -> log.warn("circuit breaker of participant '{}': {} -> {} (failure rate {}%)",
                            participant, e.getStateTransition().getFromState(), e.getStateTransition().getToState(),
                            b.getMetrics().getFailureRate()));
            for (Consumer<CircuitBreaker> c : onCreated) {
                c.accept(b);
            }
            return b;
        }
    }

    /**
     * Calls {@code action} for every breaker now and for every breaker created later (a metrics binding, say).
     * Breakers are created for every participant of the engine's definitions when it opens.
     */
    public synchronized void forEachBreaker(Consumer<CircuitBreaker> action) {
        onCreated.add(action);
        registry.getAllCircuitBreakers().forEach(action);
    }

    /** Snapshots of every breaker, by participant name, sorted. */
    public Map<String, BreakerState> states() {
        Map<String, BreakerState> out = new TreeMap<>();
        for (CircuitBreaker b : registry.getAllCircuitBreakers()) {
            out.put(b.getName(), state(b));
        }
        return out;
    }

    /** A snapshot of one participant's breaker. */
    public BreakerState state(String participant) {
        return state(breaker(participant));
    }

    private BreakerState state(CircuitBreaker b) {
        CircuitBreaker.Metrics m = b.getMetrics();
        LongAdder held = notPermitted.get(b.getName());
        return new BreakerState(b.getName(), b.getState().name(), m.getFailureRate(), m.getNumberOfBufferedCalls(),
                m.getNumberOfFailedCalls(), held == null ? 0 : held.sum());
    }

    // ---------------------------------------------------------------- CommandGate

    @Override
    public void prepare(Set<String> participants) {
        participants.forEach(this::breaker);
    }

    @Override
    public boolean permit(String participant) {
        return breaker(participant).tryAcquirePermission();
    }

    @Override
    public void release(String participant) {
        breaker(participant).releasePermission();
    }

    /**
     * {@inheritDoc} The settings are named as in the configuration ({@link BreakerConfigs#SETTINGS}), and change the
     * participant's configured ones.
     */
    @Override
    public void checkPolicy(String participant, Map<String, String> settings) {
        BreakerConfigs.override(configured(participant), settings);
    }

    /**
     * {@inheritDoc} A participant whose settings change gets a new breaker with them: it starts closed, with an empty
     * window (a Resilience4j breaker's configuration is fixed when it is made).
     */
    @Override
    public synchronized void applyPolicies(Map<String, Map<String, String>> policies) {
        Map<String, BreakerSettings> next = new TreeMap<>();
        policies.forEach((participant, settings) -> next.put(participant,
                BreakerConfigs.override(configured(participant), settings)));
        Map<String, BreakerSettings> before = overridden;
        overridden = Map.copyOf(next);
        Set<String> touched = new java.util.TreeSet<>(before.keySet());
        touched.addAll(next.keySet());
        for (String participant : touched) {
            BreakerSettings was = before.getOrDefault(participant, configured(participant));
            BreakerSettings now = settings(participant);
            if (!was.equals(now) && registry.find(participant).isPresent()) {
                registry.remove(participant);
                breaker(participant);
                log.info("circuit breaker of participant '{}' now runs with {} ({}); it starts closed", participant, now,
                        next.containsKey(participant) ? "an operator's override" : "its configured settings again");
            }
        }
    }

    @Override
    public void onOutcome(String participant, Outcome outcome) {
        CircuitBreaker b = breaker(participant);
        switch (outcome) {
            case ANSWERED -> b.onSuccess(0, TimeUnit.NANOSECONDS);
            // busy is a working service at its capacity: flow control's business, not a failure; the permit goes back
            case BUSY -> b.releasePermission();
            case TIMED_OUT -> b.onError(0, TimeUnit.NANOSECONDS, TIMED_OUT);
            case ERROR -> b.onError(0, TimeUnit.NANOSECONDS, ERRORED);
            case ERROR_REPEATED -> b.releasePermission();
        }
    }
}
