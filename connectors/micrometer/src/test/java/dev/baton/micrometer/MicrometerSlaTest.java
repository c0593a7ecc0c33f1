package dev.baton.micrometer;

import static dev.baton.micrometer.OrderScenarios.TYPE;
import static dev.baton.testkit.example.OrderSaga.DEFINITION;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.dsl.Participant;
import dev.baton.dsl.Retry;
import dev.baton.dsl.Saga;
import dev.baton.dsl.SagaDefinition;
import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.testkit.SagaTestKit;
import dev.baton.testkit.example.OrderSaga.AuthorizePayment;
import dev.baton.testkit.example.OrderSaga.CancelOrder;
import dev.baton.testkit.example.OrderSaga.CreateOrder;
import dev.baton.testkit.example.OrderSaga.ItemsReserved;
import dev.baton.testkit.example.OrderSaga.OrderData;
import dev.baton.testkit.example.OrderSaga.ReleaseItems;
import dev.baton.testkit.example.OrderSaga.ReserveItems;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * SLAs as meters, on the test kit's engine with its manual clock: each step answers exactly {@code stepTook} after its
 * command, so the durations, and which of them breach, are known to the millisecond.
 */
class MicrometerSlaTest {
    private static final Participant<Object> ANY = Participant.named("any", Object.class);
    /**
     * The SLAs of the order saga's type: create-order 1.5 s, authorize-payment 2 s, the saga 5 s. The listener reads
     * SLAs by type and step key; the kit runs the test kit's order saga itself.
     */
    static final SagaDefinition<OrderData> SLAS = Saga.define(TYPE, OrderData.class)
            .sla(Duration.ofSeconds(5))
            .step("create-order").invoke(ANY, d -> "c").noCompensation().sla(Duration.ofMillis(1500))
            .step("reserve-inventory").invoke(ANY, d -> "r").noCompensation()
            .step("authorize-payment").invoke(ANY, d -> "a").sla(Duration.ofSeconds(2)).pivot()
            .step("schedule-shipment").invoke(ANY, d -> "s").retry(Retry.forever(Duration.ofSeconds(1), Duration.ofMinutes(1)))
            .build();

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final SagaTestKit kit = SagaTestKit.with(new MicrometerSagaListener(registry, List.of(SLAS)), DEFINITION);

    @AfterEach
    void close() {
        kit.close();
    }

    @Test
    @DisplayName("before any saga: the SLA'd steps' timers and the breach counters exist at zero, others not yet")
    void registeredUpFront() {
        new MicrometerSagaListener(registry, List.of(SLAS)).registerUpFront(List.of(TYPE), List.of());
        assertThat(stepTimer("create-order").count()).isZero();
        assertThat(stepBreaches("create-order")).isZero();
        assertThat(stepBreaches("authorize-payment")).isZero();
        assertThat(sagaBreaches()).isZero();
        assertThat(registry.find(BatonMeter.STEP_DURATION.meterName()).tag("step", "reserve-inventory").timer()).isNull();
        assertThat(registry.find(BatonMeter.STEP_SLA_BREACHES.meterName()).tag("step", "reserve-inventory").counter())
                .as("no SLA, no breach counter").isNull();
    }

    @Test
    @DisplayName("the SLA is a histogram boundary of the step and saga timers; a duration above it is a breach, one equal to it is not")
    void bucketsAndBreaches() {
        OrderScenarios.complete(kit, "o-1", Duration.ofSeconds(1)); // steps 1 s, saga 4 s: all within
        OrderScenarios.complete(kit, "o-2", Duration.ofSeconds(2)); // steps 2 s, saga 8 s
        OrderScenarios.complete(kit, "o-3", Duration.ofSeconds(3)); // steps 3 s, saga 12 s

        // create-order: 1 s within 1.5 s; 2 s and 3 s are not
        assertThat(bucket(stepTimer("create-order"), Duration.ofMillis(1500))).isEqualTo(1);
        assertThat(stepTimer("create-order").count()).isEqualTo(3);
        assertThat(stepBreaches("create-order")).isEqualTo(2);
        // authorize-payment: 1 s and exactly 2 s meet the 2 s SLA; 3 s breaches
        assertThat(bucket(stepTimer("authorize-payment"), Duration.ofSeconds(2))).isEqualTo(2);
        assertThat(stepBreaches("authorize-payment")).isEqualTo(1);
        // no SLA: no boundary
        assertThat(stepTimer("reserve-inventory").takeSnapshot().histogramCounts()).isEmpty();

        // the saga: 4 s within 5 s; 8 s and 12 s are not
        Timer saga = registry.get(BatonMeter.SAGA_DURATION.meterName()).tag("type", TYPE).tag("outcome", "COMPLETED").timer();
        assertThat(bucket(saga, Duration.ofSeconds(5))).isEqualTo(1);
        assertThat(sagaBreaches()).isEqualTo(2);
    }

    @Test
    @DisplayName("a compensated saga that took longer than the saga's SLA is a breach too")
    void compensatedSagaCounts() {
        OrderScenarios.compensate(kit, "o-1"); // answered at once: within the SLA
        SagaId late = kit.start(DEFINITION, OrderData.of("o-2", 100));
        kit.advance(Duration.ofSeconds(3));
        kit.expectCommand(CreateOrder.class).replySuccess();
        kit.advance(Duration.ofSeconds(3));
        kit.expectCommand(ReserveItems.class).replySuccess(new ItemsReserved("r-2"));
        kit.expectCommand(AuthorizePayment.class).replyFailure("card declined");
        kit.expectCommand(ReleaseItems.class).replySuccess();
        kit.expectCommand(CancelOrder.class).replySuccess();
        assertThat(kit.status(late)).isEqualTo(SagaStatus.COMPENSATED);

        assertThat(sagaBreaches()).isEqualTo(1);
        Timer compensated = registry.get(BatonMeter.SAGA_DURATION.meterName()).tag("type", TYPE)
                .tag("outcome", "COMPENSATED").timer();
        assertThat(bucket(compensated, Duration.ofSeconds(5))).isEqualTo(1);
        assertThat(compensated.count()).isEqualTo(2);
    }

    private Timer stepTimer(String step) {
        return registry.get(BatonMeter.STEP_DURATION.meterName()).tag("type", TYPE).tag("step", step).timer();
    }

    private double stepBreaches(String step) {
        return registry.get(BatonMeter.STEP_SLA_BREACHES.meterName()).tag("type", TYPE).tag("step", step).counter().count();
    }

    private double sagaBreaches() {
        return registry.get(BatonMeter.SAGA_SLA_BREACHES.meterName()).tag("type", TYPE).counter().count();
    }

    /** The cumulative count of the histogram bucket whose upper bound is {@code le}. */
    private static double bucket(Timer timer, Duration le) {
        for (CountAtBucket b : timer.takeSnapshot().histogramCounts()) {
            if (b.bucket(TimeUnit.NANOSECONDS) == le.toNanos()) {
                return b.count();
            }
        }
        throw new AssertionError("no bucket at " + le + " in " + List.of(timer.takeSnapshot().histogramCounts()));
    }
}
