package dev.baton.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Meters that count rare events exist, at zero, before their first event once registered up front. */
class RegisterUpFrontTest {

    @Test
    @DisplayName("duplicates, ignored replies, re-sends, dead letters per topic and each type's counters exist at zero")
    void seriesExistBeforeTheirFirstEvent() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        MicrometerSagaListener listener = new MicrometerSagaListener(registry);
        assertThat(registry.find(BatonMeter.MESSAGES_DUPLICATE.meterName()).counter()).as("nothing before").isNull();

        listener.registerUpFront(List.of("order-flow"), List.of("baton.replies.dlt", "baton.starts.dlt"));

        for (BatonMeter m : List.of(BatonMeter.MESSAGES_DUPLICATE, BatonMeter.MESSAGES_IGNORED, BatonMeter.OUTBOX_RESENT)) {
            Counter c = registry.find(m.meterName()).counter();
            assertThat(c).as(m.meterName()).isNotNull();
            assertThat(c.count()).isZero();
        }
        assertThat(registry.find(BatonMeter.MESSAGES_DEAD.meterName()).counters()).extracting(c -> c.getId().getTag("topic"))
                .containsExactlyInAnyOrder("baton.replies.dlt", "baton.starts.dlt");
        assertThat(registry.find(BatonMeter.SAGAS_FAILED.meterName()).tag("type", "order-flow").counter()).isNotNull();

        listener.onDeadLetter("baton.replies.dlt", "not json");
        listener.onDuplicateMessage("m-1");
        assertThat(registry.find(BatonMeter.MESSAGES_DEAD.meterName()).tag("topic", "baton.replies.dlt").counter().count())
                .as("the registered counter is the one events increment").isEqualTo(1);
        assertThat(registry.find(BatonMeter.MESSAGES_DUPLICATE.meterName()).counter().count()).isEqualTo(1);
    }
}
