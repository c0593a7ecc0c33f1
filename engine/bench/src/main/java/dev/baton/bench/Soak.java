package dev.baton.bench;

import dev.baton.engine.SagaEngine;
import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.spi.SagaListener;
import dev.baton.jackson.JacksonCodec;
import dev.baton.jdbi.JdbiSagaStore;
import dev.baton.jdbi.JdbiStoreOptions;
import dev.baton.kafka.KafkaTransport;
import dev.baton.kafka.common.KafkaOptions;
import dev.baton.kafka.dev.EmbeddedKafkaBroker;
import dev.baton.participant.CommandHandlers;
import dev.baton.participant.JdbiIdempotencyStore;
import dev.baton.participant.Outcome;
import dev.baton.participant.ParticipantRuntime;
import dev.baton.participant.kafka.KafkaParticipant;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.jdbi.v3.core.Jdbi;

/**
 * A soak of the housekeeping: the four-step order saga ({@link KafkaSagaBenchmark#SAGA}) started at a steady rate, on
 * the embedded default store (an H2 file) with the Kafka transport, four participant services (idempotency records in
 * memory) and a Kafka broker in this JVM, with a short retention of ended sagas, inbox ids and participant records.
 * Every report interval it prints every table's row count and the H2 file's size; with a working housekeeping they
 * stay flat once the first sagas are older than the retention. One saga in ten is compensated.
 */
public final class Soak {

    /** The settings: how long, how fast, what retention, how often to report, and whether H2 is compacted. */
    public record Settings(Duration duration, int sagasPerSecond, Duration retention, Duration reportEvery,
                           boolean h2Compaction, String h2Settings, Path dir) {}

