package dev.baton.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.jdbi.PostgresDatabase;
import dev.baton.kafka.dev.EmbeddedKafkaBroker;
import dev.baton.server.api.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * A real server on a free port over the shared in-JVM broker and a private in-memory H2 database (or a PostgreSQL
 * database, see {@link OnPostgres}), with the test participants running, and a real HTTP client to call it.
 */
public final class TestServer implements AutoCloseable {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    final BatonServer server;
    final AutoCloseable participants;
    final String base;
    /** The PostgreSQL database holding the store, or null when it is H2. */
    final PostgresDatabase postgres;

    private TestServer(BatonServer server, AutoCloseable participants, PostgresDatabase postgres) {
        this.server = server;
        this.participants = participants;
        this.postgres = postgres;
        this.base = "http://127.0.0.1:" + server.port();
    }

    /** The environment of a test server: port 0, its own database, topic prefix and consumer group. */
    static Map<String, String> env(EmbeddedKafkaBroker broker) {
        String run = UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> env = new HashMap<>();
        env.put("BATON_HTTP_PORT", "0");
        env.put("BATON_HTTP_HOST", "127.0.0.1");
        env.put("BATON_DB_URL", "jdbc:h2:mem:server-" + run);
        env.put("BATON_DB_POOL_SIZE", "4");
        env.put("BATON_KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers());
        env.put("BATON_KAFKA_TOPIC_PREFIX", "t" + run + ".");
        env.put("BATON_KAFKA_PARTITIONS", "1");
        env.put("BATON_KAFKA_GROUP_ID", "engine-" + run);
        // the shared server's tests park sagas on purpose: its breakers must not open and change other tests' sagas
        // (BreakerServerTest starts its own server with tight thresholds)
        env.put("BATON_BREAKER_DEFAULT_MINIMUM_CALLS", "1000");
        return env;
    }

    /** A server started by the caller, with the participants the caller started (closed with it). */
    static TestServer of(BatonServer server, AutoCloseable participants) {
        return new TestServer(server, participants, null);
    }

    /** Starts a server with {@link #env} plus {@code extra}, and the test participants. */
    static TestServer start(EmbeddedKafkaBroker broker, Map<String, String> extra) throws Exception {
        return start(broker, extra, null);
    }

    /** As {@link #start(EmbeddedKafkaBroker, Map)}, on {@code postgres} when {@code extra} points the store at it. */
    static TestServer start(EmbeddedKafkaBroker broker, Map<String, String> extra, PostgresDatabase postgres) throws Exception {
        Map<String, String> env = env(broker);
        env.putAll(extra);
        return start(env, postgres);
    }

    /** Starts a server with exactly the environment {@code env} (see {@link #env}), and the test participants. */
    static TestServer start(Map<String, String> env, PostgresDatabase postgres) throws Exception {
        return start(env, postgres, BatonServer.discoverDefinitions(""));
    }

    /** As {@link #start(Map, PostgresDatabase)}, registering exactly {@code definitions}. */
    static TestServer start(Map<String, String> env, PostgresDatabase postgres,
                            java.util.List<dev.baton.dsl.SagaDefinition<?>> definitions) throws Exception {
        ServerConfig config = ServerConfig.load(null, env::get, env, Map.of());
        BatonServer server = BatonServer.start(config, definitions);
        try {
            return new TestServer(server, TestSagas.startParticipants(BatonServer.kafkaOptions(config)), postgres);
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

    // ------------------------------------------------------------------ HTTP

    HttpResponse<String> get(String path, String... headers) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET(), headers);
    }

    HttpResponse<String> post(String path, String json, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .POST(HttpRequest.BodyPublishers.ofString(json));
        boolean typed = false;
        for (int i = 0; i < headers.length; i += 2) {
            typed |= headers[i].equalsIgnoreCase("Content-Type");
        }
        if (!typed) {
            b.header("Content-Type", "application/json");
        }
        return send(b, headers);
    }

    HttpResponse<String> send(HttpRequest.Builder b, String... headers) {
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
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

    /** Starts a saga through the API and returns its id. */
    String start(String type, String dataJson, String businessKey) {
        HttpResponse<String> r = post("/api/sagas", "{\"type\":\"" + type + "\",\"data\":" + dataJson
                + (businessKey == null ? "" : ",\"businessKey\":\"" + businessKey + "\"") + "}");
        if (r.statusCode() != 201) {
            throw new AssertionError("start failed: " + r.statusCode() + " " + r.body());
        }
        return json(r).get("id").asText();
    }

    /** The saga's status as the API reports it. */
    String status(String id) {
        return json(get("/api/sagas/" + id)).get("status").asText();
    }

    /** How many sagas the store holds. */
    long sagaCount() {
        return server.store().counts().stream().mapToLong(c -> c.count()).sum();
    }
}
