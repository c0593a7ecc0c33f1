package dev.baton.micrometer;

import static dev.baton.micrometer.OrderScenarios.TYPE;
import static dev.baton.testkit.example.OrderSaga.DEFINITION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.engine.SagaStatus;
import dev.baton.engine.SagaView;
import dev.baton.testkit.ManualClock;
import dev.baton.testkit.SagaTestKit;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The gauges over the store's counts, fed by suppliers. */
class BatonMetricsGaugesTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final AtomicReference<Map<TypeAndStatus, Long>> active = new AtomicReference<>(Map.of());
    private final AtomicLong outbox = new AtomicLong();
    private final AtomicLong due = new AtomicLong();

    @Test
    @DisplayName("outbox and timer gauges read their suppliers on every read")
    void countGauges() {
        BatonMetrics.bind(registry, active::get, outbox::get, due::get);

        outbox.set(3);
        due.set(7);
        assertThat(gauge(BatonMeter.OUTBOX_PENDING).value()).isEqualTo(3);
        assertThat(gauge(BatonMeter.TIMERS_DUE).value()).isEqualTo(7);
        outbox.set(0);
        due.set(12);
        assertThat(gauge(BatonMeter.OUTBOX_PENDING).value()).isZero();
        assertThat(gauge(BatonMeter.TIMERS_DUE).value()).isEqualTo(12);
    }

    @Test
    @DisplayName("active gauges: one per (type, status) known at bind; later pairs are registered when they appear")
    void activeGauges() {
        active.set(Map.of(key("order-flow", SagaStatus.RUNNING), 2L));
        BatonMetrics.bind(registry, active::get, outbox::get, due::get);
        assertThat(activeValues()).containsExactly(Map.entry("order-flow/RUNNING", 2.0));

        active.set(Map.of(key("order-flow", SagaStatus.RUNNING), 1L, key("refund-flow", SagaStatus.FAILED), 4L));
        scrape(); // the read that meets the new pair registers it
        assertThat(activeValues()).containsOnly(Map.entry("order-flow/RUNNING", 1.0), Map.entry("refund-flow/FAILED", 4.0));

        active.set(Map.of(key("refund-flow", SagaStatus.FAILED), 3L));
        assertThat(activeValues()).as("a pair gone from the counts reads 0, its series stays")
                .containsOnly(Map.entry("order-flow/RUNNING", 0.0), Map.entry("refund-flow/FAILED", 3.0));
    }

    @Test
    @DisplayName("the first event of a saga type registers its not-ended statuses at 0; the engine's counts show through")
    void activeGaugesFromTheEngine() {
        AtomicReference<SagaTestKit> kitRef = new AtomicReference<>();
        Supplier<Map<TypeAndStatus, Long>> fromKit = () -> {
            SagaTestKit k = kitRef.get();
            return k == null ? Map.of() : k.started().stream().map(k::saga).filter(v -> !v.status().isTerminal())
                    .collect(Collectors.groupingBy(v -> key(v.type(), v.status()), Collectors.counting()));
        };
        MicrometerSagaListener listener = BatonMetrics.bind(registry, fromKit, outbox::get, due::get);
        assertThat(activeValues()).isEmpty();
        try (SagaTestKit kit = SagaTestKit.with(listener, DEFINITION)) {
            kitRef.set(kit);
            kit.start(DEFINITION, dev.baton.testkit.example.OrderSaga.OrderData.of("o-1", 100));

            assertThat(activeValues()).containsOnly(Map.entry(TYPE + "/RUNNING", 1.0), Map.entry(TYPE + "/PENDING", 0.0),
                    Map.entry(TYPE + "/COMPENSATING", 0.0), Map.entry(TYPE + "/FAILED", 0.0));
            OrderScenarios.failAtPivot(kit, "o-2");
            Map<String, Double> expected = new HashMap<>();
            for (SagaStatus s : ActiveSagaGauges.NOT_ENDED) {
                expected.put(TYPE + "/" + s, 0.0);
            }
            for (SagaView v : kit.started().stream().map(kit::saga).toList()) {
                expected.merge(v.type() + "/" + v.status(), 1.0, Double::sum);
            }
            assertThat(activeValues()).isEqualTo(expected).containsEntry(TYPE + "/FAILED", 2.0);
        }
    }

    @Test
    @DisplayName("a failing supplier reads NaN for that read, never throws, and the gauge recovers")
    void failingSuppliers() {
        AtomicInteger failActive = new AtomicInteger(1); // fails at bind
        Supplier<Map<TypeAndStatus, Long>> flaky = () -> {
            if (failActive.get() > 0) {
                throw new IllegalStateException("database unreachable");
            }
            return active.get();
        };
        AtomicLong failOutbox = new AtomicLong(1);
        LongSupplier flakyOutbox = () -> {
            if (failOutbox.get() > 0) {
                throw new IllegalStateException("database unreachable");
            }
            return outbox.get();
        };
        MicrometerSagaListener listener = BatonMetrics.bind(registry, flaky, flakyOutbox, due::get);
        assertThat(listener).isNotNull();
        assertThat(gauge(BatonMeter.OUTBOX_PENDING).value()).isNaN();

        failActive.set(0);
        failOutbox.set(0);
        outbox.set(5);
        active.set(Map.of(key("order-flow", SagaStatus.PENDING), 6L));
        listener.onStarted(null, "order-flow"); // registers the type's gauges, which now read the supplier
        assertThat(gauge(BatonMeter.OUTBOX_PENDING).value()).isEqualTo(5);
        assertThat(activeValues()).containsEntry("order-flow/PENDING", 6.0);

        failActive.set(1);
        assertThat(activeValues()).allSatisfy((k, v) -> assertThat(v).isNaN());
    }

    @Test
    @DisplayName("each gauge is optional: without suppliers only the event meters are bound")
    void optionalGauges() {
        MicrometerSagaListener listener = BatonMetrics.builder(registry).outboxPending(outbox::get).bind();
        listener.onStarted(null, "order-flow");

        assertThat(registry.find(BatonMeter.OUTBOX_PENDING.meterName()).gauge()).isNotNull();
        assertThat(registry.find(BatonMeter.TIMERS_DUE.meterName()).gauge()).isNull();
        assertThat(registry.find(BatonMeter.SAGAS_ACTIVE.meterName()).gauges()).isEmpty();
        assertThat(registry.find(BatonMeter.SAGAS_STARTED.meterName()).counter().count()).isEqualTo(1);
        assertThatThrownBy(() -> BatonMetrics.bind(registry, null, outbox::get, due::get))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("activeCounts");
    }

    @Test
    @DisplayName("with Cached, a scrape of many active series queries the store once per period")
    void cachedSuppliers() {
        ManualClock clock = ManualClock.atEpochOfTests();
        AtomicInteger queries = new AtomicInteger();
        Map<TypeAndStatus, Long> counts = new HashMap<>();
        for (SagaStatus s : ActiveSagaGauges.NOT_ENDED) {
            counts.put(key("order-flow", s), 1L);
            counts.put(key("refund-flow", s), 2L);
        }
        AtomicInteger outboxQueries = new AtomicInteger();
        BatonMetrics.bind(registry,
                Cached.every(Duration.ofSeconds(5), () -> { queries.incrementAndGet(); return Map.copyOf(counts); }, clock),
                Cached.every(Duration.ofSeconds(5), () -> (long) outboxQueries.incrementAndGet(), clock)::get,
                due::get);

        scrape();
        scrape();
        assertThat(registry.find(BatonMeter.SAGAS_ACTIVE.meterName()).gauges()).hasSize(8);
        assertThat(queries).hasValue(1);
        assertThat(outboxQueries).hasValue(1);
        clock.advance(Duration.ofSeconds(5));
        scrape();
        assertThat(queries).hasValue(2);
        assertThat(outboxQueries).hasValue(2);
    }

    private static TypeAndStatus key(String type, SagaStatus status) {
        return new TypeAndStatus(type, status);
    }

    /** Reads every meter, as a scrape does. */
    private void scrape() {
        for (Meter m : registry.getMeters()) {
            m.measure().forEach(x -> x.getValue());
        }
    }

    private Gauge gauge(BatonMeter meter) {
        Gauge g = registry.find(meter.meterName()).gauge();
        assertThat(g).as(meter.meterName()).isNotNull();
        return g;
    }

    private Map<String, Double> activeValues() {
        return registry.find(BatonMeter.SAGAS_ACTIVE.meterName()).gauges().stream()
                .collect(Collectors.toMap(g -> g.getId().getTag("type") + "/" + g.getId().getTag("status"), Gauge::value));
    }
}
