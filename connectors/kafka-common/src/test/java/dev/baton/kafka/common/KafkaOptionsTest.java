package dev.baton.kafka.common;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What {@link KafkaOptions#toString()} (the form that reaches logs and error messages) shows of client properties. */
class KafkaOptionsTest {

    @Test
    void toStringMasksEverySecretClientPropertyAndShowsTheRest() {
        KafkaOptions options = KafkaOptions.defaults("broker-1:9093")
                .withClientProperty("security.protocol", "SSL")
                .withClientProperty("ssl.keystore.type", "PEM")
                .withClientProperty("ssl.keystore.key", "-----BEGIN PRIVATE KEY----- MIIEvQIBADANBgkq")
                .withClientProperty("ssl.key.password", "changeit")
                .withClientProperty("sasl.jaas.config", "PlainLoginModule required username=\"u\" password=\"p\";")
                .withClientProperty("client.id", "orders-engine");

        String shown = options.toString();

        assertThat(shown)
                .doesNotContain("BEGIN PRIVATE KEY", "MIIEvQIBADANBgkq", "changeit", "PlainLoginModule")
                .contains("ssl.keystore.key=****", "ssl.key.password=****", "sasl.jaas.config=****")
                .contains("security.protocol=SSL", "ssl.keystore.type=PEM", "client.id=orders-engine",
                        "bootstrapServers=broker-1:9093");
    }
}
