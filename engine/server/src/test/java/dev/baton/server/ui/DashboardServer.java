package dev.baton.server.ui;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.kafka.common.KafkaOptions;
import dev.baton.kafka.dev.EmbeddedKafkaBroker;
import dev.baton.server.BatonServer;
import dev.baton.server.ServerConfig;
import dev.baton.server.api.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A real server for the dashboard's tests: a free port, the shared broker, a private in-memory H2 database, an API
 * token, the {@link UiSagas} and their participants; and an HTTP client for the REST API.
 */
final class DashboardServer implements AutoCloseable {
    static final String TOKEN = "ui-test-token-" + UUID.randomUUID();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    final BatonServer server;
    final String base;
    private final AutoCloseable participants;

    private DashboardServer(BatonServer server, AutoCloseable participants) {
        this.server = server;
        this.participants = participants;
        this.base = "http://127.0.0.1:" + server.port();
    }

    static DashboardServer start(EmbeddedKafkaBroker broker) throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> env = new HashMap<>();
        env.put("BATON_HTTP_PORT", "0");
        env.put("BATON_HTTP_HOST", "127.0.0.1");
        env.put("BATON_DB_URL", "jdbc:h2:mem:ui-" + run);
        env.put("BATON_DB_POOL_SIZE", "4");
        env.put("BATON_KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers());
        env.put("BATON_KAFKA_TOPIC_PREFIX", "ui" + run + ".");
        env.put("BATON_KAFKA_PARTITIONS", "1");
        env.put("BATON_KAFKA_GROUP_ID", "engine-ui-" + run);
        // the payment service answers busy on purpose: its breaker must not open and hold the commands back
        env.put("BATON_BREAKER_DEFAULT_MINIMUM_CALLS", "1000");
        // no flow control: a parked order waits for its timer (an hour, see UiSagas) and the operator, nothing else
        env.put("BATON_FLOW_ENABLED", "false");
        env.put("BATON_API_TOKEN", TOKEN);
        // the order's amount stands for a field an operator must not read: the pages show it as [redacted]
        env.put("BATON_API_REDACT_FIELDS", "amountCents");
        ServerConfig config = ServerConfig.load(null, env::get, env, Map.of());
        BatonServer server = BatonServer.start(config, List.of(UiSagas.ORDER, UiSagas.BULK_ORDER));
        try {
            KafkaOptions options = KafkaOptions.defaults(broker.bootstrapServers()).withTopicPrefix("ui" + run + ".")
                    .withPartitions(1);
            return new DashboardServer(server, UiSagas.startParticipants(options));
        } catch (Exception | Error e) {
            server.close();
            throw e;
        }
    }

    @Override
    public void close() {
        server.close();
        try {
            participants.close();
        } catch (Exception e) {
            throw new IllegalStateException("closing the test participants failed", e);
        }
    }

    HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    /** A POST with the API token. */
    HttpResponse<String> post(String path, String json) {
        return post(path, json, true);
    }

    HttpResponse<String> post(String path, String json, boolean withToken) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .POST(HttpRequest.BodyPublishers.ofString(json)).header("Content-Type", "application/json");
        if (withToken) {
            b.header("Authorization", "Bearer " + TOKEN);
        }
        return send(b);
    }

    private static HttpResponse<String> send(HttpRequest.Builder b) {
        try {
            return CLIENT.send(b.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static JsonNode json(HttpResponse<String> r) {
        try {
            return Json.MAPPER.readTree(r.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON (" + r.statusCode() + "): " + r.body(), e);
        }
    }

    /** Starts an order of {@code type} through the API; returns the saga's id. */
    String startOrder(String type, String orderId) {
        HttpResponse<String> r = post("/api/sagas", "{\"type\":\"" + type + "\",\"data\":{\"orderId\":\"" + orderId
                + "\",\"amountCents\":1200},\"businessKey\":\"" + orderId + "\"}");
        if (r.statusCode() != 201) {
            throw new AssertionError("start failed: " + r.statusCode() + " " + r.body());
        }
        return json(r).get("id").asText();
    }

    JsonNode saga(String id) {
        return json(get("/api/sagas/" + id));
    }

    String status(String id) {
        return saga(id).get("status").asText();
    }
}
