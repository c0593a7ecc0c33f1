package dev.baton.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SecretsTest {

    @ParameterizedTest
    @ValueSource(strings = {
            "ssl.keystore.key", "ssl.key.password", "ssl.keystore.password", "ssl.truststore.password",
            "sasl.jaas.config", "baton.db.password", "BATON_DB_PASSWORD", "client.secret",
            "sasl.oauthbearer.client.credentials.client.secret", "api-key", "apiKey", "auth.token",
            "access_token", "passphrase", "aws.credentials.file", "Password", "ssl.private.pem", "privateKeyPem"})
    void namesOfSecretsAreSecret(String name) {
        assertThat(Secrets.isSecret(name)).as(name).isTrue();
        assertThat(Secrets.mask(name, "hunter2")).isEqualTo("****");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "key.serializer", "key.deserializer", "baton.kafka.key-serializer", "ssl.keystore.location",
            "ssl.keystore.type", "ssl.keymanager.algorithm", "sasl.oauthbearer.token.endpoint.url",
            "bootstrap.servers", "baton.db.user", "partitioner.ignore.keys", "monkey.business", "tokenizer", ""})
    void otherNamesAreShown(String name) {
        assertThat(Secrets.isSecret(name)).as(name).isFalse();
        assertThat(Secrets.mask(name, "value")).isEqualTo("value");
    }

    @Test
    void anEmptyOrMissingSecretStaysVisibleAsSuch() {
        assertThat(Secrets.mask("baton.db.password", "")).isEmpty();
        assertThat(Secrets.mask("baton.db.password", null)).isNull();
        assertThat(Secrets.isSecret(null)).isFalse();
    }

    @Test
    void aPasswordInAUrlIsMaskedUpToTheNextParameter() {
        assertThat(Secrets.maskUrl("jdbc:postgresql://db:5432/baton?user=u&password=s3cret&ssl=true"))
                .isEqualTo("jdbc:postgresql://db:5432/baton?user=u&password=****&ssl=true");
        assertThat(Secrets.maskUrl("jdbc:h2:file:/x;USER=sa;PASSWORD=pw;MODE=PostgreSQL"))
                .isEqualTo("jdbc:h2:file:/x;USER=sa;PASSWORD=****;MODE=PostgreSQL");
        assertThat(Secrets.maskUrl("jdbc:postgresql://db/baton")).isEqualTo("jdbc:postgresql://db/baton");
        assertThat(Secrets.mask("baton.db.url", "jdbc:postgresql://db/b?password=x")).isEqualTo("jdbc:postgresql://db/b?password=****");
    }

    @Test
    void maskAllKeepsOrderAndMasksOnlySecrets() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("security.protocol", "SSL");
        settings.put("ssl.keystore.key", "-----BEGIN PRIVATE KEY-----");
        settings.put("key.serializer", "org.apache.kafka.common.serialization.StringSerializer");
        settings.put("sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required password=\"x\";");

        assertThat(Secrets.maskAll(settings)).containsExactly(
                Map.entry("security.protocol", "SSL"),
                Map.entry("ssl.keystore.key", "****"),
                Map.entry("key.serializer", "org.apache.kafka.common.serialization.StringSerializer"),
                Map.entry("sasl.jaas.config", "****"));
    }
}
