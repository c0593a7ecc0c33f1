package dev.baton.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.engine.SagaEngine;
import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.SagaView;
import dev.baton.jdbi.EmbeddedPostgresServer;
import dev.baton.kafka.dev.EmbeddedKafkaBroker;
import dev.baton.kafka.dev.junit.KafkaBrokerExtension;
import dev.baton.participant.CommandHandlers;
import dev.baton.participant.HandlerContext;
import dev.baton.participant.JdbiIdempotencyStore;
import dev.baton.participant.Outcome;
import dev.baton.participant.ParticipantRuntime;
import dev.baton.participant.kafka.KafkaParticipant;
import dev.baton.server.TestSagas.Ask;
import dev.baton.server.TestSagas.Decide;
import dev.baton.server.TestSagas.Finish;
import dev.baton.server.TestSagas.OpsData;
import dev.baton.server.TestSagas.Undo;
import dev.baton.server.ops.Health;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.core.ConditionTimeoutException;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault test: the engine's PostgreSQL stops in the middle of a run and starts again on its data directory and port.
 * A real server (no {@code --dev}) keeps its sagas in an embedded PostgreSQL; the {@code test-ops} participants run in
 * this JVM, each recording its effects in its own H2 database. The database stays down for
 * {@code -Dbaton.fault.engine-db-down-s} seconds (10 by default; the scenario is 30 s). Starts during the
 * outage are refused (the caller is told, nothing is half-started); replies that arrive meanwhile wait in Kafka.
 * {@code /health/ready} turns DOWN with the database check failing while it is down, and UP once it is back; every
 * saga started ends as its business rules say, each effect once.
 */
@ExtendWith(KafkaBrokerExtension.class)
class EngineDatabaseOutageTest {
    private static final int SAGAS = 120;
    private static final int DOWN_SECONDS = Integer.getInteger("baton.fault.engine-db-down-s", 10);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    @DisplayName("the engine's PostgreSQL stops mid-run and starts again: ready DOWN then UP, sagas finish, effects once")
    void engineSurvivesItsDatabaseGoingAway(EmbeddedKafkaBroker broker, @TempDir Path dir) throws Exception {
        Path data = dir.resolve("pg");
        EmbeddedPostgresServer first = startPostgres(data, 0);
        int pgPort = first.port();
        first.createDatabaseIfAbsent("baton");
        AtomicReference<EmbeddedPostgresServer> pg = new AtomicReference<>(first);
        Map<String, String> env = TestServer.env(broker);
        env.put("BATON_DB_URL", first.jdbcUrl("baton"));
        env.put("BATON_DB_USER", first.user());
        env.put("BATON_DB_PASSWORD", first.password());
        ServerConfig config = ServerConfig.load(null, env::get, env, Map.of());
        List<SagaId> ids = new CopyOnWriteArrayList<>();
        AtomicInteger refused = new AtomicInteger();
        ScheduledExecutorService starter = Executors.newSingleThreadScheduledExecutor();
        Participants participants = new Participants();
        try (BatonServer server = BatonServer.start(config, List.of(TestSagas.OPS))) {
            participants.start(BatonServer.kafkaOptions(config));
            String ready = "http://127.0.0.1:" + server.port() + "/health/ready";
            SagaEngine engine = server.engine();
            await("ready").atMost(Duration.ofSeconds(30)).until(() -> status(ready) == 200);

            // one start every 40 ms, about 5 s of them before the outage; starts refused while it lasts are not retried
            AtomicInteger n = new AtomicInteger();
            starter.scheduleAtFixedRate(() -> {
                int i = n.getAndIncrement();
                if (i < SAGAS) {
                    try {
                        ids.add(engine.start(TestSagas.OPS, new OpsData(i % 10 == 3 ? "decline" : "ok", i)).id());
                    } catch (RuntimeException e) {
                        refused.incrementAndGet();
                    }
                }
            }, 0, 40, TimeUnit.MILLISECONDS);
            await("40 sagas started and 10 ended").atMost(Duration.ofSeconds(60))
                    .until(() -> ids.size() >= 40 && ids.stream().filter(id -> ended(engine, id)).count() >= 10);

            pg.getAndSet(null).close();
            Instant down = Instant.now();
            await("ready turns DOWN, the database check failing").atMost(Duration.ofSeconds(DOWN_SECONDS))
                    .pollInterval(Duration.ofMillis(100)).until(() -> databaseDown(ready));
            double downAfter = seconds(down);
            await("the outage lasts " + DOWN_SECONDS + " s").pollInterval(Duration.ofMillis(500))
                    .atMost(Duration.ofSeconds(DOWN_SECONDS + 15))
                    .until(() -> Duration.between(down, Instant.now()).toSeconds() >= DOWN_SECONDS);
            assertThat(status(ready)).as("ready while the database is still down").isEqualTo(503);

            Instant restart = Instant.now();
            pg.set(startPostgres(data, pgPort));
            await("ready UP again").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(() -> status(ready) == 200);
            double upAfter = seconds(restart);
            await("every start tried").atMost(Duration.ofSeconds(30)).until(() -> n.get() >= SAGAS);
            try {
                await("every saga ends").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                        .until(() -> ids.stream().allMatch(id -> ended(engine, id)));
            } catch (ConditionTimeoutException e) {
                // counted as stuck below
            }
            double recovery = seconds(restart);

            Map<SagaStatus, Integer> statuses = new EnumMap<>(SagaStatus.class);
            Map<String, Map<String, Long>> effects = participants.effectsBySaga();
            int lost = 0;
            int duplicated = 0;
            int stuck = 0;
            for (SagaId id : ids) {
                SagaView v = engine.find(id).orElseThrow();
                statuses.merge(v.status(), 1, Integer::sum);
                Map<String, Long> done = effects.getOrDefault(id.value(), Map.of());
                duplicated += (int) done.values().stream().mapToLong(c -> Math.max(0, c - 1)).sum();
                boolean declined = v.data(OpsData.class).mode().equals("decline");
                Map<String, Long> want = declined ? Map.of("ask/COMMAND", 1L, "ask/COMPENSATION", 1L)
                        : Map.of("ask/COMMAND", 1L, "decide/COMMAND", 1L, "finish/COMMAND", 1L);
                if (!ended(v.status())) {
                    stuck++;
                } else if (v.status() != (declined ? SagaStatus.COMPENSATED : SagaStatus.COMPLETED) || !done.equals(want)) {
                    lost++;
                }
            }
            System.out.println(String.format(Locale.ROOT, "FAULT name=engine-database-down sagas=%d lost=%d"
                    + " duplicated_effects=%d stuck=%d recovery_s=%.1f", ids.size(), lost, duplicated, stuck, recovery));
            System.out.println(String.format(Locale.ROOT, "FAULT name=engine-database-down down_s=%d refused_starts=%d"
                    + " ready_down_after_s=%.1f ready_up_after_s=%.1f statuses=%s", DOWN_SECONDS, refused.get(), downAfter,
                    upAfter, statuses));

            assertThat(lost).as("lost").isZero();
            assertThat(duplicated).as("duplicated effects").isZero();
            assertThat(stuck).as("stuck").isZero();
            assertThat(statuses).doesNotContainKey(SagaStatus.FAILED);
        } finally {
            starter.shutdownNow();
            participants.close();
            EmbeddedPostgresServer last = pg.get();
            if (last != null) {
                last.close();
            }
        }
    }

