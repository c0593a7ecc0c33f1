package dev.baton.server.ops;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.baton.dsl.Participant;
import dev.baton.dsl.Saga;
import dev.baton.dsl.SagaDefinition;
import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The SLA windows and the breach warning, on a clock the test moves. */
class SlaWatchTest {
    record Data(String id) {}

    private static final Participant<Object> P = Participant.named("p", Object.class);
    private static final SagaDefinition<Data> SAGA = Saga.define("s", Data.class)
            .step("timed").invoke(P, d -> "x").noCompensation().sla(Duration.ofMillis(100))
            .step("untimed").invoke(P, d -> "y").noCompensation()
            .build();
    private static final SagaId ID = SagaId.of("s-1");

    /** A clock that stands still until moved. */
    static final class MovableClock extends Clock {
        private Instant now = Instant.parse("2026-01-01T00:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    private final MovableClock clock = new MovableClock();
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final SlaWatch watch = new SlaWatch(List.of(SAGA), 0.2, 10, Duration.ofMinutes(5), clock);

    @BeforeEach
    void capture() {
        log.start();
        ((Logger) LoggerFactory.getLogger(SlaWatch.LOGGER)).addAppender(log);
    }

    @AfterEach
    void release() {
        ((Logger) LoggerFactory.getLogger(SlaWatch.LOGGER)).detachAppender(log);
    }

    private void steps(String step, int n, long millis) {
        for (int i = 0; i < n; i++) {
            watch.onStepCompleted(ID, "s", step, Duration.ofMillis(millis));
        }
    }

    @Test
    @DisplayName("above the level with enough durations: one warning per window, then again once the window has passed")
    void oncePerWindow() {
        steps("timed", 7, 20);
        steps("timed", 2, 500);                 // 2 of 9: not enough durations yet
        assertThat(log.list).isEmpty();
        steps("timed", 1, 500);                 // 3 of 10 = 30 % > 20 %
        assertThat(log.list).singleElement().extracting(ILoggingEvent::getFormattedMessage).asString()
                .startsWith("SLA missed: step 'timed' of saga 's' (command to reply, participant p) took longer than its"
                        + " SLA of 100 ms in 3 of the last 10 measured in 5 min (30.0 %, above the warn level of 20.0 %);"
                        + " p95 500 ms.");
        steps("timed", 20, 500);                // still breaching, same window: no more lines
        clock.advance(Duration.ofMinutes(4));
        steps("timed", 5, 500);
        assertThat(log.list).hasSize(1);
        clock.advance(Duration.ofMinutes(1));   // five minutes since the warning
        steps("timed", 10, 500);
        assertThat(log.list).hasSize(2);
    }

    @Test
    @DisplayName("at or below the level, or without an SLA, nothing is logged")
    void quietOtherwise() {
        steps("timed", 8, 20);
        steps("timed", 2, 100);                 // equal to the SLA: met
        steps("timed", 2, 101);                 // 2 of 12 = 16.7 %
        steps("untimed", 50, 10_000);
        assertThat(log.list).isEmpty();
    }

    @Test
    @DisplayName("the view: target, count, breaches and ratio per window; percentiles within 10 %; old slices drop out")
    void view() {
        steps("timed", 90, 50);
        steps("timed", 10, 1000);
        watch.onEnded(ID, "s", SagaStatus.COMPLETED, Duration.ofSeconds(2));
        SlaWatch.TypeView t = watch.view().getFirst();
        assertThat(t.targetMs()).isNull();
        assertThat(t.windows().get("1m").count()).isEqualTo(1);
        assertThat(t.windows().get("1m").breaches()).as("no saga SLA").isNull();
        SlaWatch.StepView timed = t.steps().getFirst();
        assertThat(timed.targetMs()).isEqualTo(100);
        SlaWatch.Figures f = timed.windows().get("1m");
        assertThat(f.count()).isEqualTo(100);
        assertThat(f.breaches()).isEqualTo(10);
        assertThat(f.breachRatio()).isEqualTo(0.1);
        assertThat(f.p50Ms()).isBetween(50.0, 55.0);
        assertThat(f.p95Ms()).isEqualTo(1000.0);  // capped at the window's longest
        assertThat(t.steps().get(1).windows().get("1m").breachRatio()).as("no SLA").isNull();

        clock.advance(Duration.ofMinutes(2));
        SlaWatch.Figures later = watch.view().getFirst().steps().getFirst().windows().get("1m");
        assertThat(later.count()).isZero();
        assertThat(later.p50Ms()).isNull();
        assertThat(watch.view().getFirst().steps().getFirst().windows().get("5m").count()).isEqualTo(100);
        clock.advance(Duration.ofMinutes(14));
        assertThat(watch.view().getFirst().steps().getFirst().windows().get("15m").count()).isZero();
    }
}
