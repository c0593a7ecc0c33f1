package dev.baton.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class CachedTest {
    private final ManualClock clock = ManualClock.atEpochOfTests();
    private final AtomicInteger calls = new AtomicInteger();

    @Test
    @DisplayName("the source is called once per period; the value is reused within it")
    void oncePerPeriod() {
        Cached<Integer> c = Cached.every(Duration.ofSeconds(5), calls::incrementAndGet, clock);
        assertThat(c.get()).isEqualTo(1);
        clock.advance(Duration.ofMillis(4999));
        assertThat(c.get()).isEqualTo(1);
        clock.advance(Duration.ofMillis(1));
        assertThat(c.get()).isEqualTo(2);
        assertThat(c.get()).isEqualTo(2);
        c.invalidate();
        assertThat(c.get()).isEqualTo(3);
    }

    @Test
    @DisplayName("a failure is rethrown until the period ends, then the source is asked again")
    void failuresAreCachedToo() {
        Cached<Integer> c = Cached.every(Duration.ofSeconds(5), () -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("database unreachable");
            }
            return calls.get();
        }, clock);
        assertThatThrownBy(c::get).hasMessage("database unreachable");
        assertThatThrownBy(c::get).hasMessage("database unreachable");
        assertThat(calls).hasValue(1);
        clock.advance(Duration.ofSeconds(5));
        assertThat(c.get()).isEqualTo(2);
    }

    @Test
    @DisplayName("a clock that moves backwards reloads rather than serving a value until the clock catches up")
    void clockBackwards() {
        ManualClock later = new ManualClock(Instant.parse("2026-01-01T00:00:10Z"));
        ManualClock[] current = {later};
        java.time.Clock switching = new java.time.Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return java.time.ZoneOffset.UTC;
            }

            @Override
            public java.time.Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return current[0].instant();
            }
        };
        Cached<Integer> c = Cached.every(Duration.ofMinutes(1), calls::incrementAndGet, switching);
        assertThat(c.get()).isEqualTo(1);
        current[0] = clock; // ten seconds earlier
        assertThat(c.get()).isEqualTo(2);
    }

    @Test
    @DisplayName("a zero period calls the source every time; a negative one is refused")
    void periods() {
        Cached<Integer> c = Cached.every(Duration.ZERO, calls::incrementAndGet, clock);
        assertThat(c.get()).isEqualTo(1);
        assertThat(c.get()).isEqualTo(2);
        assertThatThrownBy(() -> Cached.every(Duration.ofSeconds(-1), calls::incrementAndGet))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT-1S");
    }

    @Test
    @DisplayName("as a LongSupplier for a count gauge")
    void asLongSupplier() {
        LongSupplier outbox = Cached.every(Duration.ofSeconds(5), () -> 40L + calls.incrementAndGet(), clock)::get;
        assertThat(outbox.getAsLong()).isEqualTo(41);
        assertThat(outbox.getAsLong()).isEqualTo(41);
    }
}
