package dev.baton.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.engine.SagaId;
import dev.baton.engine.internal.Execution.Cursor;
import dev.baton.engine.internal.Execution.Direction;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@link StateMachine#parkWait}: a parked saga's re-send interval, spread per saga and attempt, deterministically. */
class ParkWaitTest {

    private static final Duration EVERY = Duration.ofSeconds(10);

    private static Cursor attempt(int n) {
        return new Cursor("pay", Direction.FORWARD, 1, n, 1, false, false, null);
    }

    @Test
    @DisplayName("the same saga, step and attempt always wait the same: decide stays a pure function")
    void deterministic() {
        SagaId id = new SagaId("0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b");
        assertThat(StateMachine.parkWait(EVERY, id, attempt(3))).isEqualTo(StateMachine.parkWait(EVERY, id, attempt(3)));
    }

    @Test
    @DisplayName("2,000 sagas parked at once come back spread over 80-100 % of retryEvery, about evenly, never later")
    void spreadsAHerd() {
        int[] buckets = new int[10];
        Set<Duration> distinct = new HashSet<>();
        for (int i = 0; i < 2000; i++) {
            Duration wait = StateMachine.parkWait(EVERY, new SagaId("saga-" + i), attempt(2));
            assertThat(wait).isBetween(Duration.ofSeconds(8), EVERY);
            distinct.add(wait);
            int bucket = (int) ((wait.toNanos() - 8_000_000_000L) / 200_000_000L);
            buckets[Math.min(bucket, 9)]++;
        }
        assertThat(distinct).hasSizeGreaterThan(1990);
        assertThat(IntStream.of(buckets).boxed().toList()).as("each fifth of a second of the spread gets 10 % ± 4 of the sagas")
                .allSatisfy(n -> assertThat(n).isBetween(120, 280));
    }

    @Test
    @DisplayName("one saga's successive tries do not keep the same offset")
    void attemptsDiffer() {
        SagaId id = new SagaId("saga-1");
        Set<Duration> waits = new HashSet<>();
        for (int n = 1; n <= 20; n++) {
            waits.add(StateMachine.parkWait(EVERY, id, attempt(n)));
        }
        assertThat(waits).hasSize(20);
    }

    @Test
    @DisplayName("tiny and huge intervals: never zero, never longer than retryEvery, no overflow")
    void extremes() {
        SagaId id = new SagaId("saga-1");
        assertThat(StateMachine.parkWait(Duration.ofNanos(1), id, attempt(1))).isEqualTo(Duration.ofNanos(1));
        Duration year = Duration.ofDays(365 * 1000L);
        assertThat(StateMachine.parkWait(year, id, attempt(1))).isBetween(year.multipliedBy(8).dividedBy(10), year);
    }
}