    private static EmbeddedPostgresServer startPostgres(Path data, int port) {
        // fsync off: this test is about the server going away, not about power cuts; a clean stop writes everything
        return EmbeddedPostgresServer.builder().dataDirectory(data).cleanDataDirectory(false).port(port).throwAway().start();
    }

    private static boolean databaseDown(String ready) {
        HttpResponse<String> r = get(ready);
        if (r.statusCode() != 503) {
            return false;
        }
        JsonNode db = TestServer.json(r).get("checks").get("database");
        return db.get("status").asText().equals("DOWN");
    }

    private static int status(String url) {
        return get(url).statusCode();
    }

    private static HttpResponse<String> get(String url) {
        try {
            // a probe's checks take at most about one check timeout
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Health.TIMEOUT.multipliedBy(5)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static double seconds(Instant since) {
        return Duration.between(since, Instant.now()).toMillis() / 1000.0;
    }

    private static boolean ended(SagaEngine engine, SagaId id) {
        return engine.find(id).map(v -> ended(v.status())).orElse(false);
    }

    private static boolean ended(SagaStatus s) {
        return s == SagaStatus.COMPLETED || s == SagaStatus.COMPENSATED || s == SagaStatus.FAILED;
    }

    /** The participants of {@code test-ops}, each recording its effects in its own H2 database. */
    private static final class Participants implements AutoCloseable {
        private final List<AutoCloseable> running = new ArrayList<>();
        private final Map<String, Jdbi> databases = new HashMap<>();

        void start(dev.baton.kafka.common.KafkaOptions options) {
            add(options, CommandHandlers.forParticipant(TestSagas.ASK)
                    .on(Ask.class, (c, ctx) -> effect(ctx))
                    .on(Undo.class, (c, ctx) -> effect(ctx)).build());
            add(options, CommandHandlers.forParticipant(TestSagas.DECIDE)
                    .on(Decide.class, (c, ctx) -> "decline".equals(c.mode()) ? Outcome.failure("declined") : effect(ctx))
                    .build());
            add(options, CommandHandlers.forParticipant(TestSagas.FINISH)
                    .on(Finish.class, (c, ctx) -> effect(ctx)).build());
        }

        private void add(dev.baton.kafka.common.KafkaOptions options, CommandHandlers handlers) {
            JdbiIdempotencyStore store = JdbiIdempotencyStore.h2InMemory(handlers.participant() + "-" + UUID.randomUUID());
            store.jdbi().useHandle(h -> h.execute("CREATE TABLE effect (saga_id VARCHAR(64), step VARCHAR(100), kind VARCHAR(20))"));
            running.add(store);
            databases.put(handlers.participant(), store.jdbi());
            running.add(KafkaParticipant.create(options, ParticipantRuntime.builder().handlers(handlers).store(store).build())
                    .start());
        }

        private static Outcome effect(HandlerContext ctx) {
            ctx.handle().createUpdate("INSERT INTO effect (saga_id, step, kind) VALUES (:s, :st, :k)")
                    .bind("s", ctx.sagaId()).bind("st", ctx.step()).bind("k", ctx.kind().name()).execute();
            return Outcome.success();
        }

        /** Saga id → "step/KIND" → count, across the services. */
        Map<String, Map<String, Long>> effectsBySaga() {
            Map<String, Map<String, Long>> all = new HashMap<>();
            for (Jdbi db : databases.values()) {
                db.useHandle(h -> h.createQuery("SELECT saga_id, step, kind, COUNT(*) FROM effect GROUP BY saga_id, step, kind")
                        .map((rs, ctx) -> {
                            all.computeIfAbsent(rs.getString(1), k -> new TreeMap<>())
                                    .merge(rs.getString(2) + "/" + rs.getString(3), rs.getLong(4), Long::sum);
                            return 1;
                        }).list());
            }
            return all;
        }

        @Override
        public void close() {
            for (int i = running.size() - 1; i >= 0; i--) {
                try {
                    running.get(i).close();
                } catch (Exception e) {
                    throw new IllegalStateException("closing a test participant failed", e);
                }
            }
        }
    }
}
