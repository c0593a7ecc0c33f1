package dev.baton.micrometer;

import static dev.baton.testkit.example.OrderSaga.DEFINITION;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.engine.SagaStatus;
import dev.baton.testkit.SagaTestKit;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import dev.baton.engine.spi.ReplyOutcome;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** What is registered is exactly what {@link BatonMeter} declares. */
class BatonMeterCatalogTest {
    private static final Pattern DOT_NAME = Pattern.compile("baton(\\.[a-z]+)+");

    @Test
    @DisplayName("the enum: unique dot-separated names, a description each, seconds for timers and no unit for counts")
    void enumIsWellFormed() {
        assertThat(BatonMeter.values()).extracting(BatonMeter::meterName).doesNotHaveDuplicates()
                .allMatch(n -> DOT_NAME.matcher(n).matches(), "a dot-separated lower-case name under baton.");
        for (BatonMeter m : BatonMeter.values()) {
            assertThat(m.description()).as(m.meterName()).isNotBlank();
            assertThat(m.baseUnit()).as(m.meterName()).isEqualTo(m.type() == Meter.Type.TIMER ? "seconds" : null);
            assertThat(m.tagKeys()).as(m.meterName()).doesNotContain("saga", "id", "sagaId", "saga_id", "businessKey");
            assertThat(BatonMeter.byName(m.meterName())).contains(m);
        }
        assertThat(BatonMeter.byName("baton.nope")).isEmpty();
    }

    @Test
    @DisplayName("after every path, each registered meter is one the enum declares, with its type, unit, description and tags")
    void registeredMetersMatchTheEnum() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        MicrometerSagaListener listener = BatonMetrics.builder(registry)
                .activeCounts(() -> Map.of(new TypeAndStatus("order-flow", SagaStatus.RUNNING), 1L))
                .outboxPending(() -> 0).timersDue(() -> 0)
                .slas(List.of(MicrometerSlaTest.SLAS))
                .bind();
        ParticipantMeters participants = new ParticipantMeters(registry).registerUpFront(List.of("payment"));
        participants.sent("payment", false);
        participants.replied("payment", ReplyOutcome.SUCCESS, Duration.ofMillis(3), java.time.Instant.now());
        participants.timedOut("payment");
        ParticipantMeters.bindCommandLag(registry, List.of("payment"), p -> 0L);
        ParticipantMeters.bindEngineLag(registry, () -> Map.of("replies", 0L));
        try (SagaTestKit kit = SagaTestKit.with(listener, DEFINITION)) {
            BatonMetrics.bindFlows(registry, kit.engine(), java.time.Clock.systemUTC());
            BatonMetrics.bindRollouts(registry, kit.engine(), List.of(DEFINITION));
            OrderScenarios.complete(kit, "o-1", Duration.ofSeconds(1));
            OrderScenarios.compensate(kit, "o-2");
            OrderScenarios.parkThenComplete(kit, "o-3");
            OrderScenarios.lateReply(kit, "o-4");
            OrderScenarios.failAtPivot(kit, "o-5");
            listener.onDuplicateMessage("m-1");
            listener.onDeadLetter("baton.replies.dlt", "not json");
            listener.onOutboxResent(2);
            listener.onStepSkipped(dev.baton.engine.SagaId.of("s-6"), "order-flow", "schedule-shipment");
            listener.onStepDegraded(dev.baton.engine.SagaId.of("s-7"), "order-flow", "reserve-inventory", "circuit open");
        }

        Set<BatonMeter> seen = EnumSet.noneOf(BatonMeter.class);
        for (Meter meter : registry.getMeters()) {
            Meter.Id id = meter.getId();
            if (isDistributionGauge(id)) {
                continue;
            }
            BatonMeter declared = BatonMeter.byName(id.getName()).orElse(null);
            assertThat(declared).as("registered meter %s is declared in BatonMeter", id.getName()).isNotNull();
            seen.add(declared);
            assertThat(id.getType()).as(id.getName()).isEqualTo(declared.type());
            assertThat(id.getBaseUnit()).as(id.getName()).isEqualTo(declared.baseUnit());
            assertThat(id.getDescription()).as(id.getName()).isEqualTo(declared.description());
            assertThat(id.getTags()).extracting(Tag::getKey).as(id.getName())
                    .containsExactlyInAnyOrderElementsOf(declared.tagKeys());
        }
        assertThat(seen).as("every declared meter was registered").containsExactlyInAnyOrder(BatonMeter.values());
    }

    /**
     * Registries that cannot publish percentiles natively (SimpleMeterRegistry among them) add a gauge per percentile,
     * {@code <timer>.percentile{phi}}, derived from the timer; Prometheus publishes them within the timer's family.
     */
    private static boolean isDistributionGauge(Meter.Id id) {
        for (String suffix : new String[] {".percentile", ".histogram"}) {
            if (id.getName().endsWith(suffix)) {
                String timer = id.getName().substring(0, id.getName().length() - suffix.length());
                assertThat(BatonMeter.byName(timer)).as(id.getName()).hasValueSatisfying(m -> assertThat(m.type()).isEqualTo(Meter.Type.TIMER));
                return true;
            }
        }
        return false;
    }
}
