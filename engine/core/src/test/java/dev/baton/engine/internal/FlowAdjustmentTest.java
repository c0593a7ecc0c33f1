package dev.baton.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.engine.FlowSettings;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The arithmetic of flow control: the concurrency limit per tick, and the pace of a participant limited by rate. */
class FlowAdjustmentTest {
    static final long TICK = TimeUnit.MILLISECONDS.toNanos(100);

    @Nested
    @DisplayName("the limit")
    class Limit {
        final FlowSettings s = FlowSettings.DEFAULTS;

        @Test
        @DisplayName("is cut when a command timed out")
        void cutOnTimeout() {
            assertThat(s.next(20, 30, 0, 1, 20, 5)).isEqualTo(18.0);
        }

        @Test
        @DisplayName("is cut when most answers were busy, not for a few")
        void cutOnMostlyBusy() {
            assertThat(s.next(20, 4, 5, 0, 20, 5)).isEqualTo(18.0);
            assertThat(s.next(20, 18, 2, 0, 20, 5)).isGreaterThan(20.0);
        }

        @Test
        @DisplayName("rises by answers per limit only when it was reached")
        void risesWhenReached() {
            assertThat(s.next(10, 20, 0, 0, 10, 5)).isEqualTo(12.0);
            assertThat(s.next(10, 20, 0, 0, 3, 0)).isEqualTo(10.0);
        }

        @Test
        @DisplayName("stays within its bounds")
        void bounded() {
            assertThat(s.next(1, 0, 9, 0, 1, 5)).isEqualTo(1.0);
            assertThat(s.next(5_000, 9_000, 0, 0, 5_000, 5)).isEqualTo(5_000.0);
        }
    }

    @Nested
    @DisplayName("the pace")
    class Pace {
        final FlowControl.Flow f = new FlowControl.Flow("payment", 50);

        @Test
        @DisplayName("is none while no answer is busy")
        void noneWithoutBusy() {
            for (int i = 0; i < 20; i++) {
                f.paceNanos = FlowControl.nextPace(f, 10, 0, TICK);
            }
            assertThat(f.paceNanos).isZero();
        }

        @Test
        @DisplayName("starts at the rate the participant answered when busy answers first come")
        void startsAtAnswerRate() {
            f.paceNanos = FlowControl.nextPace(f, 5, 5, TICK);
            assertThat(f.paceNanos).isEqualTo(TICK / 10);
        }

        @Test
        @DisplayName("grows while more than the target share of answers are busy, shrinks below that")
        void holdsTheBusyShare() {
            f.paceNanos = FlowControl.nextPace(f, 5, 5, TICK);
            long start = f.paceNanos;
            for (int i = 0; i < 5; i++) {
                f.paceNanos = FlowControl.nextPace(f, 5, 5, TICK);
            }
            assertThat(f.paceNanos).isGreaterThan(start);
            long high = f.paceNanos;
            for (int i = 0; i < 30; i++) {
                f.paceNanos = FlowControl.nextPace(f, 19, 1, TICK);
            }
            assertThat(f.paceNanos).isLessThan(high).isPositive();
        }

        @Test
        @DisplayName("goes once busy answers stop, and never leaves its bounds")
        void goesAndIsBounded() {
            f.paceNanos = FlowControl.nextPace(f, 0, 50, TICK);
            for (int i = 0; i < 200; i++) {
                f.paceNanos = FlowControl.nextPace(f, 0, 50, TICK);
            }
            assertThat(f.paceNanos).isEqualTo(FlowControl.MAX_PACE_NANOS);
            for (int i = 0; i < 40; i++) {
                f.paceNanos = FlowControl.nextPace(f, 10, 0, TICK);
            }
            assertThat(f.paceNanos).isZero();
        }
    }
}
