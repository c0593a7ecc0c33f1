package dev.baton.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import ch.qos.logback.core.AppenderBase;
import dev.baton.kafka.dev.EmbeddedKafkaBroker;
import dev.baton.kafka.dev.junit.KafkaBrokerExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * Issue 14 finding 2, with canaries: the real server is started with a distinct canary value in every secret setting,
 * from the environment and from the configuration file (the API tokens, the database password, secret Kafka client
 * properties), every logger at TRACE into an appender that looks at every event (message, arguments, exception
 * messages and stack, MDC), and it is driven through the API, the metrics, problem documents and a failed start on a
 * JDBC URL with a password. No canary may appear anywhere: not in a response, not in a log event, not in the settings
 * dump, not in an exception.
 */
@ExtendWith(KafkaBrokerExtension.class)
class SecretCanaryTest {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** Loggers of the in-JVM broker (not the server under test): TRACE there would only slow the test down. */
    private static final List<String> BROKER_LOGGERS = List.of("kafka", "state.change.logger", "org.apache.kafka.server",
            "org.apache.kafka.raft", "org.apache.kafka.controller", "org.apache.kafka.metadata", "org.apache.kafka.image",
            "org.apache.kafka.storage", "org.apache.kafka.coordinator", "org.apache.kafka.queue", "org.apache.kafka.snapshot",
            "org.apache.kafka.common.network", "org.apache.kafka.common.security", "org.apache.kafka.common.requests",
            "org.apache.kafka.common.metrics", "org.apache.kafka.common.utils");

    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final Map<String, String> CANARIES = new LinkedHashMap<>();

    static {
        for (String what : List.of("API", "READ", "DBPW", "JAAS", "SSLKEY", "KEYPW", "TRUSTPW", "URLPW", "FILEPW")) {
            CANARIES.put(what, "CANARY" + what + "x" + RUN);
        }
    }

    /** Looks at every event as it comes (nothing is kept but the leaks and a count per level). */
    static final class CanaryAppender extends AppenderBase<ILoggingEvent> {
        final ConcurrentLinkedQueue<String> leaks = new ConcurrentLinkedQueue<>();
        final Map<Level, AtomicLong> counts = new java.util.concurrent.ConcurrentHashMap<>();