    /** One report: seconds since the start, sagas started and ended so far, rows per table, the H2 file's bytes. */
    public record Sample(long seconds, long started, long ended, Map<String, Long> rows, long h2Bytes) {
        String line() {
            StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "SOAK t=%ds started=%d ended=%d", seconds,
                    started, ended));
            rows.forEach((t, n) -> b.append(' ').append(t).append('=').append(n));
            return b.append(String.format(Locale.ROOT, " h2_mb=%.1f", h2Bytes / 1048576.0)).toString();
        }
    }

    /** The engine's tables, reported in this order. */
    static final List<String> ENGINE_TABLES = List.of("baton_saga", "baton_history", "baton_history_fold", "baton_outbox",
            "baton_inbox", "baton_timer", "baton_flow");
    /** The participant services' tables, summed over the four services. */
    static final List<String> PARTICIPANT_TABLES = List.of("baton_participant_inbox", "baton_participant_step");

    private Soak() {}

    /** Runs the soak, printing a line per report to {@code out}; returns the reports. */
    public static List<Sample> run(Settings s, PrintWriter out) throws Exception {
        Path dir = s.dir() != null ? Files.createDirectories(s.dir()) : Files.createTempDirectory("baton-soak");
        try {
            return run(s, dir, out);
        } finally {
            if (s.dir() == null) {
                delete(dir);
            }
        }
    }

    private static List<Sample> run(Settings s, Path dir, PrintWriter out) throws Exception {
        List<Sample> samples = new ArrayList<>();
        AtomicLong started = new AtomicLong();
        AtomicLong ended = new AtomicLong();
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().build().start()) {
            KafkaOptions options = KafkaOptions.defaults(broker.bootstrapServers()).withTopicPrefix("soak.")
                    .withEngineGroupId("soak-engine").withLingerMs(0);
            List<AutoCloseable> services = new ArrayList<>();
            List<JdbiIdempotencyStore> records = new ArrayList<>();
            JdbiStoreOptions h2 = JdbiStoreOptions.h2File(dir.resolve("engine"));
            JdbiStoreOptions storeOptions = JdbiStoreOptions.of(BenchSettings.withH2Settings(h2.jdbcUrl(), s.h2Settings()), h2.username(), h2.password())
                    .withH2Compaction(s.h2Compaction());
            ScheduledExecutorService driver = Executors.newScheduledThreadPool(2, Thread.ofPlatform().daemon()
                    .name("soak-", 0).factory());
            try {
                for (CommandHandlers h : handlers()) {
                    JdbiIdempotencyStore store = JdbiIdempotencyStore.h2InMemory("soak-" + h.participant() + "-"
                            + UUID.randomUUID()).retainFor(s.retention());
                    records.add(store);
                    services.add(store);
                    services.add(KafkaParticipant.create(options, ParticipantRuntime.builder().handlers(h).store(store)
                            .build()).start());
                }
                SagaListener counting = new SagaListener() {
                    @Override
                    public void onEnded(SagaId id, String sagaType, SagaStatus outcome, Duration took) {
                        ended.incrementAndGet();
                    }
                };
                try (SagaEngine engine = SagaEngine.builder()
                        .store(JdbiSagaStore.create(storeOptions))
                        .transport(KafkaTransport.create(options, counting))
                        .codec(new JacksonCodec())
                        .register(KafkaSagaBenchmark.SAGA)
                        .endedRetention(s.retention())
                        .inboxRetention(s.retention())
                        .listener(counting)
                        .build()) {
                    engine.open();
                    Jdbi tables = Jdbi.create(storeOptions.jdbcUrl(), storeOptions.username(), storeOptions.password());
                    Path file = dir.resolve("engine").resolve("baton.mv.db");
                    long t0 = System.nanoTime();
                    long tick = 100;
                    double perTick = s.sagasPerSecond() * tick / 1000.0;
                    double[] owed = {0};
                    driver.scheduleAtFixedRate(() -> {
                        owed[0] += perTick;
                        while (owed[0] >= 1) {
                            owed[0] -= 1;
                            long k = started.incrementAndGet();
                            engine.start(KafkaSagaBenchmark.SAGA, new KafkaSagaBenchmark.Data("o-" + k, 1000 + k, null));
                        }
                    }, 0, tick, TimeUnit.MILLISECONDS);
                    long reports = s.duration().toMillis() / s.reportEvery().toMillis();
                    for (long r = 1; r <= reports; r++) {
                        long due = t0 + s.reportEvery().toNanos() * r;
                        TimeUnit.NANOSECONDS.sleep(Math.max(0, due - System.nanoTime()));
                        Sample sample = new Sample(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0), started.get(),
                                ended.get(), rows(tables, records), Files.size(file));
                        samples.add(sample);
                        out.println(sample.line());
                    }
                    driver.shutdownNow();
                    driver.awaitTermination(10, TimeUnit.SECONDS);
                }
            } finally {
                driver.shutdownNow();
                for (int i = services.size() - 1; i >= 0; i--) {
                    services.get(i).close();
                }
            }
        }
        return samples;
    }

    private static Map<String, Long> rows(Jdbi engine, List<JdbiIdempotencyStore> participants) {
        Map<String, Long> rows = new LinkedHashMap<>();
        engine.useHandle(h -> {
            for (String t : ENGINE_TABLES) {
                rows.put(t, h.createQuery("SELECT COUNT(*) FROM " + t).mapTo(Long.class).one());
            }
        });
        for (String t : PARTICIPANT_TABLES) {
            long n = 0;
            for (JdbiIdempotencyStore p : participants) {
                n += p.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM " + t).mapTo(Long.class).one());
            }
            rows.put(t, n);
        }
        return rows;
    }

    /** The benchmark's participants without business writes: the records are what the soak watches. */
    private static List<CommandHandlers> handlers() {
        return List.of(
                CommandHandlers.forParticipant(KafkaSagaBenchmark.ORDERS.name())
                        .on(KafkaSagaBenchmark.CreateOrder.class, c -> Outcome.success())
                        .on(KafkaSagaBenchmark.CancelOrder.class, c -> Outcome.success())
                        .build(),
                CommandHandlers.forParticipant(KafkaSagaBenchmark.INVENTORY.name())
                        .on(KafkaSagaBenchmark.ReserveItems.class,
                                c -> Outcome.success(new KafkaSagaBenchmark.ItemsReserved("r-" + c.orderId())))
                        .on(KafkaSagaBenchmark.ReleaseItems.class, c -> Outcome.success())
                        .build(),
                CommandHandlers.forParticipant(KafkaSagaBenchmark.PAYMENT.name())
                        .on(KafkaSagaBenchmark.AuthorizePayment.class, c -> c.amountCents() % 10 == 3
                                ? Outcome.failure("card declined") : Outcome.success())
                        .build(),
                CommandHandlers.forParticipant(KafkaSagaBenchmark.LOGISTICS.name())
                        .on(KafkaSagaBenchmark.ScheduleShipment.class, c -> Outcome.success())
                        .build());
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
