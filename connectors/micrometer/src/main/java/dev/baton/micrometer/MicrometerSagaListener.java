package dev.baton.micrometer;

import dev.baton.dsl.SagaDefinition;
import dev.baton.dsl.StepDefinition;
import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.spi.SagaListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.LoggerFactory;

/**
 * Turns the engine's {@link SagaListener} events into Micrometer counters and timers (the {@link BatonMeter}s that
 * are not gauges). Give it to the engine with {@code SagaEngine.builder().listener(...)}; for the gauges over the
 * store's counts as well, use {@link BatonMetrics}.
 *
 * <ul>
 * <li>{@code onStarted} → {@link BatonMeter#SAGAS_STARTED} and {@link BatonMeter#SAGAS_STARTED_BY_VERSION}</li>
 * <li>{@code onStatusChanged} to FAILED → {@link BatonMeter#SAGAS_FAILED}; to PENDING → {@link BatonMeter#SAGAS_PENDING}</li>
 * <li>{@code onEnded} → {@link BatonMeter#SAGAS_ENDED} and {@link BatonMeter#SAGA_DURATION}</li>
 * <li>{@code onStepCompleted} → {@link BatonMeter#STEP_DURATION}</li>
 * <li>{@code onStepSkipped} → {@link BatonMeter#STEPS_SKIPPED}; {@code onStepDegraded} → {@link BatonMeter#STEPS_DEGRADED}</li>
 * <li>{@code onDuplicateMessage} → {@link BatonMeter#MESSAGES_DUPLICATE}; {@code onIgnoredReply} →
 *     {@link BatonMeter#MESSAGES_IGNORED}; {@code onDeadLetter} → {@link BatonMeter#MESSAGES_DEAD}</li>
 * <li>{@code onOutboxResent} → {@link BatonMeter#OUTBOX_RESENT}</li>
 * </ul>
 *
 * <p>Meters are registered the first time a saga type (or step, or dead-letter topic) is seen, or up front by
 * {@link #registerUpFront}, and kept, so an event
 * costs a map lookup and an increment. The first event of a type registers all of that type's counters and
 * end timers at once, so their series exist at zero before anything fails (alerts on
 * {@code baton_sagas_failed_total} then see an increase from 0, not a series appearing). Saga ids, business keys,
 * message ids and reasons are never tags.
 *
 * <p>{@link BatonMeter#SAGA_DURATION} publishes the percentiles 0.5, 0.95 and 0.99 and a percentile histogram, for an
 * expected range of 10 ms to 1 h (longer sagas land in the top bucket; the max is exact). Change the range, or add a
 * histogram to {@link BatonMeter#STEP_DURATION}, with a {@code MeterFilter} on the registry: a filter's
 * {@code DistributionStatisticConfig} takes precedence over these defaults.
 *
 * <p><b>SLAs.</b> Given the saga definitions ({@link #MicrometerSagaListener(MeterRegistry, Collection)}), a step with
 * an SLA ({@code .sla(Duration)} in the DSL) has its {@link BatonMeter#STEP_DURATION} published with the SLA as a
 * service-level-objective boundary (Prometheus: a bucket {@code le="<sla in seconds>"} besides {@code +Inf}), and
 * each completion later than the SLA counts in {@link BatonMeter#STEP_SLA_BREACHES}; a saga type with an SLA gets the
 * boundary on {@link BatonMeter#SAGA_DURATION} and counts ends later than it in {@link BatonMeter#SAGA_SLA_BREACHES}.
 * A duration equal to the SLA meets it. Of several versions of a type, the highest version's SLAs count. The
 * step timers and breach counters of steps with an SLA are registered with their type's other meters, at zero.
 *
 * <p>Never throws: a failure of the registry is logged (the first at WARN, later ones at DEBUG) and the event is
 * dropped, so a metrics problem never fails a saga. Thread-safe; the engine calls it from several threads.
 *
 * @since 0.1
 */
public final class MicrometerSagaListener implements SagaListener {
    static final Duration SAGA_DURATION_MIN = Duration.ofMillis(10);
    static final Duration SAGA_DURATION_MAX = Duration.ofHours(1);
    private static final String UNKNOWN = "unknown";

    private final MeterRegistry registry;
    private final Consumer<String> typeSeen;
    /** SLAs by saga type, from the highest version of each; types without any SLA are absent. */
    private final Map<String, Slas> slas;
    private final FailureLog failures = new FailureLog(LoggerFactory.getLogger(MicrometerSagaListener.class),
            "Baton metrics listener");
    private final ConcurrentHashMap<String, TypeMeters> byType = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> deadByTopic = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> startedByVersion = new ConcurrentHashMap<>();
    private volatile Counter duplicates;
    private volatile Counter ignored;
    private volatile Counter resent;