        @Override
        protected void append(ILoggingEvent e) {
            counts.computeIfAbsent(e.getLevel(), l -> new AtomicLong()).incrementAndGet();
            StringBuilder all = new StringBuilder(e.getFormattedMessage() == null ? "" : e.getFormattedMessage());
            if (e.getArgumentArray() != null) {
                for (Object a : e.getArgumentArray()) {
                    all.append(' ').append(a);
                }
            }
            all.append(' ').append(e.getMDCPropertyMap());
            for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
                all.append(' ').append(t.getClassName()).append(": ").append(t.getMessage());
                for (StackTraceElementProxy s : t.getStackTraceElementProxyArray()) {
                    all.append(' ').append(s.getSTEAsString());
                }
            }
            String text = all.toString();
            for (String canary : CANARIES.values()) {
                if (text.contains(canary)) {
                    leaks.add(e.getLevel() + " " + e.getLoggerName() + ": " + text);
                }
            }
        }
    }

    private static LoggerContext context() {
        return (LoggerContext) LoggerFactory.getILoggerFactory();
    }

    @Test
    @SuppressWarnings("try") // the participants only need to run during the block
    @DisplayName("canary secrets from the environment and the file show nowhere: logs at every level, /api, /metrics, problem documents, the settings dump, a failed start")
    void noCanaryAnywhere(EmbeddedKafkaBroker broker) throws Exception {
        CanaryAppender appender = new CanaryAppender();
        appender.setContext(context());
        appender.start();
        Logger root = context().getLogger(Logger.ROOT_LOGGER_NAME);
        Map<String, Level> before = new HashMap<>();
        List<String> loggers = new ArrayList<>(List.of(Logger.ROOT_LOGGER_NAME, "dev.baton", "org.apache.kafka",
                "org.apache.kafka.clients", "com.zaxxer.hikari", "org.flywaydb", "org.eclipse.jetty", "io.javalin", "org.jdbi"));
        loggers.addAll(BROKER_LOGGERS);
        for (String name : loggers) {
            before.put(name, context().getLogger(name).getLevel());
        }
        root.addAppender(appender);
        List<String> bodies = new ArrayList<>();
        try {
            for (String name : loggers) {
                context().getLogger(name).setLevel(BROKER_LOGGERS.contains(name) ? Level.INFO : Level.TRACE);
            }
            Map<String, String> env = TestServer.env(broker);
            env.put("BATON_API_TOKEN", CANARIES.get("API"));
            env.put("BATON_API_READ_TOKEN", CANARIES.get("READ"));
            env.put("BATON_DB_PASSWORD", CANARIES.get("DBPW"));
            env.put("BATON_KAFKA_CLIENT_SSL_KEYSTORE_KEY", CANARIES.get("SSLKEY"));
            Properties file = new Properties();
            file.setProperty("baton.kafka.client.sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule"
                    + " required username=\"u\" password=\"" + CANARIES.get("JAAS") + "\";");
            file.setProperty("baton.kafka.client.ssl.key.password", CANARIES.get("KEYPW"));
            file.setProperty("baton.kafka.client.ssl.truststore.password", CANARIES.get("TRUSTPW"));
            ServerConfig config = ServerConfig.load(file, env::get, env, Map.of());
            String dump = config.describe();
            bodies.add(dump);
            assertThat(dump).contains("baton.api.token = ****", "baton.db.password = ****");

            BatonServer server = BatonServer.start(config, BatonServer.discoverDefinitions(""));
            try (AutoCloseable participants = TestSagas.startParticipants(BatonServer.kafkaOptions(config))) {
                String base = "http://127.0.0.1:" + server.port();
                String api = "Bearer " + CANARIES.get("API");
                String read = "Bearer " + CANARIES.get("READ");
                HttpResponse<String> created = call(bodies, base, "POST", "/api/sagas",
                        "{\"type\":\"test-ops\",\"data\":{\"mode\":\"ok\",\"amount\":1}}", api);
                assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
                String id = TestServer.json(created).get("id").asText();
                await("the saga completes").atMost(Duration.ofSeconds(60)).until(() -> TestServer.json(
                        call(bodies, base, "GET", "/api/sagas/" + id, null, read)).get("status").asText().equals("COMPLETED"));
                HttpResponse<String> declined = call(bodies, base, "POST", "/api/sagas",
                        "{\"type\":\"test-ops\",\"data\":{\"mode\":\"decline\",\"amount\":2}}", api);
                assertThat(declined.statusCode()).isEqualTo(201);
                call(bodies, base, "GET", "/api/sagas", null, read);
                call(bodies, base, "GET", "/api/sagas/" + id + "/history", null, read);
                call(bodies, base, "GET", "/api/stats", null, api);
                call(bodies, base, "GET", "/api/definitions", null, read);
                call(bodies, base, "GET", "/api/flows", null, read);
                call(bodies, base, "GET", "/api/openapi.json", null, null);
                call(bodies, base, "GET", "/health/ready", null, null);
                call(bodies, base, "GET", "/health/live", null, null);
                assertThat(call(bodies, base, "GET", "/metrics", null, null).statusCode()).isEqualTo(200);
                // problem documents: unauthorized (a wrong token next to the right one), not found, invalid data
                assertThat(call(bodies, base, "GET", "/api/sagas", null, read + "x").statusCode()).isEqualTo(401);
                assertThat(call(bodies, base, "POST", "/api/sagas", "{\"type\":\"test-ops\"}", read).statusCode()).isEqualTo(401);
                assertThat(call(bodies, base, "GET", "/api/sagas/no-such-saga", null, read).statusCode()).isEqualTo(404);
                assertThat(call(bodies, base, "POST", "/api/sagas", "{\"type\":\"test-ops\",\"data\":{\"mode\":1}}", api)
                        .statusCode()).isEqualTo(400);
                assertThat(call(bodies, base, "POST", "/api/sagas/" + id + "/retry", "{\"reason\":\"x\"}", api).statusCode())
                        .isEqualTo(409);
            } finally {
                server.close();
            }

            // a start that fails on a database URL with a password: neither the error nor the log shows it
            Map<String, String> bad = TestServer.env(broker);
            bad.put("BATON_DB_URL", "jdbc:postgresql://127.0.0.1:1/none?user=u&password=" + CANARIES.get("URLPW")
                    + "&connectTimeout=1");
            Properties badFile = new Properties();
            badFile.setProperty("baton.db.password", CANARIES.get("FILEPW"));
            Throwable failed = catchThrowable(() -> BatonServer.start(ServerConfig.load(badFile, bad::get, bad, Map.of()),
                    BatonServer.discoverDefinitions("")).close());
            assertThat(failed).isNotNull();
            for (Throwable t = failed; t != null; t = t.getCause()) {
                bodies.add(t.getClass().getName() + ": " + t.getMessage());
                for (Throwable s : t.getSuppressed()) {
                    bodies.add(s.getClass().getName() + ": " + s.getMessage());
                }
            }
        } finally {
            root.detachAppender(appender);
            before.forEach((name, level) -> context().getLogger(name).setLevel(level));
        }

        System.out.println("secret canaries: " + CANARIES.size() + " canaries, log events by level " + appender.counts
                + ", " + bodies.size() + " responses and messages checked, leaks=" + appender.leaks.size());
        assertThat(appender.counts.keySet()).as("events at every level were looked at").contains(Level.TRACE, Level.DEBUG,
                Level.INFO);
        assertThat(appender.leaks).as("log events showing a canary").isEmpty();
        for (String body : bodies) {
            for (String canary : CANARIES.values()) {
                assertThat(body).as("a response or message").doesNotContain(canary);
            }
        }
    }

    private static HttpResponse<String> call(List<String> seen, String base, String method, String path, String body,
                                             String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
        seen.add(method + " " + path + " -> " + r.statusCode() + " " + r.headers().map() + " " + r.body());
        return r;
    }
}
