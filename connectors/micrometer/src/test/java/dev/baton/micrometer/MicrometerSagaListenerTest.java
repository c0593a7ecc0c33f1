package dev.baton.micrometer;

import static dev.baton.micrometer.OrderScenarios.TYPE;
import static dev.baton.testkit.example.OrderSaga.DEFINITION;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.testkit.Answer;
import dev.baton.testkit.Faults;
import dev.baton.testkit.SagaTestKit;
import dev.baton.testkit.example.OrderSaga.AuthorizePayment;
import dev.baton.testkit.example.OrderSaga.CreateOrder;
import dev.baton.testkit.example.OrderSaga.ItemsReserved;
import dev.baton.testkit.example.OrderSaga.OrderData;
import dev.baton.testkit.example.OrderSaga.PaymentAuthorized;
import dev.baton.testkit.example.OrderSaga.ReserveItems;
import dev.baton.testkit.example.OrderSaga.ScheduleShipment;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The listener on a real engine (the test kit's), recording into a real registry. */
class MicrometerSagaListenerTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final MicrometerSagaListener listener = new MicrometerSagaListener(registry);
    private final SagaTestKit kit = SagaTestKit.with(listener, DEFINITION);

    @AfterEach
    void close() {
        kit.close();
    }

    @Test
    @DisplayName("a completed saga: started, ended COMPLETED, its duration, and each step's duration")
    void completion() {
        OrderScenarios.complete(kit, "o-1", Duration.ofSeconds(2));
        OrderScenarios.complete(kit, "o-2", Duration.ofSeconds(3));

        assertThat(counter(BatonMeter.SAGAS_STARTED, "type", TYPE)).isEqualTo(2);
        assertThat(counter(BatonMeter.SAGAS_ENDED, "type", TYPE, "outcome", "COMPLETED")).isEqualTo(2);
        assertThat(counter(BatonMeter.SAGAS_ENDED, "type", TYPE, "outcome", "COMPENSATED")).isZero();
        assertThat(counter(BatonMeter.SAGAS_FAILED, "type", TYPE)).isZero();
        assertThat(counter(BatonMeter.SAGAS_PENDING, "type", TYPE)).isZero();

        Timer saga = timer(BatonMeter.SAGA_DURATION, "type", TYPE, "outcome", "COMPLETED");
        assertThat(saga.count()).isEqualTo(2);
        assertThat(saga.totalTime(TimeUnit.SECONDS)).isEqualTo(4 * 2 + 4 * 3);
        assertThat(saga.max(TimeUnit.SECONDS)).isEqualTo(12);
        assertThat(timer(BatonMeter.SAGA_DURATION, "type", TYPE, "outcome", "COMPENSATED").count()).isZero();

        for (String step : List.of("create-order", "reserve-inventory", "authorize-payment", "schedule-shipment")) {
            Timer t = timer(BatonMeter.STEP_DURATION, "type", TYPE, "step", step);
            assertThat(t.count()).as(step).isEqualTo(2);
            assertThat(t.totalTime(TimeUnit.SECONDS)).as(step).isEqualTo(5);
        }
    }

    @Test
    @DisplayName("the saga duration publishes the 0.5, 0.95 and 0.99 percentiles and a histogram from 10 ms to 1 h")
    void sagaDurationDistribution() {
        Map<String, DistributionStatisticConfig> configs = new HashMap<>();
        registry.config().meterFilter(new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                configs.put(id.getName() + "/" + id.getTag("outcome"), config);
                return config;
            }
        });
        OrderScenarios.complete(kit, "o-1", Duration.ofSeconds(1));

        assertThat(timer(BatonMeter.SAGA_DURATION, "type", TYPE, "outcome", "COMPLETED").takeSnapshot().percentileValues())
                .extracting(ValueAtPercentile::percentile).containsExactly(0.5, 0.95, 0.99);
        for (String outcome : List.of("COMPLETED", "COMPENSATED")) {
            DistributionStatisticConfig c = configs.get(BatonMeter.SAGA_DURATION.meterName() + "/" + outcome);
            assertThat(c.getPercentiles()).containsExactly(0.5, 0.95, 0.99);
            assertThat(c.isPercentileHistogram()).as("buckets for registries that aggregate them, such as Prometheus").isTrue();
            assertThat(c.getMinimumExpectedValueAsDouble()).isEqualTo(Duration.ofMillis(10).toNanos());
            assertThat(c.getMaximumExpectedValueAsDouble()).isEqualTo(Duration.ofHours(1).toNanos());
        }
        DistributionStatisticConfig step = configs.get(BatonMeter.STEP_DURATION.meterName() + "/null");
        assertThat(step.isPercentileHistogram()).as("step timers publish no histogram by default").isNotEqualTo(Boolean.TRUE);
        assertThat(step.getPercentiles()).isNullOrEmpty();
    }

    @Test
    @DisplayName("a MeterFilter on the registry overrides the saga duration's range, as the Javadoc says")
    void distributionCanBeOverridden() {
        Map<String, DistributionStatisticConfig> configs = new HashMap<>();
        registry.config().meterFilter(new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                return id.getName().equals(BatonMeter.SAGA_DURATION.meterName())
                        ? DistributionStatisticConfig.builder().maximumExpectedValue((double) Duration.ofDays(1).toNanos()).build()
                                .merge(config)
                        : config;
            }
        }).meterFilter(new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                configs.put(id.getName(), config);
                return config;
            }
        });
        OrderScenarios.complete(kit, "o-1", Duration.ofSeconds(1));

        DistributionStatisticConfig c = configs.get(BatonMeter.SAGA_DURATION.meterName());
        assertThat(c.getMaximumExpectedValueAsDouble()).isEqualTo(Duration.ofDays(1).toNanos());
        assertThat(c.getPercentiles()).containsExactly(0.5, 0.95, 0.99);
    }

    @Test
    @DisplayName("a compensated saga: ended COMPENSATED with its duration; the failed step records no step duration")
    void compensation() {
        OrderScenarios.compensate(kit, "o-1");

        assertThat(counter(BatonMeter.SAGAS_STARTED, "type", TYPE)).isEqualTo(1);
        assertThat(counter(BatonMeter.SAGAS_ENDED, "type", TYPE, "outcome", "COMPENSATED")).isEqualTo(1);
        assertThat(counter(BatonMeter.SAGAS_ENDED, "type", TYPE, "outcome", "COMPLETED")).isZero();
        assertThat(timer(BatonMeter.SAGA_DURATION, "type", TYPE, "outcome", "COMPENSATED").count()).isEqualTo(1);
        assertThat(stepTimers()).containsOnlyKeys("create-order", "reserve-inventory");
        assertThat(counter(BatonMeter.SAGAS_FAILED, "type", TYPE)).isZero();
    }

    @Test
    @DisplayName("a parked saga counts one parking; the step's duration includes the time parked")
    void parking() {
        OrderScenarios.parkThenComplete(kit, "o-1");

        assertThat(counter(BatonMeter.SAGAS_PENDING, "type", TYPE)).isEqualTo(1);
        assertThat(counter(BatonMeter.SAGAS_ENDED, "type", TYPE, "outcome", "COMPLETED")).isEqualTo(1);
        Timer pay = timer(BatonMeter.STEP_DURATION, "type", TYPE, "step", "authorize-payment");
        assertThat(pay.count()).isEqualTo(1);
        assertThat(pay.totalTime(TimeUnit.SECONDS)).isEqualTo(10);
    }

    @Test
    @DisplayName("a saga entering FAILED is counted once and does not count as ended")
    void failure() {
        SagaId id = OrderScenarios.failAtPivot(kit, "o-1");

        assertThat(kit.saga(id).reason()).isNotBlank();
        assertThat(counter(BatonMeter.SAGAS_FAILED, "type", TYPE)).isEqualTo(1);
        assertThat(counter(BatonMeter.SAGAS_ENDED, "type", TYPE, "outcome", "COMPLETED")).isZero();
        assertThat(counter(BatonMeter.SAGAS_ENDED, "type", TYPE, "outcome", "COMPENSATED")).isZero();
        assertThat(stepTimers()).doesNotContainKey("authorize-payment");
    }

    @Test
    @DisplayName("every reply delivered twice: each second copy counts as a duplicate, and the saga completes once")
    void duplicateReplies() {
        kit.withFaults(Faults.seeded(7).duplicateReplies(1.0))
                .when(CreateOrder.class, c -> Answer.success())
                .when(ReserveItems.class, c -> Answer.success(new ItemsReserved("r-1")))
                .when(AuthorizePayment.class, c -> Answer.success(new PaymentAuthorized("p-1")))
                .when(ScheduleShipment.class, c -> Answer.success());
        SagaId id = kit.start(DEFINITION, OrderData.of("o-1", 100));
        kit.settle();

        assertThat(kit.status(id)).isEqualTo(SagaStatus.COMPLETED);
        assertThat(counter(BatonMeter.MESSAGES_DUPLICATE)).isEqualTo(4);
        assertThat(counter(BatonMeter.SAGAS_ENDED, "type", TYPE, "outcome", "COMPLETED")).isEqualTo(1);
        assertThat(timer(BatonMeter.STEP_DURATION, "type", TYPE, "step", "create-order").count()).isEqualTo(1);
    }

    @Test
    @DisplayName("a late answer to a command already answered changes nothing and counts as ignored")
    void lateReply() {
        OrderScenarios.lateReply(kit, "o-1");

        assertThat(counter(BatonMeter.MESSAGES_IGNORED)).isEqualTo(1);
        assertThat(registry.find(BatonMeter.MESSAGES_DUPLICATE.meterName()).counter()).isNull();
        assertThat(timer(BatonMeter.STEP_DURATION, "type", TYPE, "step", "create-order").count()).isEqualTo(1);
    }

    @Test
    @DisplayName("dead letters are counted per dead-letter topic (reported by transports, not the kit's engine)")
    void deadLetters() {
        listener.onDeadLetter("baton.replies.dlt", "not json");
        listener.onDeadLetter("baton.replies.dlt", "unknown saga");
        listener.onDeadLetter("baton.commands.payment.dlt", "unknown message type");

        assertThat(counter(BatonMeter.MESSAGES_DEAD, "topic", "baton.replies.dlt")).isEqualTo(2);
        assertThat(counter(BatonMeter.MESSAGES_DEAD, "topic", "baton.commands.payment.dlt")).isEqualTo(1);
    }

    @Test
    @DisplayName("no meter is tagged with a saga id; tags are only type, outcome, status, step and topic")
    void neverTaggedBySagaId() {
        OrderScenarios.complete(kit, "o-1", Duration.ofSeconds(1));
        OrderScenarios.compensate(kit, "o-2");
        OrderScenarios.parkThenComplete(kit, "o-3");
        OrderScenarios.lateReply(kit, "o-4");
        listener.onDeadLetter("baton.replies.dlt", "saga " + kit.started().get(0) + " unknown");

        Set<String> ids = kit.started().stream().map(SagaId::value).collect(Collectors.toSet());
        List<Tag> tags = registry.getMeters().stream().flatMap(m -> m.getId().getTags().stream()).toList();
        assertThat(tags).isNotEmpty();
        assertThat(tags).extracting(Tag::getValue).doesNotContainAnyElementsOf(ids);
        assertThat(tags).extracting(Tag::getKey).allMatch(k -> Set.of("type", "outcome", "status", "step", "topic", "version").contains(k)
                || k.equals("phi") || k.equals("le"), "a Baton tag key (or a histogram's own)");
    }

    @Test
    @DisplayName("meters are registered once per tag set: a second run of the same paths adds no meter")
    void metersAreReused() {
        OrderScenarios.complete(kit, "o-1", Duration.ofSeconds(1));
        OrderScenarios.compensate(kit, "o-2");
        List<Meter.Id> first = registry.getMeters().stream().map(Meter::getId).toList();
        OrderScenarios.complete(kit, "o-3", Duration.ofSeconds(1));
        OrderScenarios.compensate(kit, "o-4");

        assertThat(registry.getMeters()).extracting(Meter::getId).containsExactlyInAnyOrderElementsOf(first);
        assertThat(counter(BatonMeter.SAGAS_STARTED, "type", TYPE)).isEqualTo(4);
        assertThat(counter(BatonMeter.SAGAS_STARTED_BY_VERSION, "type", TYPE, "version", "1")).isEqualTo(4);
    }

    private Map<String, Long> stepTimers() {
        return registry.find(BatonMeter.STEP_DURATION.meterName()).timers().stream()
                .collect(Collectors.toMap(t -> t.getId().getTag("step"), Timer::count));
    }

    private double counter(BatonMeter meter, String... tags) {
        Counter c = registry.find(meter.meterName()).tags(tags).counter();
        assertThat(c).as("counter %s %s", meter.meterName(), List.of(tags)).isNotNull();
        return c.count();
    }

    private Timer timer(BatonMeter meter, String... tags) {
        Timer t = registry.find(meter.meterName()).tags(tags).timer();
        assertThat(t).as("timer %s %s", meter.meterName(), List.of(tags)).isNotNull();
        return t;
    }

    @Test
    void skippedAndDegradedStepsAreCountedByTypeAndStep() {
        listener.onStepSkipped(dev.baton.engine.SagaId.of("s-1"), "cart", "ship");
        listener.onStepSkipped(dev.baton.engine.SagaId.of("s-2"), "cart", "ship");
        listener.onStepDegraded(dev.baton.engine.SagaId.of("s-2"), "cart", "estimate", "circuit open");
        assertThat(registry.get(BatonMeter.STEPS_SKIPPED.meterName()).tags("type", "cart", "step", "ship").counter().count())
                .isEqualTo(2.0);
        assertThat(registry.get(BatonMeter.STEPS_DEGRADED.meterName()).tags("type", "cart", "step", "estimate").counter()
                .count()).isEqualTo(1.0);
        assertThat(registry.find(BatonMeter.STEPS_DEGRADED.meterName()).tags("step", "ship").counter()).isNull();
    }
}
