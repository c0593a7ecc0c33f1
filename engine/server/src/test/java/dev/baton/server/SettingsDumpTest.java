package dev.baton.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The start-up settings dump ({@link ServerConfig#describe()}) shows no secret and hides nothing else. */
class SettingsDumpTest {

    @Test
    @DisplayName("known secrets, secret Kafka client properties and a URL password are masked; the rest is shown")
    void masksSecretsOnly() {
        Properties file = new Properties();
        file.setProperty("baton.db.url", "jdbc:postgresql://db:5432/baton?user=baton&password=url-secret");
        file.setProperty("baton.db.password", "db-secret");
        file.setProperty("baton.api.token", "api-secret");
        file.setProperty("baton.kafka.client.ssl.keystore.key", "-----BEGIN PRIVATE KEY-----");
        file.setProperty("baton.kafka.client.sasl.jaas.config", "PlainLoginModule required password=\"jaas-secret\";");
        file.setProperty("baton.kafka.client.ssl.keystore.location", "/etc/baton/keystore.p12");
        file.setProperty("baton.kafka.client.key.serializer", "org.example.KeySerializer");
        Map<String, String> env = new HashMap<>(Map.of("BATON_KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"));

        String dump = ServerConfig.load(file, env::get, env, Map.of()).describe();

        assertThat(dump).doesNotContain("url-secret", "db-secret", "api-secret", "BEGIN PRIVATE KEY", "jaas-secret")
                .contains("baton.db.url = jdbc:postgresql://db:5432/baton?user=baton&password=****",
                        "baton.db.password = ****", "baton.api.token = ****",
                        "baton.kafka.client.ssl.keystore.key = ****", "baton.kafka.client.sasl.jaas.config = ****",
                        "baton.kafka.client.ssl.keystore.location = /etc/baton/keystore.p12",
                        "baton.kafka.client.key.serializer = org.example.KeySerializer",
                        "baton.kafka.bootstrap-servers = 127.0.0.1:9092");
    }

    @Test
    @DisplayName("the secret settings of the server are exactly the password and the two API tokens")
    void secretKeys() {
        assertThat(ServerConfig.KEYS.stream().filter(ServerConfig.Key::secret).map(ServerConfig.Key::name))
                .containsExactlyInAnyOrder("baton.db.password", "baton.api.token", "baton.api.read-token");
    }
}
