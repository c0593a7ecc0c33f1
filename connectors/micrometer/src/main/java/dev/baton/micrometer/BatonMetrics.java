package dev.baton.micrometer;

import dev.baton.dsl.SagaDefinition;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.LoggerFactory;

/**
 * Binds Baton to a Micrometer registry: the event meters (through the returned {@link MicrometerSagaListener}, which
 * the engine must be given) and the gauges over the store's counts ({@link BatonMeter#SAGAS_ACTIVE},
 * {@link BatonMeter#OUTBOX_PENDING}, {@link BatonMeter#TIMERS_DUE}).
 *
 * <pre>{@code
 * MeterRegistry registry = ...;                  // a PrometheusMeterRegistry behind /metrics, say
 * Duration every = Duration.ofSeconds(5);        // counts is the caller's: SQL counts in the server
 * SagaListener metrics = BatonMetrics.builder(registry)
 *         .activeCounts(Cached.every(every, counts::activeByTypeAndStatus, clock))
 *         .outboxPending(Cached.every(every, counts::outboxRows, clock)::get)
 *         .timersDue(Cached.every(every, counts::dueTimers, clock)::get)
 *         .bind();
 * SagaEngine engine = SagaEngine.builder().store(store).transport(transport).codec(codec)
 *         .clock(clock).listener(metrics).register(ORDER).build();
 * }</pre>
 * (From {@code UsageExampleTest}, which runs it.)
 *
 * <p><b>The suppliers are called on every scrape</b>, on the scraping thread: {@code outboxPending} and
 * {@code timersDue} once each, {@code activeCounts} once per published (type, status) series. Make them cheap,
 * for instance by wrapping a store query in {@link Cached#every}. A supplier that throws makes its gauges read NaN
 * for that scrape (logged once at WARN, then at DEBUG); it never reaches the engine. {@code activeCounts} is also
 * called once by {@link Builder#bind()}, to register the series that exist already.
 *
 * <p>Each gauge is optional: a supplier that is not given registers no gauge. Bind once per registry: a second
 * binding shares the first one's meters (Micrometer keeps the first gauge registered under a name and tags).
 *
 * @since 0.1
 */
public final class BatonMetrics {
    private BatonMetrics() {}

    /**
     * Binds every Baton meter to {@code registry} and returns the listener to give the engine.
     *
     * @param activeCounts the number of sagas not ended, by type and status (keys missing from the map read 0)
     * @param outboxPending the number of outbox rows not yet acknowledged by the transport
     * @param timersDue the number of durable timers due and not yet fired
     */
    public static MicrometerSagaListener bind(MeterRegistry registry, Supplier<? extends Map<TypeAndStatus, Long>> activeCounts,
                                              LongSupplier outboxPending, LongSupplier timersDue) {
        return builder(registry).activeCounts(Objects.requireNonNull(activeCounts, "activeCounts"))
                .outboxPending(Objects.requireNonNull(outboxPending, "outboxPending"))
                .timersDue(Objects.requireNonNull(timersDue, "timersDue"))
                .bind();
    }

    /** A binding to {@code registry} with no gauges yet. */
    public static Builder builder(MeterRegistry registry) {
        return new Builder(Objects.requireNonNull(registry, "registry"), null, null, null, java.util.List.of());
    }

    /**
     * Which gauges to bind besides the event meters. Immutable: each method returns a new builder.
     *
     * @since 0.1
     */
    public static final class Builder {
        private final MeterRegistry registry;
        private final Supplier<? extends Map<TypeAndStatus, Long>> activeCounts;
        private final LongSupplier outboxPending;
        private final LongSupplier timersDue;
        private final java.util.List<SagaDefinition<?>> definitions;

        private Builder(MeterRegistry registry, Supplier<? extends Map<TypeAndStatus, Long>> activeCounts,
                        LongSupplier outboxPending, LongSupplier timersDue, java.util.List<SagaDefinition<?>> definitions) {
            this.registry = registry;
            this.activeCounts = activeCounts;
            this.outboxPending = outboxPending;
            this.timersDue = timersDue;
            this.definitions = definitions;
        }

        /** Publishes {@link BatonMeter#SAGAS_ACTIVE} from these counts (called once per series on every scrape). */
        public Builder activeCounts(Supplier<? extends Map<TypeAndStatus, Long>> counts) {
            return new Builder(registry, Objects.requireNonNull(counts, "counts"), outboxPending, timersDue, definitions);
        }

        /** Publishes {@link BatonMeter#OUTBOX_PENDING} from this count (called on every scrape). */
        public Builder outboxPending(LongSupplier count) {
            return new Builder(registry, activeCounts, Objects.requireNonNull(count, "count"), timersDue, definitions);
        }

        /** Publishes {@link BatonMeter#TIMERS_DUE} from this count (called on every scrape). */
        public Builder timersDue(LongSupplier count) {
            return new Builder(registry, activeCounts, outboxPending, Objects.requireNonNull(count, "count"), definitions);
        }

