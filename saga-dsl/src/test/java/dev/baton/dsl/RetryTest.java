package dev.baton.dsl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RetryTest {
    private static final Duration MS_100 = Duration.ofMillis(100);

    @Test
    void noneAllowsOneAttempt() {
        Retry none = Retry.none();
        assertThat(none.maxAttempts()).isEqualTo(1);
        assertThat(none.retries()).isFalse();
        assertThat(none.delayAfter(1)).isEmpty();
        assertThat(none).isSameAs(Retry.none()).hasToString("Retry.none()");
    }

    @Test
    void fixedWaitsTheSameDelayUntilTheAttemptsAreUsedUp() {
        Retry fixed = Retry.fixed(3, Duration.ofSeconds(2));
        assertThat(fixed.maxAttempts()).isEqualTo(3);
        assertThat(fixed.retries()).isTrue();
        assertThat(fixed.delayAfter(1)).contains(Duration.ofSeconds(2));
        assertThat(fixed.delayAfter(2)).contains(Duration.ofSeconds(2));
        assertThat(fixed.delayAfter(3)).isEmpty();
        assertThat(fixed.delayAfter(4)).isEmpty();
    }

    @Test
    void fixedWithOneAttemptDoesNotRetryAndAZeroDelayIsAllowed() {
        assertThat(Retry.fixed(1, Duration.ofSeconds(2)).retries()).isFalse();
        assertThat(Retry.fixed(1, Duration.ofSeconds(2)).delayAfter(1)).isEmpty();
        assertThat(Retry.fixed(2, Duration.ZERO).delayAfter(1)).contains(Duration.ZERO);
    }

    @Test
    void exponentialDoublesUntilTheAttemptsAreUsedUp() {
        Retry exp = Retry.exponential(5, MS_100, Duration.ofSeconds(10));
        assertThat(IntStream.rangeClosed(1, 4).mapToObj(a -> exp.delayAfter(a).orElseThrow()))
                .containsExactly(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(400), Duration.ofMillis(800));
        assertThat(exp.delayAfter(5)).isEmpty();
        assertThat(exp.maxAttempts()).isEqualTo(5);
    }

    @Test
    void exponentialIsCappedAndStaysAtTheCap() {
        Retry exp = Retry.exponential(10, MS_100, Duration.ofMillis(500));
        assertThat(exp.delayAfter(3)).contains(Duration.ofMillis(400));
        assertThat(exp.delayAfter(4)).contains(Duration.ofMillis(500));
        assertThat(exp.delayAfter(9)).contains(Duration.ofMillis(500));
        assertThat(exp.delayAfter(10)).isEmpty();
    }

    @Test
    void exponentialWithoutCapIsCappedAt100TimesTheInitialDelay() {
        Retry exp = Retry.exponential(20, Duration.ofSeconds(1));
        assertThat(exp).isEqualTo(new Retry.Exponential(20, Duration.ofSeconds(1), Duration.ofSeconds(100)));
        assertThat(exp.delayAfter(7)).contains(Duration.ofSeconds(64));
        assertThat(exp.delayAfter(8)).contains(Duration.ofSeconds(100));
        assertThat(exp.delayAfter(19)).contains(Duration.ofSeconds(100));
    }

    @Test
    void foreverNeverGivesUpAndDoublesUpToTheCap() {
        Retry forever = Retry.forever(Duration.ofSeconds(1), Duration.ofMinutes(1));
        assertThat(forever.maxAttempts()).isEqualTo(Integer.MAX_VALUE);
        assertThat(forever.retries()).isTrue();
        assertThat(IntStream.rangeClosed(1, 8).mapToObj(a -> forever.delayAfter(a).orElseThrow())).containsExactly(
                Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(8),
                Duration.ofSeconds(16), Duration.ofSeconds(32), Duration.ofMinutes(1), Duration.ofMinutes(1));
        assertThat(forever.delayAfter(1_000)).contains(Duration.ofMinutes(1));
        assertThat(forever.delayAfter(Integer.MAX_VALUE)).contains(Duration.ofMinutes(1));
    }

    @Test
    void policiesAreValues() {
        assertThat(Retry.fixed(3, MS_100)).isEqualTo(Retry.fixed(3, MS_100)).hasSameHashCodeAs(Retry.fixed(3, MS_100));
        assertThat(Retry.forever(MS_100, Duration.ofSeconds(1))).isEqualTo(Retry.forever(MS_100, Duration.ofSeconds(1)));
        assertThat(Retry.fixed(3, MS_100)).isNotEqualTo(Retry.fixed(4, MS_100));
    }

    @Test
    void attemptsBelowOneAreRejectedWithTheValue() {
        assertThatThrownBy(() -> Retry.fixed(0, MS_100)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxAttempts must be >= 1, but was 0");
        assertThatThrownBy(() -> Retry.exponential(-3, MS_100)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxAttempts must be >= 1, but was -3");
        assertThatThrownBy(() -> Retry.exponential(0, MS_100, Duration.ofSeconds(1)))
                .hasMessage("maxAttempts must be >= 1, but was 0");
    }

    @Test
    void badDurationsAreRejectedWithTheValue() {
        assertThatThrownBy(() -> Retry.fixed(2, Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("delay must not be negative, but was PT-1S");
        assertThatThrownBy(() -> Retry.exponential(3, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("initial must be positive, but was PT0S");
        assertThatThrownBy(() -> Retry.exponential(3, MS_100, Duration.ofMillis(-5)))
                .hasMessage("cap must be positive, but was PT-0.005S");
        assertThatThrownBy(() -> Retry.exponential(3, Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cap must be >= initial (PT2S), but was PT1S");
        assertThatThrownBy(() -> Retry.forever(Duration.ofSeconds(-1), Duration.ofMinutes(1)))
                .hasMessage("initial must be positive, but was PT-1S");
        assertThatThrownBy(() -> Retry.forever(Duration.ofSeconds(1), Duration.ZERO))
                .hasMessage("cap must be positive, but was PT0S");
        assertThatThrownBy(() -> Retry.forever(Duration.ofMinutes(2), Duration.ofMinutes(1)))
                .hasMessage("cap must be >= initial (PT2M), but was PT1M");
    }

    @Test
    void nullDurationsAreRejectedByName() {
        assertThatThrownBy(() -> Retry.fixed(2, null)).isInstanceOf(NullPointerException.class).hasMessage("delay");
        assertThatThrownBy(() -> Retry.exponential(2, null)).isInstanceOf(NullPointerException.class).hasMessage("initial");
        assertThatThrownBy(() -> Retry.exponential(2, MS_100, null)).isInstanceOf(NullPointerException.class).hasMessage("cap");
        assertThatThrownBy(() -> Retry.forever(null, MS_100)).isInstanceOf(NullPointerException.class).hasMessage("initial");
    }
}