    /** A listener recording into {@code registry}, with no SLAs. Registers nothing until the first event. */
    public MicrometerSagaListener(MeterRegistry registry) {
        this(registry, java.util.List.of(), type -> {});
    }

    /**
     * A listener recording into {@code registry}, measuring against the SLAs of {@code definitions} (see the class
     * comment). Registers nothing until the first event.
     *
     * @since 0.7
     */
    public MicrometerSagaListener(MeterRegistry registry, Collection<? extends SagaDefinition<?>> definitions) {
        this(registry, definitions, type -> {});
    }

    /** {@code typeSeen} is told (once) about each saga type, when its meters are registered. */
    MicrometerSagaListener(MeterRegistry registry, Collection<? extends SagaDefinition<?>> definitions,
                           Consumer<String> typeSeen) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.typeSeen = Objects.requireNonNull(typeSeen, "typeSeen");
        this.slas = Slas.of(Objects.requireNonNull(definitions, "definitions"));
    }

    /** The SLAs of one saga type: its own (or null) and its steps' (only those that have one). */
    private record Slas(Duration saga, Map<String, Duration> steps) {
        static Map<String, Slas> of(Collection<? extends SagaDefinition<?>> definitions) {
            Map<String, SagaDefinition<?>> latest = new HashMap<>();
            for (SagaDefinition<?> d : definitions) {
                latest.merge(d.type(), d, (a, b) -> a.version() >= b.version() ? a : b);
            }
            Map<String, Slas> out = new HashMap<>();
            latest.forEach((type, d) -> {
                Map<String, Duration> steps = new HashMap<>();
                for (StepDefinition<?> s : d.steps()) {
                    s.sla().ifPresent(sla -> steps.put(s.key(), sla));
                }
                if (d.sla().isPresent() || !steps.isEmpty()) {
                    out.put(type, new Slas(d.sla().orElse(null), Map.copyOf(steps)));
                }
            });
            return Map.copyOf(out);
        }
    }

    /**
     * Registers now, at zero, the meters that would otherwise appear with their first event: the message counters
     * ({@link BatonMeter#MESSAGES_DUPLICATE}, {@link BatonMeter#MESSAGES_IGNORED}, {@link BatonMeter#OUTBOX_RESENT}),
     * each saga type's counters and end timers, and {@link BatonMeter#MESSAGES_DEAD} for each dead-letter topic, so an
     * alert on any of them has a series to watch from the start. Call it once the types and topics are known.
     *
     * @return this listener
     */
    public MicrometerSagaListener registerUpFront(Collection<String> sagaTypes, Collection<String> deadLetterTopics) {
        try {
            if (duplicates == null) {
                duplicates = counter(BatonMeter.MESSAGES_DUPLICATE);
            }
            if (ignored == null) {
                ignored = counter(BatonMeter.MESSAGES_IGNORED);
            }
            if (resent == null) {
                resent = counter(BatonMeter.OUTBOX_RESENT);
            }
            sagaTypes.forEach(this::meters);
            for (String topic : deadLetterTopics) {
                deadByTopic.computeIfAbsent(topic, k -> counter(BatonMeter.MESSAGES_DEAD, BatonMeter.TagKeys.TOPIC, k));
            }
        } catch (RuntimeException | LinkageError e) {
            failures.failed("registering the meters up front", e);
        }
        return this;
    }

    @Override
    public void onStarted(SagaId id, String sagaType) {
        try {
            meters(sagaType).started.increment();
        } catch (RuntimeException | LinkageError e) {
            failures.failed("counting a start", e);
        }
    }

    @Override
    public void onStarted(SagaId id, String sagaType, int version) {
        try {
            meters(sagaType).started.increment();
            startedByVersion.computeIfAbsent(sagaType + " v" + version, k -> counter(BatonMeter.SAGAS_STARTED_BY_VERSION,
                    BatonMeter.TagKeys.TYPE, sagaType, BatonMeter.TagKeys.VERSION, Integer.toString(version))).increment();
        } catch (RuntimeException | LinkageError e) {
            failures.failed("counting a start", e);
        }
    }

    @Override
    public void onStatusChanged(SagaId id, String sagaType, SagaStatus from, SagaStatus to, String reason) {
        try {
            if (to == SagaStatus.FAILED) {
                meters(sagaType).failed.increment();
            } else if (to == SagaStatus.PENDING) {
                meters(sagaType).pending.increment();
            }
        } catch (RuntimeException | LinkageError e) {
            failures.failed("counting a status change", e);
        }
    }

    @Override
    public void onEnded(SagaId id, String sagaType, SagaStatus outcome, Duration took) {
        try {
            TypeMeters m = meters(sagaType);
            if (m.sagaBreaches != null && took.compareTo(m.sla.saga()) > 0) {
                m.sagaBreaches.increment();
            }
            if (outcome == SagaStatus.COMPLETED) {
                m.completed.increment();
                m.completedTook.record(took);
            } else if (outcome == SagaStatus.COMPENSATED) {
                m.compensated.increment();
                m.compensatedTook.record(took);
            } else {
                // the engine reports only terminal outcomes; should that change, count it rather than drop it
                String o = outcome == null ? UNKNOWN : outcome.name();
                ended(m.type, o).increment();
                sagaDuration(m.type, o, m.sla.saga()).record(took);
            }
        } catch (RuntimeException | LinkageError e) {
            failures.failed("recording a saga's end", e);
        }
    }

    @Override
    public void onStepCompleted(SagaId id, String sagaType, String step, Duration took) {
        try {
            TypeMeters m = meters(sagaType);
            String s = step == null ? UNKNOWN : step;
            Timer t = m.steps.get(s);
            if (t == null) {
                t = m.steps.computeIfAbsent(s, k -> stepDuration(m.type, k, null));
            }
            t.record(took);
            Duration sla = m.sla.steps().get(s);
            if (sla != null && took.compareTo(sla) > 0) {
                m.stepBreaches.get(s).increment();
            }
        } catch (RuntimeException | LinkageError e) {
            failures.failed("recording a step's duration", e);
        }
    }

    @Override
    public void onStepSkipped(SagaId id, String sagaType, String step) {
        try {
            TypeMeters m = meters(sagaType);
            String s = step == null ? UNKNOWN : step;
            m.skipped.computeIfAbsent(s, k -> counter(BatonMeter.STEPS_SKIPPED, BatonMeter.TagKeys.TYPE, m.type,
                    BatonMeter.TagKeys.STEP, k)).increment();
        } catch (RuntimeException | LinkageError e) {
            failures.failed("counting a skipped step", e);
        }
    }

    @Override
    public void onStepDegraded(SagaId id, String sagaType, String step, String why) {
        try {
            TypeMeters m = meters(sagaType);
            String s = step == null ? UNKNOWN : step;
            m.degraded.computeIfAbsent(s, k -> counter(BatonMeter.STEPS_DEGRADED, BatonMeter.TagKeys.TYPE, m.type,
                    BatonMeter.TagKeys.STEP, k)).increment();
        } catch (RuntimeException | LinkageError e) {
            failures.failed("counting a degraded step", e);
        }
    }

    @Override
    public void onDuplicateMessage(String messageId) {
        try {
            Counter c = duplicates;
            if (c == null) {
                c = duplicates = counter(BatonMeter.MESSAGES_DUPLICATE);
            }
            c.increment();
        } catch (RuntimeException | LinkageError e) {
            failures.failed("counting a duplicate message", e);
        }
    }

    @Override
    public void onOutboxResent(int count) {
        try {
            Counter c = resent;
            if (c == null) {
                c = resent = counter(BatonMeter.OUTBOX_RESENT);
            }
            c.increment(count);
        } catch (RuntimeException | LinkageError e) {
            failures.failed("counting re-sent outbox rows", e);
        }
    }

    @Override
    public void onIgnoredReply(SagaId id, String reason) {
        try {
            Counter c = ignored;
            if (c == null) {
                c = ignored = counter(BatonMeter.MESSAGES_IGNORED);
            }
            c.increment();
        } catch (RuntimeException | LinkageError e) {
            failures.failed("counting an ignored reply", e);
        }
    }

    @Override
    public void onDeadLetter(String where, String reason) {
        try {
            String topic = where == null ? UNKNOWN : where;
            Counter c = deadByTopic.get(topic);
            if (c == null) {
                c = deadByTopic.computeIfAbsent(topic, k -> counter(BatonMeter.MESSAGES_DEAD, BatonMeter.TagKeys.TOPIC, k));
            }
            c.increment();
        } catch (RuntimeException | LinkageError e) {
            failures.failed("counting a dead letter", e);
        }
    }

    // ---------------------------------------------------------------- meters

    private TypeMeters meters(String sagaType) {
        String type = sagaType == null ? UNKNOWN : sagaType;
        TypeMeters m = byType.get(type);
        if (m == null) {
            // racing first events both register: the registry hands both the same meters, and one map entry wins
            TypeMeters fresh = new TypeMeters(type);
            m = byType.putIfAbsent(type, fresh);
            if (m == null) {
                m = fresh;
                typeSeen.accept(type);
            }
        }
        return m;
    }

    /** The meters of one saga type, registered together on its first event. */
    private final class TypeMeters {
        final String type;
        final Counter started;
        final Counter failed;
        final Counter pending;
        final Counter completed;
        final Counter compensated;
        final Timer completedTook;
        final Timer compensatedTook;
        final ConcurrentHashMap<String, Timer> steps = new ConcurrentHashMap<>();
        final ConcurrentHashMap<String, Counter> skipped = new ConcurrentHashMap<>();
        final ConcurrentHashMap<String, Counter> degraded = new ConcurrentHashMap<>();
        final Slas sla;
        /** The type's SLA breaches, or null when it has no SLA. */
        final Counter sagaBreaches;
        /** Breaches of each step with an SLA. */
        final Map<String, Counter> stepBreaches;

        TypeMeters(String type) {
            this.type = type;
            this.sla = slas.getOrDefault(type, new Slas(null, Map.of()));
            this.sagaBreaches = sla.saga() == null ? null
                    : counter(BatonMeter.SAGA_SLA_BREACHES, BatonMeter.TagKeys.TYPE, type);
            Map<String, Counter> breaches = new HashMap<>();
            sla.steps().forEach((step, target) -> {
                steps.put(step, stepDuration(type, step, target));
                breaches.put(step, counter(BatonMeter.STEP_SLA_BREACHES, BatonMeter.TagKeys.TYPE, type,
                        BatonMeter.TagKeys.STEP, step));
            });
            this.stepBreaches = Map.copyOf(breaches);
            this.started = counter(BatonMeter.SAGAS_STARTED, BatonMeter.TagKeys.TYPE, type);
            this.failed = counter(BatonMeter.SAGAS_FAILED, BatonMeter.TagKeys.TYPE, type);
            this.pending = counter(BatonMeter.SAGAS_PENDING, BatonMeter.TagKeys.TYPE, type);
            this.completed = ended(type, SagaStatus.COMPLETED.name());
            this.compensated = ended(type, SagaStatus.COMPENSATED.name());
            this.completedTook = sagaDuration(type, SagaStatus.COMPLETED.name(), sla.saga());
            this.compensatedTook = sagaDuration(type, SagaStatus.COMPENSATED.name(), sla.saga());
        }
    }

    private Counter ended(String type, String outcome) {
        return counter(BatonMeter.SAGAS_ENDED, BatonMeter.TagKeys.TYPE, type, BatonMeter.TagKeys.OUTCOME, outcome);
    }

    private Counter counter(BatonMeter meter, String... tags) {
        return Counter.builder(meter.meterName())
                .description(meter.description())
                .baseUnit(meter.baseUnit())
                .tags(tags)
                .register(registry);
    }

    /** The saga duration timer; {@code sla}, when not null, is a service-level-objective boundary of its histogram. */
    private Timer sagaDuration(String type, String outcome, Duration sla) {
        BatonMeter meter = BatonMeter.SAGA_DURATION;
        Timer.Builder b = Timer.builder(meter.meterName());
        if (sla != null) {
            b.serviceLevelObjectives(sla);
        }
        return b
                .description(meter.description())
                .tags(BatonMeter.TagKeys.TYPE, type, BatonMeter.TagKeys.OUTCOME, outcome)
                .publishPercentiles(0.5, 0.95, 0.99)
                .publishPercentileHistogram()
                .minimumExpectedValue(SAGA_DURATION_MIN)
                .maximumExpectedValue(SAGA_DURATION_MAX)
                .register(registry);
    }

    /** The step duration timer; {@code sla}, when not null, is a service-level-objective boundary. */
    private Timer stepDuration(String type, String step, Duration sla) {
        BatonMeter meter = BatonMeter.STEP_DURATION;
        Timer.Builder b = Timer.builder(meter.meterName());
        if (sla != null) {
            b.serviceLevelObjectives(sla);
        }
        return b
                .description(meter.description())
                .tags(BatonMeter.TagKeys.TYPE, type, BatonMeter.TagKeys.STEP, step)
                .register(registry);
    }
}