        /**
         * Measures step and saga durations against the SLAs of these definitions (see {@link MicrometerSagaListener}):
         * SLO boundaries on the duration timers and the breach counters. Defaults to none.
         *
         * @since 0.7
         */
        public Builder slas(java.util.Collection<? extends SagaDefinition<?>> definitions) {
            return new Builder(registry, activeCounts, outboxPending, timersDue,
                    java.util.List.copyOf(Objects.requireNonNull(definitions, "definitions")));
        }

        /**
         * Registers the gauges and returns the listener for the engine's builder. Registry failures here (at start-up)
         * are thrown; once bound, nothing is thrown to the engine or the scraper.
         */
        public MicrometerSagaListener bind() {
            if (outboxPending != null) {
                longGauge(BatonMeter.OUTBOX_PENDING, outboxPending);
            }
            if (timersDue != null) {
                longGauge(BatonMeter.TIMERS_DUE, timersDue);
            }
            if (activeCounts == null) {
                return new MicrometerSagaListener(registry, definitions);
            }
            ActiveSagaGauges active = new ActiveSagaGauges(registry, activeCounts);
            active.registerExisting();
            return new MicrometerSagaListener(registry, definitions, active::typeSeen);
        }

        private void longGauge(BatonMeter meter, LongSupplier count) {
            FailureLog failures = new FailureLog(LoggerFactory.getLogger(BatonMetrics.class),
                    "Baton metrics, " + meter.meterName());
            Gauge.builder(meter.meterName(), () -> {
                        try {
                            return (double) count.getAsLong();
                        } catch (RuntimeException e) {
                            failures.failed("reading the count", e);
                            return Double.NaN;
                        }
                    })
                    .description(meter.description())
                    .baseUnit(meter.baseUnit())
                    .register(registry);
        }
    }

    /**
     * Publishes each participant's flow control ({@link BatonMeter#FLOW_LIMIT}, {@link BatonMeter#FLOW_IN_FLIGHT},
     * {@link BatonMeter#FLOW_WAITING}, {@link BatonMeter#FLOW_OLDEST_WAIT}) from {@code engine.flows()}, read on every
     * scrape (in memory, no store query). Call it once the engine is open: every participant of its definitions has a
     * series from then on.
     *
     * @since 0.4
     */
    public static void bindFlows(MeterRegistry registry, dev.baton.engine.SagaEngine engine, java.time.Clock clock) {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(clock, "clock");
        for (dev.baton.engine.FlowView f : engine.flows()) {
            String p = f.participant();
            flowGauge(registry, BatonMeter.FLOW_LIMIT, p, engine, v -> Math.floor(v.limit()));
            flowGauge(registry, BatonMeter.FLOW_IN_FLIGHT, p, engine, v -> v.inFlight());
            flowGauge(registry, BatonMeter.FLOW_WAITING, p, engine, v -> v.waiting());
            flowGauge(registry, BatonMeter.FLOW_OLDEST_WAIT, p, engine, v -> v.waiting() == 0 || v.oldestWaiting() == null
                    ? 0 : Math.max(0, java.time.Duration.between(v.oldestWaiting(), clock.instant()).toMillis() / 1000.0));
        }
    }

    /**
     * Registers {@link BatonMeter#ROLLOUT_WEIGHT} for every version {@code engine} registered, read from its live
     * settings at each scrape. Does nothing for an engine without live settings.
     *
     * @since 0.8
     */
    public static void bindRollouts(MeterRegistry registry, dev.baton.engine.SagaEngine engine,
                                    java.util.Collection<dev.baton.dsl.SagaDefinition<?>> definitions) {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(engine, "engine");
        for (dev.baton.dsl.SagaDefinition<?> d : definitions) {
            String type = d.type();
            int version = d.version();
            Gauge.builder(BatonMeter.ROLLOUT_WEIGHT.meterName(), () -> {
                        try {
                            return engine.live().rollout(type).map(r -> (double) r.weights().getOrDefault(version, 0))
                                    .orElse(-1.0);
                        } catch (UnsupportedOperationException e) {
                            return -1.0;
                        }
                    })
                    .description(BatonMeter.ROLLOUT_WEIGHT.description())
                    .tag(BatonMeter.TagKeys.TYPE, type)
                    .tag(BatonMeter.TagKeys.VERSION, Integer.toString(version))
                    .register(registry);
        }
    }

    private static void flowGauge(MeterRegistry registry, BatonMeter meter, String participant,
                                  dev.baton.engine.SagaEngine engine,
                                  java.util.function.ToDoubleFunction<dev.baton.engine.FlowView> value) {
        Gauge.builder(meter.meterName(), () -> engine.flows().stream().filter(v -> v.participant().equals(participant))
                        .findFirst().map(value::applyAsDouble).orElse(Double.NaN))
                .description(meter.description())
                .baseUnit(meter.baseUnit())
                .tag(BatonMeter.TagKeys.PARTICIPANT, participant)
                .register(registry);
    }
}
