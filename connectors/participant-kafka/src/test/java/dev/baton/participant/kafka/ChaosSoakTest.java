package dev.baton.participant.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.engine.SagaStatus;
import dev.baton.engine.spi.SagaRecord;
import dev.baton.jdbi.JdbiSagaStore;
import dev.baton.kafka.KafkaStartConsumer;
import dev.baton.kafka.common.KafkaOptions;
import dev.baton.kafka.common.internal.Clients;
import dev.baton.testkit.example.OrderSaga;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chaos soak: the broker, the engine and each of the four order-flow services run as separate OS processes
 * ({@link SoakNode}, the dev broker's command line), every one on files that survive SIGKILL. Starts go to the start
 * topic at a fixed rate (business key {@code soak-<i>}, an idempotent producer); every few seconds a random process
 * is killed with SIGKILL and started again on its data, and the next kill waits until the restarted process is ready
 * and a saga has ended since. Then the starts stop, the sagas drain, every process stops, and the engine's database
 * and each service's are read. Prints
 * {@code SOAK minutes= kills= sagas= lost= duplicated= stuck= max_recovery_s=}.
 *
 * <ul>
 *   <li>sagas: starts the broker acknowledged; a start it refused (down) is the caller's to repeat, not counted;</li>
 *   <li>lost: an acknowledged start with no saga, or a saga ended otherwise than its business rules say (payment
 *       declines amounts ending in 3: COMPENSATED; every other COMPLETED), or without an effect its outcome needs;</li>
 *   <li>duplicated: effect rows beyond the first for one saga, step and kind, across the services' tables;</li>
 *   <li>stuck: sagas not ended after the drain;</li>
 *   <li>max_recovery_s: the longest time from a kill until the restarted process was ready and a saga had ended
 *       since.</li>
 * </ul>
 *
 * <p>The engine and the services keep their data in PostgreSQL (a database each on one embedded server, which the
 * soak does not kill), as docs/operations.md advises where no commit may be lost; {@code -Dbaton.soak.engine-db=h2}
 * and {@code -Dbaton.soak.services-db=h2} put them on H2 files instead, which lose their last acknowledged commits on
 * some kills ("Durability" and "Chaos soak" in docs/operations.md).
 *
 * <p>Short by default (40 s of chaos, a kill every 5 s, 10 starts a second): {@code -Dbaton.soak.seconds},
 * {@code -Dbaton.soak.kill-every-s}, {@code -Dbaton.soak.rate}, {@code -Dbaton.soak.seed} for longer runs.
 */
class ChaosSoakTest {
    private static final int SECONDS = Integer.getInteger("baton.soak.seconds", 40);
    private static final int KILL_EVERY_S = Integer.getInteger("baton.soak.kill-every-s", 5);
    private static final int RATE = Integer.getInteger("baton.soak.rate", 10);
    private static final boolean SERVICES_ON_H2 = System.getProperty("baton.soak.services-db", "postgres").equals("h2");
    private static final boolean ENGINE_ON_H2 = System.getProperty("baton.soak.engine-db", "postgres").equals("h2");
    private static final List<String> ROLES = List.of("broker", "engine", OrderSaga.ORDERS.name(),
            OrderSaga.INVENTORY.name(), OrderSaga.PAYMENT.name(), OrderSaga.LOGISTICS.name());

    @Test
    @DisplayName("chaos soak: broker, engine and services SIGKILLed at random and restarted; nothing lost, no effect twice")
    void chaosSoak(@TempDir Path dir) throws Exception {
        long seed = Long.getLong("baton.soak.seed", System.nanoTime());
        System.out.println("SOAK seed=" + seed + " (repeat with -Dbaton.soak.seed=" + seed + ") services on "
                + (SERVICES_ON_H2 ? "H2 files" : "PostgreSQL") + ", engine on " + (ENGINE_ON_H2 ? "an H2 file" : "PostgreSQL"));
        Random random = new Random(seed);
        try (Cluster cluster = new Cluster(dir)) {
            cluster.startAll();
            KafkaOptions options = cluster.options();
            Clients.createTopics(options, List.of(options.startTopic()));
            Set<Integer> acked = ConcurrentHashMap.newKeySet();
            AtomicInteger refused = new AtomicInteger();
            AtomicInteger next = new AtomicInteger();
            ScheduledExecutorService starter = Executors.newSingleThreadScheduledExecutor();
            List<Double> recoveries = new ArrayList<>();
            long begin = System.currentTimeMillis();
            try (KafkaProducer<String, byte[]> producer = Clients.producer(options, "soak-starter")) {
                starter.scheduleAtFixedRate(() -> {
                    int i = next.getAndIncrement();
                    try {
                        producer.send(start(options, i), (meta, e) -> {
                            if (e == null) {
                                acked.add(i);
                            } else {
                                refused.incrementAndGet();
                            }
                        });
                    } catch (RuntimeException e) {
                        refused.incrementAndGet();
                    }
                }, 0, 1000 / RATE, TimeUnit.MILLISECONDS);

                while (System.currentTimeMillis() - begin < SECONDS * 1000L) {
                    Thread.sleep(KILL_EVERY_S * 1000L);
                    recoveries.add(cluster.killAndRestart(ROLES.get(random.nextInt(ROLES.size()))));
                }
                starter.shutdown();
                starter.awaitTermination(30, TimeUnit.SECONDS);
                producer.flush();
            } finally {
                starter.shutdownNow();
            }
            double chaosMinutes = (System.currentTimeMillis() - begin) / 60_000.0;

            int sagas = acked.size();
            try {
                await("the sagas drain").atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500))
                        .until(() -> cluster.engineStatus().map(s -> s[0] >= sagas && s[1] == 0).orElse(false));
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                // what is left counts as stuck
            }
            cluster.stopAll();

            Map<String, Map<String, Long>> effects = OrderServices.effectsBySaga(cluster.serviceDatabases());
            int lost = 0;
            int duplicated = 0;
            int stuck = 0;
            Map<SagaStatus, Integer> statuses = new LinkedHashMap<>();
            Map<String, Integer> reasons = new LinkedHashMap<>(); // of lost and stuck sagas, for the report
            try (JdbiSagaStore store = cluster.openEngineStore()) {
                for (int i : acked) {
                    String key = key(i);
                    Optional<SagaRecord> r = store.inTransaction(tx -> tx.loadByBusinessKey(SoakNode.SAGA.type(), key));
                    if (r.isEmpty()) {
                        lost++;
                        reasons.merge("no saga for an acknowledged start", 1, Integer::sum);
                        System.out.println("SOAK lost " + key + ": acknowledged by the broker, no saga in the engine's"
                                + " database");
                        continue;
                    }
                    SagaStatus status = r.get().status();
                    statuses.merge(status, 1, Integer::sum);
                    Map<String, Long> done = effects.getOrDefault(r.get().id().value(), Map.of());
                    duplicated += (int) done.values().stream().mapToLong(c -> Math.max(0, c - 1)).sum();
                    if (!FaultOutcome.ended(status)) {
                        stuck++;
                        reasons.merge(status + " " + r.get().currentStep() + ": " + shorten(r.get().reason()), 1, Integer::sum);
                        continue;
                    }
                    FaultOutcome.Expected want = FaultOutcome.orderFlow(amount(i) % 10 == 3);
                    if (status != want.status() || want.effects().keySet().stream().anyMatch(k -> done.getOrDefault(k, 0L) == 0)) {
                        lost++;
                        List<String> missing = want.effects().keySet().stream().filter(k -> done.getOrDefault(k, 0L) == 0)
                                .sorted().toList();
                        reasons.merge(status + " " + r.get().currentStep() + ": " + shorten(r.get().reason())
                                + " missing effects " + missing, 1, Integer::sum);
                        if (lost <= 5) {
                            explain(store, r.get().id(), key, missing, dir, cluster.serviceDatabases());
                        }
                    }
                }
            }
            String keep = System.getProperty("baton.soak.keep");
            if (keep != null && (lost > 0 || stuck > 0)) {
                copyTree(dir, Path.of(keep));
                System.out.println("SOAK kept the processes' logs and databases in " + keep);
            }
            double maxRecovery = recoveries.stream().mapToDouble(Double::doubleValue).max().orElse(0);
            System.out.println(String.format(Locale.ROOT, "SOAK minutes=%.1f kills=%d sagas=%d lost=%d duplicated=%d stuck=%d"
                    + " max_recovery_s=%.1f", chaosMinutes, recoveries.size(), sagas, lost, duplicated, stuck, maxRecovery));
            System.out.println("SOAK kills=" + cluster.kills() + " refused_starts=" + refused.get() + " statuses=" + statuses
                    + " recoveries_s=" + recoveries);
            reasons.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(10)
                    .forEach(e -> System.out.println("SOAK not as expected: " + e.getValue() + " x " + e.getKey()));

            assertThat(lost).as("lost").isZero();
            assertThat(duplicated).as("duplicated").isZero();
            assertThat(stuck).as("stuck").isZero();
            assertThat(sagas).as("acknowledged starts").isPositive();
        }
    }

    /** Prints a lost saga's history and every line of every process's log that names it. */
    private static void explain(JdbiSagaStore store, dev.baton.engine.SagaId id, String key, List<String> missing, Path dir,
                                List<Jdbi> services) {
        System.out.println("SOAK lost " + key + " saga=" + id.value() + " missing=" + missing);
        for (Jdbi db : services) {
            db.useHandle(h -> {
                h.createQuery("SELECT participant, message_id, outcome, disposition, handled_at FROM baton_participant_inbox"
                        + " WHERE saga_id = :s").bind("s", id.value()).mapToMap()
                        .forEach(row -> System.out.println("SOAK   inbox " + row));
                h.createQuery("SELECT participant, step, forward_message_id, compensation_state FROM baton_participant_step"
                        + " WHERE saga_id = :s").bind("s", id.value()).mapToMap()
                        .forEach(row -> System.out.println("SOAK   step " + row));
            });
        }
        store.history(id).forEach(h -> System.out.println("SOAK   history " + h.at() + " " + h.kind() + " " + h.step()
                + " " + h.detail()));
        try (var logs = java.nio.file.Files.list(dir)) {
            for (Path log : logs.filter(f -> f.toString().endsWith(".log")).sorted().toList()) {
                try (var lines = java.nio.file.Files.lines(log)) {
                    lines.filter(l -> l.contains(id.value())).forEach(l -> System.out.println("SOAK   " + log.getFileName()
                            + ": " + l));
                }
            }
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            System.out.println("SOAK   logs unreadable: " + e);
        }
    }

    private static void copyTree(Path from, Path to) throws java.io.IOException {
        try (var files = java.nio.file.Files.walk(from)) {
            for (Path f : files.toList()) {
                Path target = to.resolve(from.relativize(f).toString());
                if (java.nio.file.Files.isDirectory(f)) {
                    java.nio.file.Files.createDirectories(target);
                } else {
                    java.nio.file.Files.copy(f, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private static String shorten(String reason) {
        String r = String.valueOf(reason).replaceAll("[0-9a-f]{8}-[0-9a-f-]{27}", "<id>").replaceAll("\\d+", "N");
        return r.length() <= 120 ? r : r.substring(0, 120) + "…";
    }

    static String key(int i) {
        return "soak-" + i;
    }

    static long amount(int i) {
        return 100 + i;
    }

    private static ProducerRecord<String, byte[]> start(KafkaOptions options, int i) {
        String json = "{\"orderId\":\"o-" + i + "\",\"customerId\":\"c-" + i + "\",\"amountCents\":" + amount(i) + "}";
        return new ProducerRecord<>(options.startTopic(), null, key(i), json.getBytes(StandardCharsets.UTF_8),
                Clients.headers(Map.of(KafkaStartConsumer.SAGA_TYPE, SoakNode.SAGA.type())));
    }

    /** The soak's processes, each restartable on its data. */
    private static final class Cluster implements AutoCloseable {
        private final Path dir;
        private final Map<String, ChildProcess> running = new ConcurrentHashMap<>();
        private final Map<String, Integer> kills = new LinkedHashMap<>();
        private final AtomicInteger generation = new AtomicInteger();
        private int brokerPort;
        private dev.baton.jdbi.EmbeddedPostgresServer postgres;

        Cluster(Path dir) {
            this.dir = dir;
        }

        KafkaOptions options() {
            return CrashSaga.options("127.0.0.1:" + brokerPort, "soak.");
        }

        Path engineDir() {
            return dir.resolve("engine");
        }

        /** Where the engine keeps its sagas: a directory for its H2 file, or a PostgreSQL URL. */
        private String engineDatabase() {
            return ENGINE_ON_H2 ? engineDir().toString() : postgres.jdbcUrl("soak_engine");
        }

        JdbiSagaStore openEngineStore() {
            return ENGINE_ON_H2 ? JdbiSagaStore.h2File(engineDir())
                    : JdbiSagaStore.create(postgres.jdbcUrl("soak_engine"), postgres.user(), postgres.password());
        }

        /** The JDBC URL of a service's database. */
        private String serviceUrl(String participant) {
            return SERVICES_ON_H2 ? SoakNode.serviceUrl(dir.resolve("service-" + participant).toString())
                    : postgres.jdbcUrl(databaseName(participant));
        }

        private static String databaseName(String participant) {
            return "soak_" + participant.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        }

        private String dbUser() {
            return SERVICES_ON_H2 ? "sa" : postgres.user();
        }

        private String dbPassword() {
            return SERVICES_ON_H2 ? "" : postgres.password();
        }

        List<Jdbi> serviceDatabases() {
            return ROLES.subList(2, ROLES.size()).stream().map(p -> Jdbi.create(serviceUrl(p), dbUser(), dbPassword()))
                    .toList();
        }

        void startAll() throws Exception {
            if (!SERVICES_ON_H2 || !ENGINE_ON_H2) {
                postgres = dev.baton.jdbi.EmbeddedPostgresServer.builder().dataDirectory(dir.resolve("postgres")).start();
                for (String role : ROLES.subList(1, ROLES.size())) {
                    postgres.createDatabaseIfAbsent(databaseName(role));
                }
            }
            start("broker");
            List<ChildProcess> others = new ArrayList<>();
            for (String role : ROLES.subList(1, ROLES.size())) {
                others.add(launch(role));
            }
            for (ChildProcess p : others) {
                p.awaitLine(l -> l.startsWith("READY "), Duration.ofSeconds(120));
            }
        }

        /** Kills {@code role} with SIGKILL, starts it again, and returns the seconds until it was ready and a saga ended. */
        double killAndRestart(String role) throws Exception {
            long killedAt = running.get(role).kill();
            System.out.println("SOAK kill " + running.get(role).name() + " at " + java.time.Instant.ofEpochMilli(killedAt));
            kills.merge(role, 1, Integer::sum);
            start(role);
            long readyAt = System.currentTimeMillis();
            try {
                await("a saga ends after " + role + " restarted").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100))
                        .until(() -> running.get("engine").find(l -> l.startsWith("ENDED ")
                                && Long.parseLong(l.substring(6).trim()) > readyAt).isPresent());
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                // no progress within 120 s: the recovery figure says so, and the drain's checks will too
            }
            return (System.currentTimeMillis() - killedAt) / 1000.0;
        }

        Map<String, Integer> kills() {
            return kills;
        }

        /** The engine's last {@code STATUS}: {sagas, open}. */
        Optional<long[]> engineStatus() {
            List<String> lines = running.get("engine").lines();
            for (int i = lines.size() - 1; i >= 0; i--) {
                String l = lines.get(i);
                if (l.startsWith("STATUS ")) {
                    String[] parts = l.split(" ");
                    return Optional.of(new long[] {Long.parseLong(parts[1].substring("sagas=".length())),
                            Long.parseLong(parts[2].substring("open=".length()))});
                }
            }
            return Optional.empty();
        }

        private void start(String role) throws Exception {
            ChildProcess p = launch(role);
            p.awaitLine(l -> l.startsWith(role.equals("broker") ? "Kafka broker ready" : "READY "), Duration.ofSeconds(120));
            if (role.equals("broker") && brokerPort == 0) {
                brokerPort = BrokerProcessKillTest.port(p);
            }
        }

        private ChildProcess launch(String role) throws Exception {
            String name = role + "-" + generation.incrementAndGet();
            Path log = dir.resolve(name + ".log");
            ChildProcess p = switch (role) {
                case "broker" -> ChildProcess.start(name, dev.baton.kafka.dev.EmbeddedKafkaBroker.class, log,
                        "--port", Integer.toString(brokerPort), "--dir", dir.resolve("kafka").toString());
                case "engine" -> ChildProcess.start(name, SoakNode.class, log, "engine", options().bootstrapServers(),
                        "soak.", engineDatabase(), postgres == null ? "sa" : postgres.user(),
                        postgres == null ? "" : postgres.password());
                default -> ChildProcess.start(name, SoakNode.class, log, "service", options().bootstrapServers(), "soak.",
                        role, serviceUrl(role), dbUser(), dbPassword());
            };
            running.put(role, p);
            return p;
        }

        /** Stops the engine and the services cleanly (end of stdin), then the broker. */
        void stopAll() throws InterruptedException {
            for (String role : ROLES.subList(1, ROLES.size())) {
                running.get(role).requestStop();
            }
            for (String role : ROLES.subList(1, ROLES.size())) {
                running.get(role).exitCode(Duration.ofSeconds(60));
            }
            running.get("broker").close();
        }

        @Override
        public void close() {
            running.values().forEach(ChildProcess::close);
            if (postgres != null) {
                postgres.close();
            }
        }
    }
}
