package dev.baton.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.kafka.dev.EmbeddedKafkaBroker;
import dev.baton.kafka.dev.junit.KafkaBrokerExtension;
import dev.baton.server.dev.DemoSagas;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The server with the stock settings and {@code --dev}'s demo saga and participants, under a plain HTTP load test as a
 * new user would run one: {@value #CLIENTS} clients for {@code baton.devload.seconds} (15 by default), about 40 % of
 * requests starting demo orders, the rest reading, and a few starts with data the saga refuses. Every valid order
 * completes (those over the demo card limit compensate, declined), none FAILED, no breaker opens; the invalid starts
 * are answered 400 and change nothing for the others. Prints one {@code devload:} line.
 */
@ExtendWith(KafkaBrokerExtension.class)
class DevLoadTest {
    static final int CLIENTS = 30;
    static final int SECONDS = Integer.getInteger("baton.devload.seconds", 15);
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    @DisplayName("a load test of the dev server's demo completes every valid order; bad data is a 400, not a closed door")
    void everyValidOrderCompletes(EmbeddedKafkaBroker broker) throws Exception {
        Map<String, String> env = TestServer.env(broker);
        env.remove("BATON_BREAKER_DEFAULT_MINIMUM_CALLS"); // the stock breakers, as a new user has them
        ServerConfig config = ServerConfig.load(null, env::get, env, Map.of());
        try (BatonServer server = BatonServer.start(config, List.of(DemoSagas.DEMO_ORDER))) {
            AutoCloseable participants = DemoSagas.startParticipants(BatonServer.kafkaOptions(config));
            try {
            String base = "http://127.0.0.1:" + server.port();
            Map<String, Boolean> started = new ConcurrentHashMap<>(); // id -> declined (over the card limit)
            LongAdder requests = new LongAdder();
            LongAdder refused = new LongAdder();
            LongAdder unexpected = new LongAdder();
            AtomicInteger orders = new AtomicInteger();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
            long t0 = System.nanoTime();
            try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int c = 0; c < CLIENTS; c++) {
                    clients.submit(() -> {
                        while (System.nanoTime() < end) {
                            ThreadLocalRandom r = ThreadLocalRandom.current();
                            double roll = r.nextDouble();
                            requests.increment();
                            if (roll < 0.01) {
                                // the demo saga refuses an order without id and amount: 400, nothing stored
                                HttpResponse<String> res = post(base, "{\"type\":\"demo-order\",\"data\":{}}");
                                (res.statusCode() == 400 ? refused : unexpected).increment();
                            } else if (roll < 0.4) {
                                int i = orders.incrementAndGet();
                                boolean declined = i % 50 == 0;
                                long amount = declined ? 250_000 : 1_000 + i; // every 7th amount is busy once
                                HttpResponse<String> res = post(base, "{\"type\":\"demo-order\",\"data\":{\"orderId\":\"o-"
                                        + i + "\",\"amountCents\":" + amount + "}}");
                                if (res.statusCode() == 201) {
                                    started.put(TestServer.json(res).get("id").asText(), declined);
                                } else {
                                    unexpected.increment();
                                }
                            } else {
                                String path = roll < 0.7 ? "/api/sagas?limit=20" : "/api/stats";
                                if (get(base, path).statusCode() != 200) {
                                    unexpected.increment();
                                }
                            }
                        }
                        return null;
                    });
                }
            }
            double loadSeconds = (System.nanoTime() - t0) / 1e9;
            await("every demo order ends").atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> {
                        JsonNode byStatus = TestServer.json(get(base, "/api/stats")).get("byStatus");
                        long ended = byStatus.path("COMPLETED").asLong() + byStatus.path("COMPENSATED").asLong()
                                + byStatus.path("FAILED").asLong();
                        return ended >= started.size();
                    });
            double drainSeconds = (System.nanoTime() - t0) / 1e9 - loadSeconds;
            Map<String, Long> outcome = new ConcurrentHashMap<>();
            started.forEach((id, declined) -> {
                String status = TestServer.json(get(base, "/api/sagas/" + id)).get("status").asText();
                outcome.merge((declined ? "declined-" : "valid-") + status, 1L, Long::sum);
            });
            JsonNode stats = TestServer.json(get(base, "/api/stats"));
            long notPermitted = 0;
            for (JsonNode b : stats.path("breakers")) {
                notPermitted += b.path("notPermittedCalls").asLong();
            }
            System.out.printf("devload: clients=%d seconds=%.0f requests=%d (%.0f/s) orders=%d refused=%d outcomes=%s"
                            + " drain_s=%.1f breaker_not_permitted=%d%n", CLIENTS, loadSeconds, requests.sum(),
                    requests.sum() / loadSeconds, started.size(), refused.sum(), outcome, drainSeconds, notPermitted);

            long declined = started.values().stream().filter(d -> d).count();
            assertThat(unexpected.sum()).as("requests answered other than expected").isZero();
            assertThat(refused.sum()).as("invalid starts answered 400").isPositive();
            assertThat(outcome.getOrDefault("valid-COMPLETED", 0L)).as("valid orders completed: %s", outcome)
                    .isEqualTo(started.size() - declined);
            assertThat(outcome.getOrDefault("declined-COMPENSATED", 0L)).as("declined orders compensated: %s", outcome)
                    .isEqualTo(declined);
            assertThat(stats.path("byStatus").path("FAILED").asLong()).isZero();
            assertThat(notPermitted).as("commands a breaker held back").isZero();
            } finally {
                participants.close();
            }
        }
    }

    private static HttpResponse<String> post(String base, String json) {
        return send(HttpRequest.newBuilder(URI.create(base + "/api/sagas")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    private static HttpResponse<String> get(String base, String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    private static HttpResponse<String> send(HttpRequest.Builder b) {
        try {
            return HTTP.send(b.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
