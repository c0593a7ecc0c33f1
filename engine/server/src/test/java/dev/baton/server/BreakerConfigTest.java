package dev.baton.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.resilience4j.BreakerConfigs;
import dev.baton.resilience4j.BreakerSettings;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** baton.breaker.* settings: from the file and the environment, defaults per participant, every problem at once. */
class BreakerConfigTest {
    private static final Map<String, String> BOOTSTRAP = Map.of("BATON_KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092");

    private static ServerConfig load(Properties file, Map<String, String> env) {
        Map<String, String> all = new java.util.HashMap<>(BOOTSTRAP);
        all.putAll(env);
        return ServerConfig.load(file, all::get, all, Map.of());
    }

    @Test
    @DisplayName("defaults, then baton.breaker.default.*, then per participant; the environment wins over the file")
    void layered() {
        Properties file = new Properties();
        file.setProperty("baton.breaker.default.wait-open", "PT10S");
        file.setProperty("baton.breaker.payment.failure-rate", "40");
        file.setProperty("baton.breaker.payment.minimum-calls", "30");
        file.setProperty("baton.breaker.pay.v2.window", "7");
        ServerConfig c = load(file, Map.of("BATON_BREAKER_PAYMENT_FAILURE_RATE", "25",
                "BATON_BREAKER_DEMO_SHIPPING_HALF_OPEN_CALLS", "1"));

        BreakerConfigs b = c.breakers();
        assertThat(b.defaults()).isEqualTo(BreakerSettings.DEFAULTS.withWaitOpen(Duration.ofSeconds(10)));
        assertThat(b.participants().get("payment")).isEqualTo(new BreakerSettings(25, 30, 30, Duration.ofSeconds(10), 3));
        assertThat(b.participants().get("pay.v2").slidingWindow()).isEqualTo(10); // raised to the minimum calls
        assertThat(b.participants().get("demo-shipping").halfOpenCalls()).isEqualTo(1);
        assertThat(c.describe()).contains("baton.breaker.payment.failure-rate = 25");
    }

    @Test
    @DisplayName("no breaker settings: every participant gets the defaults")
    void none() {
        BreakerConfigs b = load(null, Map.of()).breakers();
        assertThat(b.defaults()).isEqualTo(BreakerSettings.DEFAULTS);
        assertThat(b.participants()).isEmpty();
    }

    @Test
    @DisplayName("wrong values and unknown settings are configuration errors, each naming the key")
    void problems() {
        Properties file = new Properties();
        file.setProperty("baton.breaker.payment.failure-rate", "150");
        file.setProperty("baton.breaker.payment.wait-open", "10s");
        file.setProperty("baton.breaker.payment.treshold", "5");
        file.setProperty("baton.breaker.default.half-open-calls", "0");
        assertThatThrownBy(() -> load(file, Map.of()))
                .isInstanceOfSatisfying(ServerConfig.InvalidConfigException.class, e -> assertThat(e.problems()).containsExactlyInAnyOrder(
                        "unknown circuit breaker setting 'baton.breaker.payment.treshold': expected baton.breaker.<participant>.<setting>"
                                + " with a setting of [failure-rate, minimum-calls, window, wait-open, half-open-calls]",
                        "baton.breaker.default.half-open-calls must be at least 1, but was 0",
                        "baton.breaker.payment.wait-open must be an ISO-8601 duration such as PT10S, but was '10s'",
                        "baton.breaker.payment.failure-rate must be a percentage above 0 and at most 100, but was 150.0"));
    }
}
