package dev.baton.dsl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ParkTest {

    @Test
    void asUsesTheDocumentedDefaults() {
        Park park = Park.as("PENDING_PAYMENT");
        assertThat(park).isEqualTo(new Park("PENDING_PAYMENT", Duration.ofSeconds(10), Duration.ofMinutes(30)));
        assertThat(Park.DEFAULT_RETRY_EVERY).isEqualTo(Duration.ofSeconds(10));
        assertThat(Park.DEFAULT_GIVE_UP_AFTER).isEqualTo(Duration.ofMinutes(30));
    }

    @Test
    void withersReturnCopiesAndLeaveTheOriginal() {
        Park base = Park.as("PENDING_PAYMENT");
        Park tuned = base.retryEvery(Duration.ofSeconds(5)).giveUpAfter(Duration.ofHours(2));

        assertThat(tuned).isEqualTo(new Park("PENDING_PAYMENT", Duration.ofSeconds(5), Duration.ofHours(2)));
        assertThat(base).isEqualTo(Park.as("PENDING_PAYMENT"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"PENDING_PAYMENT", "P", "WAIT_2", "P2_"})
    void acceptsUpperCaseNames(String state) {
        assertThat(Park.as(state).state()).isEqualTo(state);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "pending_payment", "Pending", "PENDING-PAYMENT", "PENDING PAYMENT", "_PENDING", "2PENDING"})
    void rejectsOtherNamesWithTheValue(String state) {
        assertThatThrownBy(() -> Park.as(state)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("pending state name must be upper case letters, digits and '_' (like PENDING_PAYMENT), but was '"
                        + state + "'");
    }

    @Test
    void namesAreAtMost64Characters() {
        assertThat(Park.as("P".repeat(64)).state()).hasSize(64);
        String tooLong = "P".repeat(65);
        assertThatThrownBy(() -> Park.as(tooLong)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageEndingWith("but was '" + tooLong + "'");
    }

    @Test
    void giveUpAfterMustBeAtLeastRetryEvery() {
        assertThatThrownBy(() -> Park.as("WAIT").retryEvery(Duration.ofMinutes(1)).giveUpAfter(Duration.ofSeconds(30)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("giveUpAfter must be >= retryEvery (PT1M), but was PT30S");
        assertThatThrownBy(() -> new Park("WAIT", Duration.ofMinutes(1), Duration.ofSeconds(59)))
                .hasMessage("giveUpAfter must be >= retryEvery (PT1M), but was PT59S");
        assertThatCode(() -> Park.as("WAIT").retryEvery(Duration.ofMinutes(1)).giveUpAfter(Duration.ofMinutes(1)))
                .doesNotThrowAnyException();
    }

    @Test
    void aRetryIntervalLongerThanTheGiveUpLimitRaisesTheLimit() {
        Park park = Park.as("WAIT").retryEvery(Duration.ofHours(1));
        assertThat(park.giveUpAfter()).isEqualTo(Duration.ofHours(1));
        assertThat(Park.as("WAIT").retryEvery(Duration.ofMinutes(1)).giveUpAfter())
                .as("a shorter interval leaves the limit alone").isEqualTo(Duration.ofMinutes(30));
    }

    @Test
    void nonPositiveDurationsAreRejectedWithTheValue() {
        assertThatThrownBy(() -> Park.as("WAIT").retryEvery(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("retryEvery must be positive, but was PT0S");
        assertThatThrownBy(() -> Park.as("WAIT").giveUpAfter(Duration.ofMinutes(-1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("giveUpAfter must be positive, but was PT-1M");
    }

    @Test
    void nullsAreRejectedByName() {
        assertThatThrownBy(() -> Park.as(null)).isInstanceOf(NullPointerException.class).hasMessage("state");
        assertThatThrownBy(() -> Park.as("WAIT").retryEvery(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("retryEvery");
        assertThatThrownBy(() -> Park.as("WAIT").giveUpAfter(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("giveUpAfter");
    }
}
