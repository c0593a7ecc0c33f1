package dev.baton.resilience4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.engine.spi.CommandGate.Outcome;
import dev.baton.testkit.ManualClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The breakers on their own: counting, the open wait on the given clock, probes and their permits, the meters. */
class ParticipantBreakersTest {
    private final ManualClock clock = ManualClock.atEpochOfTests();
    private final ParticipantBreakers breakers = ParticipantBreakers.builder().clock(clock)
            .participant("payment", new BreakerSettings(50, 4, 4, Duration.ofSeconds(30), 2)).build();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private double gauge(String name, String participant) {
        return registry.get(name).tag("participant", participant).gauge().value();
    }

    private double transitions(String participant, String to) {
        return registry.get("baton.breaker.transitions").tags("participant", participant, "to", to).counter().count();
    }

    @Test
    @DisplayName("timed-out calls open the breaker (busy answers are not counted); after the wait two probes go out, their answers close it")
    void lifecycle() {
        BreakerMetrics.bind(breakers, registry);
        breakers.prepare(Set.of("payment", "inventory"));
        assertThat(gauge("baton.breaker.state", "payment")).isZero();
        assertThat(gauge("baton.breaker.state", "inventory")).isZero();

        breakers.onOutcome("payment", Outcome.ANSWERED);
        breakers.onOutcome("payment", Outcome.TIMED_OUT);
        for (int i = 0; i < 20; i++) {
            breakers.onOutcome("payment", Outcome.BUSY); // a busy participant works: not counted
        }
        breakers.onOutcome("payment", Outcome.TIMED_OUT);
        assertThat(breakers.state("payment").state()).isEqualTo("CLOSED");
        breakers.onOutcome("payment", Outcome.TIMED_OUT); // 3 of 4 failed: 75 %

        assertThat(breakers.state("payment").state()).isEqualTo("OPEN");
        assertThat(breakers.state("payment").failureRatePercent()).isEqualTo(75f);
        assertThat(gauge("baton.breaker.state", "payment")).isEqualTo(1);
        assertThat(gauge("baton.breaker.failure.rate", "payment")).isEqualTo(75);
        assertThat(transitions("payment", "open")).isEqualTo(1);
        assertThat(breakers.permit("payment")).isFalse();
        assertThat(registry.get("baton.breaker.not.permitted").tag("participant", "payment").functionCounter().count()).isEqualTo(1);
        assertThat(breakers.permit("inventory")).isTrue();

        clock.advance(Duration.ofSeconds(29));
        assertThat(breakers.permit("payment")).isFalse();
        clock.advance(Duration.ofSeconds(2));
        assertThat(breakers.permit("payment")).isTrue();
        assertThat(breakers.state("payment").state()).isEqualTo("HALF_OPEN");
        assertThat(gauge("baton.breaker.state", "payment")).isEqualTo(2);
        assertThat(breakers.permit("payment")).isTrue();
        assertThat(breakers.permit("payment")).as("only two probes").isFalse();
        breakers.release("payment"); // a probe's transaction rolled back: its permit goes back
        assertThat(breakers.permit("payment")).isTrue();

        breakers.onOutcome("payment", Outcome.ANSWERED);
        breakers.onOutcome("payment", Outcome.ANSWERED);
        assertThat(breakers.state("payment").state()).isEqualTo("CLOSED");
        assertThat(transitions("payment", "half_open")).isEqualTo(1);
        assertThat(transitions("payment", "closed")).isEqualTo(1);
        assertThat(breakers.states()).containsOnlyKeys("inventory", "payment");
        assertThat(breakers.state("payment").notPermittedCalls()).isEqualTo(3);
    }

    @Test
    @DisplayName("errors (a handler that throws) open the breaker; the same command failing again on its re-sends is"
            + " counted once, so one poison command cannot open it for everyone")
    void errorsCountOncePerCommand() {
        breakers.onOutcome("payment", Outcome.ANSWERED);
        breakers.onOutcome("payment", Outcome.ANSWERED);
        breakers.onOutcome("payment", Outcome.ERROR); // a poison command's first try
        for (int i = 0; i < 20; i++) {
            breakers.onOutcome("payment", Outcome.ERROR_REPEATED); // its re-sends
        }
        assertThat(breakers.state("payment").state()).isEqualTo("CLOSED");
        assertThat(breakers.state("payment").failedCalls()).isEqualTo(1);
        assertThat(breakers.state("payment").bufferedCalls()).isEqualTo(3);

        breakers.onOutcome("payment", Outcome.ERROR); // a second command fails: 2 of 4, the 50 % threshold
        assertThat(breakers.state("payment").state()).isEqualTo("OPEN");
        assertThat(Outcome.ERROR.failed()).isTrue();
        assertThat(Outcome.ERROR_REPEATED.failed()).isFalse();
    }

    @Test
    @DisplayName("business refusals are answers: a breaker never opens on them")
    void answersKeepItClosed() {
        for (int i = 0; i < 50; i++) {
            breakers.onOutcome("payment", Outcome.ANSWERED);
        }
        assertThat(breakers.state("payment").state()).isEqualTo("CLOSED");
        assertThat(breakers.state("payment").failureRatePercent()).isZero();
    }

    @Test
    @DisplayName("settings: unnamed participants get the defaults; invalid values are refused with every problem")
    void settings() {
        assertThat(breakers.settings("payment").halfOpenCalls()).isEqualTo(2);
        assertThat(breakers.settings("anyone")).isEqualTo(BreakerSettings.DEFAULTS);
        assertThatThrownBy(() -> new BreakerSettings(0, 0, 1, Duration.ZERO, 0))
                .hasMessageContaining("failure-rate").hasMessageContaining("minimum-calls")
                .hasMessageContaining("wait-open").hasMessageContaining("half-open-calls");
        BreakerConfigs c = BreakerConfigs.parse(Map.of("default.failure-rate", "30", "payment.wait-open", "PT5S"), "x.");
        assertThat(c.defaults().failureRatePercent()).isEqualTo(30f);
        assertThat(c.participants().get("payment")).isEqualTo(BreakerSettings.DEFAULTS.withFailureRatePercent(30)
                .withWaitOpen(Duration.ofSeconds(5)));
    }
}
