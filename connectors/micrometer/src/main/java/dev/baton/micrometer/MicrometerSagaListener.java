package dev.baton.micrometer;

import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.spi.SagaListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Collection;
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
 * <li>{@code onStarted} → {@link BatonMeter#SAGAS_STARTED}</li>
 * <li>{@code onStatusChanged} to FAILED → {@link BatonMeter#SAGAS_FAILED}; to PENDING → {@link BatonMeter#SAGAS_PENDING}</li>
 * <li>{@code onEnded} → {@link BatonMeter#SAGAS_ENDED} and {@link BatonMeter#SAGA_DURATION}</li>
 * <li>{@code onStepCompleted} → {@link BatonMeter#STEP_DURATION}</li>
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
    private final FailureLog failures = new FailureLog(LoggerFactory.getLogger(MicrometerSagaListener.class),
            "Baton metrics listener");
    private final ConcurrentHashMap<String, TypeMeters> byType = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> deadByTopic = new ConcurrentHashMap<>();
    private volatile Counter duplicates;
    private volatile Counter ignored;
    private volatile Counter resent;

    /** A listener recording into {@code registry}. Registers nothing until the first event. */
    public MicrometerSagaListener(MeterRegistry registry) {
        this(registry, type -> {});
    }

    /** {@code typeSeen} is told (once) about each saga type, when its meters are registered. */
    MicrometerSagaListener(MeterRegistry registry, Consumer<String> typeSeen) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.typeSeen = Objects.requireNonNull(typeSeen, "typeSeen");
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
                sagaDuration(m.type, o).record(took);
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
                t = m.steps.computeIfAbsent(s, k -> stepDuration(m.type, k));
            }
            t.record(took);
        } catch (RuntimeException | LinkageError e) {
            failures.failed("recording a step's duration", e);
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

        TypeMeters(String type) {
            this.type = type;
            this.started = counter(BatonMeter.SAGAS_STARTED, BatonMeter.TagKeys.TYPE, type);
            this.failed = counter(BatonMeter.SAGAS_FAILED, BatonMeter.TagKeys.TYPE, type);
            this.pending = counter(BatonMeter.SAGAS_PENDING, BatonMeter.TagKeys.TYPE, type);
            this.completed = ended(type, SagaStatus.COMPLETED.name());
            this.compensated = ended(type, SagaStatus.COMPENSATED.name());
            this.completedTook = sagaDuration(type, SagaStatus.COMPLETED.name());
            this.compensatedTook = sagaDuration(type, SagaStatus.COMPENSATED.name());
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

    private Timer sagaDuration(String type, String outcome) {
        BatonMeter meter = BatonMeter.SAGA_DURATION;
        return Timer.builder(meter.meterName())
                .description(meter.description())
                .tags(BatonMeter.TagKeys.TYPE, type, BatonMeter.TagKeys.OUTCOME, outcome)
                .publishPercentiles(0.5, 0.95, 0.99)
                .publishPercentileHistogram()
                .minimumExpectedValue(SAGA_DURATION_MIN)
                .maximumExpectedValue(SAGA_DURATION_MAX)
                .register(registry);
    }

    private Timer stepDuration(String type, String step) {
        BatonMeter meter = BatonMeter.STEP_DURATION;
        return Timer.builder(meter.meterName())
                .description(meter.description())
                .tags(BatonMeter.TagKeys.TYPE, type, BatonMeter.TagKeys.STEP, step)
                .register(registry);
    }
}
