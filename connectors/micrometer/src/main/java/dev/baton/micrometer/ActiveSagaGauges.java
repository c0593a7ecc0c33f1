package dev.baton.micrometer;

import dev.baton.engine.SagaStatus;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.LoggerFactory;

/**
 * The {@link BatonMeter#SAGAS_ACTIVE} gauges: one per (type, status), each reading its count from the supplier's map
 * when the registry reads it. A (type, status) gets its gauge when it is first seen: in the supplier's map at bind
 * time, in any later map the supplier returns (registered during that read, so it is published from the next scrape
 * at the latest), or, for the non-terminal statuses of a type, on the type's first engine event. A gauge whose key
 * is missing from the map reads 0; one whose supplier fails reads NaN. Thread-safe.
 */
final class ActiveSagaGauges {
    /** The statuses registered (at 0) for a type as soon as the engine reports an event of that type. */
    static final Set<SagaStatus> NOT_ENDED = EnumSet.of(SagaStatus.RUNNING, SagaStatus.PENDING, SagaStatus.COMPENSATING,
            SagaStatus.FAILED);

    private final MeterRegistry registry;
    private final Supplier<? extends Map<TypeAndStatus, Long>> counts;
    private final Set<TypeAndStatus> registered = ConcurrentHashMap.newKeySet();
    private final FailureLog failures = new FailureLog(LoggerFactory.getLogger(ActiveSagaGauges.class),
            "Baton metrics, " + BatonMeter.SAGAS_ACTIVE.meterName());
    /** The last map whose keys were checked for new (type, status) pairs; a cached supplier returns the same one. */
    private volatile Map<TypeAndStatus, Long> lastScanned;

    ActiveSagaGauges(MeterRegistry registry, Supplier<? extends Map<TypeAndStatus, Long>> counts) {
        this.registry = registry;
        this.counts = counts;
    }

    /** Registers a gauge for each pair the supplier knows now; a failing supplier is logged, not thrown. */
    void registerExisting() {
        read();
    }

    /** Registers the not-ended statuses of a type the engine just reported. Never throws. */
    void typeSeen(String type) {
        try {
            for (SagaStatus s : NOT_ENDED) {
                register(new TypeAndStatus(type, s));
            }
        } catch (RuntimeException | LinkageError e) {
            failures.failed("registering the gauges of saga type " + type, e);
        }
    }

    private double value(TypeAndStatus key) {
        Map<TypeAndStatus, Long> m = read();
        if (m == null) {
            return Double.NaN;
        }
        Long v = m.get(key);
        return v == null ? 0 : v;
    }

    /** The supplier's map (null if it failed or gave none), after registering gauges for pairs not seen before. */
    private Map<TypeAndStatus, Long> read() {
        Map<TypeAndStatus, Long> m;
        try {
            m = counts.get();
        } catch (RuntimeException e) {
            failures.failed("reading the active saga counts", e);
            return null;
        }
        if (m != null && m != lastScanned) {
            try {
                for (TypeAndStatus k : m.keySet()) {
                    register(k);
                }
                lastScanned = m;
            } catch (RuntimeException | LinkageError e) {
                failures.failed("registering an active saga gauge", e);
            }
        }
        return m;
    }

    private void register(TypeAndStatus key) {
        if (key == null || registered.contains(key) || !registered.add(key)) {
            return;
        }
        BatonMeter meter = BatonMeter.SAGAS_ACTIVE;
        try {
            Gauge.builder(meter.meterName(), () -> value(key))
                    .description(meter.description())
                    .baseUnit(meter.baseUnit())
                    .tags(BatonMeter.TagKeys.TYPE, key.type(), BatonMeter.TagKeys.STATUS, key.status().name())
                    .register(registry);
        } catch (RuntimeException | LinkageError e) {
            registered.remove(key); // try again on the next read
            throw e;
        }
    }
}
