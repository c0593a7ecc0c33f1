package dev.baton.micrometer;

import static dev.baton.testkit.example.OrderSaga.DEFINITION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.testkit.SagaTestKit;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.cumulative.CumulativeCounter;
import io.micrometer.core.instrument.cumulative.CumulativeTimer;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.distribution.pause.PauseDetector;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A registry that throws never reaches the engine: sagas run exactly as without metrics. */
class BrokenRegistryTest {

    /** A real registry made to fail: when creating meters, or when recording into them. */
    static final class BrokenRegistry extends SimpleMeterRegistry {
        enum Fails { ON_REGISTRATION, ON_RECORDING }

        private final Fails fails;

        BrokenRegistry(Fails fails) {
            this.fails = fails;
        }

        @Override
        protected Counter newCounter(Meter.Id id) {
            if (fails == Fails.ON_REGISTRATION) {
                throw new IllegalStateException("registry broken: cannot create " + id.getName());
            }
            return new CumulativeCounter(id) {
                @Override
                public void increment(double amount) {
                    throw new IllegalStateException("registry broken: cannot increment " + id.getName());
                }
            };
        }

        @Override
        protected Timer newTimer(Meter.Id id, DistributionStatisticConfig config, PauseDetector pauseDetector) {
            if (fails == Fails.ON_REGISTRATION) {
                throw new IllegalStateException("registry broken: cannot create " + id.getName());
            }
            return new CumulativeTimer(id, clock, config, pauseDetector, getBaseTimeUnit(), false) {
                @Override
                protected void recordNonNegative(long amount, TimeUnit unit) {
                    throw new IllegalStateException("registry broken: cannot record " + id.getName());
                }
            };
        }
    }

    @Test
    @DisplayName("meters that cannot be created: every path still completes, compensates, parks and fails as usual")
    void failingRegistration() {
        runEveryPath(new MicrometerSagaListener(new BrokenRegistry(BrokenRegistry.Fails.ON_REGISTRATION)));
    }

    @Test
    @DisplayName("meters that throw when recording: every path still completes, compensates, parks and fails as usual")
    void failingRecording() {
        BrokenRegistry registry = new BrokenRegistry(BrokenRegistry.Fails.ON_RECORDING);
        runEveryPath(BatonMetrics.bind(registry, () -> { throw new IllegalStateException("no counts"); }, () -> 0, () -> 0));
    }

    @Test
    @DisplayName("odd arguments (nulls, unexpected outcomes) are recorded or dropped, never thrown")
    void oddArguments() {
        MicrometerSagaListener listener = new MicrometerSagaListener(new SimpleMeterRegistry());
        assertThatCode(() -> {
            listener.onStarted(null, null);
            listener.onStatusChanged(null, null, null, null, null);
            listener.onEnded(null, null, null, null);
            listener.onEnded(null, "t", SagaStatus.FAILED, Duration.ofSeconds(1));
            listener.onStepCompleted(null, null, null, null);
            listener.onDuplicateMessage(null);
            listener.onIgnoredReply(null, null);
            listener.onDeadLetter(null, null);
        }).doesNotThrowAnyException();
    }

    private static void runEveryPath(MicrometerSagaListener listener) {
        try (SagaTestKit kit = SagaTestKit.with(listener, DEFINITION)) {
            SagaId completed = OrderScenarios.complete(kit, "o-1", Duration.ofSeconds(1));
            SagaId compensated = OrderScenarios.compensate(kit, "o-2");
            SagaId parked = OrderScenarios.parkThenComplete(kit, "o-3");
            OrderScenarios.lateReply(kit, "o-4");
            SagaId failed = OrderScenarios.failAtPivot(kit, "o-5");
            listener.onDuplicateMessage("m-1");
            listener.onDeadLetter("baton.replies.dlt", "not json");

            assertThat(kit.status(completed)).isEqualTo(SagaStatus.COMPLETED);
            assertThat(kit.status(compensated)).isEqualTo(SagaStatus.COMPENSATED);
            assertThat(kit.status(parked)).isEqualTo(SagaStatus.COMPLETED);
            assertThat(kit.status(failed)).isEqualTo(SagaStatus.FAILED);
            kit.assertInvariants();
        }
    }
}
