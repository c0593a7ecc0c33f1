package dev.baton.micrometer;

import static dev.baton.testkit.example.OrderSaga.DEFINITION;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.engine.SagaEngine;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.spi.SagaListener;
import dev.baton.jackson.JacksonCodec;
import dev.baton.testkit.InMemorySagaStore;
import dev.baton.testkit.InMemoryTransport;
import dev.baton.testkit.ManualClock;
import dev.baton.testkit.example.OrderSaga.OrderData;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The binding as the {@link BatonMetrics} Javadoc shows it, on an engine built by hand. */
class UsageExampleTest {

    /** The counts the gauges read; the server answers them with SQL, this one from the in-memory store. */
    record StoreCounts(InMemorySagaStore store, Clock clock) {
        Map<TypeAndStatus, Long> activeByTypeAndStatus() {
            return store.all().stream().filter(s -> !s.status().isTerminal())
                    .collect(Collectors.groupingBy(s -> new TypeAndStatus(s.type(), s.status()), Collectors.counting()));
        }

        long outboxRows() {
            return store.outbox(Instant.MAX, Integer.MAX_VALUE).size();
        }

        long dueTimers() {
            return store.dueTimers(clock.instant(), Integer.MAX_VALUE).size();
        }
    }

    @Test
    @DisplayName("bind, give the listener to the engine, and the registry shows starts, active sagas and a stuck outbox")
    void bindAndRun() {
        ManualClock clock = ManualClock.atEpochOfTests();
        InMemorySagaStore store = new InMemorySagaStore();
        InMemoryTransport transport = new InMemoryTransport();
        transport.failSends(true); // the broker is down: commands stay in the outbox
        StoreCounts counts = new StoreCounts(store, clock);
        MeterRegistry registry = new SimpleMeterRegistry();

        Duration every = Duration.ofSeconds(5);
        SagaListener metrics = BatonMetrics.builder(registry)
                .activeCounts(Cached.every(every, counts::activeByTypeAndStatus, clock))
                .outboxPending(Cached.every(every, counts::outboxRows, clock)::get)
                .timersDue(Cached.every(every, counts::dueTimers, clock)::get)
                .bind();
        try (SagaEngine engine = SagaEngine.builder().store(store).transport(transport).codec(new JacksonCodec())
                .clock(clock).listener(metrics).register(DEFINITION).build()) {
            engine.start(DEFINITION, OrderData.of("o-1", 100));
            engine.start(DEFINITION, OrderData.of("o-2", 100));
            assertThat(registry.get(BatonMeter.SAGAS_ACTIVE.meterName())
                    .tags("type", DEFINITION.type(), "status", SagaStatus.RUNNING.name()).gauge().value())
                    .as("the counts cached at bind time, up to 5 s old").isZero();
            clock.advance(every);

            assertThat(registry.get(BatonMeter.SAGAS_STARTED.meterName()).tag("type", DEFINITION.type()).counter().count())
                    .isEqualTo(2);
            assertThat(registry.get(BatonMeter.SAGAS_ACTIVE.meterName())
                    .tags("type", DEFINITION.type(), "status", SagaStatus.RUNNING.name()).gauge().value()).isEqualTo(2);
            assertThat(registry.get(BatonMeter.OUTBOX_PENDING.meterName()).gauge().value()).isEqualTo(2);
            assertThat(registry.get(BatonMeter.TIMERS_DUE.meterName()).gauge().value()).isZero();
        }
    }
}
