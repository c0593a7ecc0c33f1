package dev.baton.bench;

import dev.baton.dsl.Park;
import dev.baton.dsl.Participant;
import dev.baton.dsl.Retry;
import dev.baton.dsl.Saga;
import dev.baton.dsl.SagaDefinition;
import dev.baton.engine.SagaEngine;
import dev.baton.engine.SagaId;
import dev.baton.engine.spi.SagaStore;
import dev.baton.jackson.JacksonCodec;
import dev.baton.jdbi.JdbiSagaStore;
import dev.baton.jdbi.JdbiStoreOptions;
import dev.baton.kafka.common.KafkaOptions;
import dev.baton.participant.kafka.KafkaParticipant;
import dev.baton.kafka.KafkaTransport;
import dev.baton.kafka.dev.EmbeddedKafkaBroker;
import dev.baton.participant.CommandHandlers;
import dev.baton.participant.HandlerContext;
import dev.baton.participant.JdbiIdempotencyStore;
import dev.baton.participant.Outcome;
import dev.baton.participant.ParticipantRuntime;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * The four-step order saga end to end, closed loop: the engine on the embedded default store (an H2 file, every
 * commit written to the file; {@code --h2-settings ";WRITE_DELAY=500"} for the store's group commit) or on PostgreSQL ({@code --postgres}), with the Kafka transport, four participant
 * services (the SDK's runtime and idempotency records on H2, bound with {@link KafkaParticipant}), and a real Kafka
 * broker, all in this JVM. With {@code --nodes N} (PostgreSQL only) N engines run in this JVM, each with its own
 * connection pool, Kafka clients and timer and outbox threads, sharing the database and the reply consumer group, as
 * N engine processes would; sagas are started on them in turn. At most
 * {@code --inflight} sagas run at once; a new one starts as soon as one ends (closed loop), or, with {@code --rate R},
 * R sagas start per second on a fixed schedule whatever the engine does (open loop; latency then counts from each
 * saga's scheduled start). One saga in ten has its payment declined and is compensated (two compensations).
 *
 * <p>After {@code --warmup} seconds (the JIT needs ~30 s on two cores), it measures for {@code --duration} seconds:
 * sagas that ended in that window per second, their latency from the call to {@code start} to the terminal state as
 * seen by {@link SagaListener#onEnded}, and the outcomes. It then stops starting sagas and checks that every saga it
 * started ended exactly once.
 *
 * <pre>
 * java -cp engine/bench/target/baton-bench.jar dev.baton.bench.KafkaSagaBenchmark [--help] [--inflight 100] [--warmup 30]
 *     [--duration 30] [--partitions 3] [--participant-db file|mem] [--dir DIR]
 *     [--postgres [jdbc:postgresql://host/db] [--postgres-user U] [--postgres-password P]] [--nodes N]
 *     [--reply-consumers K] [--starters N] [--linger-ms MS] [--h2-settings ;K=V] [--tracing off|on[,...]] [--settle S]
 *     [--rate R]
 * </pre>
 *
 * {@code --tracing off,on,off,on} measures tracing's cost in one run: after a shared warm-up in both modes, each phase
 * builds the engine and the services again with its {@link BenchTracing} (the engine and the SDK take their no-op path
 * only for {@code OpenTelemetry.noop()} itself, so a phase cannot switch tracing on a running engine), runs
 * {@code --settle} seconds and measures {@code --duration} seconds, in this JVM, on this broker and engine database.
 *
 * {@code --reply-consumers K} runs K reply consumers per engine node ({@code KafkaOptions.withReplyConsumers}); give
 * the topics at least {@code nodes × K} partitions.
 *
 * {@code --postgres} alone starts an embedded PostgreSQL 14 with {@code fsync} and {@code synchronous_commit} on;
 * with a URL it creates a fresh database {@value BenchPostgres#DATABASE} on that server (the user needs CREATEDB).
 *
 * Not a JMH benchmark: JMH's harness does not fit a closed loop over background threads.
 */
public final class KafkaSagaBenchmark {
    public record Data(String orderId, long amountCents, String reservationId) {}
    public record CreateOrder(String orderId) {}
    public record CancelOrder(String orderId) {}
    public record ReserveItems(String orderId) {}
    public record ReleaseItems(String orderId, String reservationId) {}
    public record ItemsReserved(String reservationId) {}
    public record AuthorizePayment(String orderId, long amountCents) {}
    public record ScheduleShipment(String orderId) {}

    static final Participant<Object> ORDERS = Participant.named("order", Object.class);
    static final Participant<Object> INVENTORY = Participant.named("inventory", Object.class);
    static final Participant<Object> PAYMENT = Participant.named("payment", Object.class);
    static final Participant<Object> LOGISTICS = Participant.named("logistics", Object.class);

    /** The order saga with the DSL's default 30 s timeouts. */
    static final SagaDefinition<Data> SAGA = Saga.define("order-flow-bench", Data.class)
            .step("create-order")
                .invoke(ORDERS, d -> new CreateOrder(d.orderId()))
                .compensate(ORDERS, d -> new CancelOrder(d.orderId()))
            .step("reserve-inventory")
                .invoke(INVENTORY, d -> new ReserveItems(d.orderId()))
                .onReply(ItemsReserved.class, (d, r) -> new Data(d.orderId(), d.amountCents(), r.reservationId()))
                .compensate(INVENTORY, d -> new ReleaseItems(d.orderId(), d.reservationId()))
            .step("authorize-payment")
                .invoke(PAYMENT, d -> new AuthorizePayment(d.orderId(), d.amountCents()))
                .whenBusy(Park.as("PENDING_PAYMENT"))
                .pivot()
            .step("schedule-shipment")
                .invoke(LOGISTICS, d -> new ScheduleShipment(d.orderId()))
                .retry(Retry.forever(Duration.ofSeconds(1), Duration.ofMinutes(1)))
            .build();

    private KafkaSagaBenchmark() {}

    public static void main(String[] args) {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"); // the broker logs a lot at INFO
        }
        // exit in any case: the broker's and clients' non-daemon threads
        System.exit(KafkaBenchCommand.execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the benchmark with these settings and prints its report. */
    static void run(BenchSettings s) throws Exception {
        Path dir = s.dir() != null ? Files.createDirectories(s.dir()) : Files.createTempDirectory("baton-kafka-bench");
        try {
            run(s, dir);
        } finally {
            if (s.dir() == null) {
                delete(dir);
            }
        }
    }

    private static void run(BenchSettings s, Path dir) throws Exception {
        BenchPostgres pg = s.postgres() == null ? null : s.postgres().isEmpty() ? BenchPostgres.embedded(dir.resolve("postgres"))
                : BenchPostgres.existing(s.postgres(), s.postgresUser(), s.postgresPassword());
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().build().start()) {
            KafkaOptions options = KafkaOptions.defaults(broker.bootstrapServers()).withTopicPrefix("bench.")
                    .withEngineGroupId("bench-engine").withPartitions(s.partitions())
                    .withReplyConsumers(s.replyConsumers()).withLingerMs(s.lingerMs());
            for (var p : s.kafkaClient().entrySet()) {
                options = options.withClientProperty(p.getKey(), p.getValue());
            }
            List<BenchReport.Phase> phases = new ArrayList<>();
            for (BenchSettings stage : stages(s)) {
                BenchReport.Phase phase = runStage(stage, dir, pg, options);
                if (phase != null) {
                    phases.add(phase);
                }
            }
            BenchReport.printPhases(phases, s);
        } finally {
            if (pg != null) {
                pg.close();
            }
        }
    }

    /**
     * The stages of a run, each with its own engine and services. One tracing phase: one stage, warm-up then measured,
     * as always. Several: a shared warm-up of {@code --warmup} seconds split among the tracing modes the phases use
     * (so the JIT has compiled both paths), unmeasured, then the phases in order, each {@code --settle} seconds of
     * load and {@code --duration} measured. A stage of duration 0 measures nothing.
     */
    static List<BenchSettings> stages(BenchSettings s) {
        if (s.tracing().size() == 1) {
            return List.of(s);
        }
        List<Boolean> modes = s.tracing().stream().distinct().toList();
        List<BenchSettings> stages = new ArrayList<>();
        for (int i = 0; i < modes.size(); i++) {
            int seconds = s.warmupSeconds() / modes.size() + (i == modes.size() - 1 ? s.warmupSeconds() % modes.size() : 0);
            if (seconds > 0) {
                stages.add(s.forStage(seconds, 0, modes.get(i)));
            }
        }
        for (boolean on : s.tracing()) {
            stages.add(s.forStage(s.settleSeconds(), s.durationSeconds(), on));
        }
        return stages;
    }

    /**
     * Builds the participant services and engines with this stage's tracing, drives the load, drains, closes them,
     * and returns the stage's figures (null for a warm-up stage).
     */
    private static BenchReport.Phase runStage(BenchSettings s, Path dir, BenchPostgres pg, KafkaOptions options) throws Exception {
        BenchStats stats = new BenchStats();
        stats.postgres = pg;
        BenchReport.Phase phase;
        try (BenchTracing tracing = s.tracing().getFirst() ? BenchTracing.on() : BenchTracing.off()) {
            stats.tracing = tracing;
            List<AutoCloseable> services = new ArrayList<>();
            try {
                for (CommandHandlers h : handlers()) {
                    JdbiIdempotencyStore store = s.participantFiles()
                            ? JdbiIdempotencyStore.create("jdbc:h2:file:" + dir.resolve(h.participant()).toAbsolutePath()
                            + ";WRITE_DELAY=0", "sa", "")
                            : JdbiIdempotencyStore.h2InMemory("bench-" + h.participant());
                    store.jdbi().useHandle(x -> x.execute("CREATE TABLE IF NOT EXISTS effect (saga_id VARCHAR(64),"
                            + " step VARCHAR(100), kind VARCHAR(20))"));
                    services.add(store);
                    services.add(KafkaParticipant.create(options, ParticipantRuntime.builder().handlers(h).store(store)
                            .openTelemetry(tracing.forService(h.participant())).build()).start());
                }
                List<SagaEngine> engines = new ArrayList<>();
                try {
                    for (int node = 0; node < s.nodes(); node++) {
                        JdbiStoreOptions h2 = JdbiStoreOptions.h2File(dir.resolve("engine"));
                        SagaStore store = pg == null ? JdbiSagaStore.create(JdbiStoreOptions.of(
                                        BenchSettings.withH2Settings(h2.jdbcUrl(), s.h2Settings()), h2.username(), h2.password()))
                                : JdbiSagaStore.create(JdbiStoreOptions.of(pg.url(), pg.user(), pg.password()));
                        SagaEngine engine = SagaEngine.builder()
                                .store(new CountingStore(store, stats))
                                .transport(new CountingTransport(KafkaTransport.create(options, stats), stats))
                                .codec(new JacksonCodec())
                                .register(SAGA)
                                .listener(stats)
                                .openTelemetry(tracing.forService("baton-engine"))
                                .build();
                        engines.add(engine);
                        engine.open();
                    }
                    phase = drive(engines, s, stats, options);
                } finally {
                    for (SagaEngine engine : engines) {
                        engine.close();
                    }
                }
            } finally {
                for (int i = services.size() - 1; i >= 0; i--) {
                    services.get(i).close();
                }
            }
        }
        if (phase != null && stats.tracing.isOn()) {
            long ended = stats.tracing.spansEnded();
            long exported = stats.tracing.spansExported();
            System.out.printf(Locale.ROOT, "spans of the whole stage, after the SDKs were shut down: %,d ended, %,d exported,"
                    + " %,d dropped by the batch processors' queues%n", ended, exported, ended - exported);
        }
        return phase;
    }

    private static List<CommandHandlers> handlers() {
        return List.of(
                CommandHandlers.forParticipant(ORDERS.name())
                        .on(CreateOrder.class, (c, ctx) -> effect(ctx))
                        .on(CancelOrder.class, (c, ctx) -> effect(ctx))
                        .build(),
                CommandHandlers.forParticipant(INVENTORY.name())
                        .on(ReserveItems.class, (c, ctx) -> {
                            effect(ctx);
                            return Outcome.success(new ItemsReserved("r-" + c.orderId()));
                        })
                        .on(ReleaseItems.class, (c, ctx) -> effect(ctx))
                        .build(),
                CommandHandlers.forParticipant(PAYMENT.name())
                        .on(AuthorizePayment.class, (c, ctx) -> c.amountCents() % 10 == 3 ? Outcome.failure("card declined")
                                : effect(ctx))
                        .build(),
                CommandHandlers.forParticipant(LOGISTICS.name())
                        .on(ScheduleShipment.class, (c, ctx) -> effect(ctx))
                        .build());
    }

    /** The service's business write, in the SDK's transaction. */
    private static Outcome effect(HandlerContext ctx) {
        ctx.handle().createUpdate("INSERT INTO effect (saga_id, step, kind) VALUES (:s, :st, :k)")
                .bind("s", ctx.sagaId()).bind("st", ctx.step()).bind("k", ctx.kind().name()).execute();
        return Outcome.success();
    }

    private static BenchReport.Phase drive(List<SagaEngine> engines, BenchSettings s, BenchStats stats, KafkaOptions options)
            throws InterruptedException {
        Semaphore slots = new Semaphore(s.inflight());
        stats.slots = slots;
        long t0 = System.nanoTime();
        long measureFrom = t0 + TimeUnit.SECONDS.toNanos(s.warmupSeconds());
        long measureTo = measureFrom + TimeUnit.SECONDS.toNanos(s.durationSeconds());
        stats.window(measureFrom, measureTo);
        String tracing = s.tracing().getFirst() ? "tracing on" : "tracing off";
        // the wall-clock time, to match a stage with a profile's or the machine's load record
        String at = java.time.LocalTime.now(java.time.ZoneOffset.UTC).withNano(0) + " UTC";
        if (s.durationSeconds() == 0) {
            System.out.printf(Locale.ROOT, "%s: warming up with %s for %d s, at most %d sagas in flight...%n", at, tracing,
                    s.warmupSeconds(), s.inflight());
        } else {
            System.out.printf(Locale.ROOT, "%s: %s: warming up for %d s, then measuring for %d s, %s...%n",
                    at, tracing, s.warmupSeconds(), s.durationSeconds(), s.openLoop()
                            ? String.format(Locale.ROOT, "open loop at %.1f sagas/s (at most %d in flight)", s.rate(), s.inflight())
                            : "at most " + s.inflight() + " sagas in flight");
        }
        AtomicLong n = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        // Each starter is a caller of SagaEngine.start, as request threads of an application would be: one start is
        // one transaction, so a single caller waits on every commit in turn. In the open loop the starters take turns
        // on one schedule (saga k due at t0 + k / rate), and a saga's latency counts from when it was due.
        AtomicLong scheduled = new AtomicLong();
        long period = s.openLoop() ? Math.max(1, (long) (1e9 / s.rate())) : 0;
        List<Thread> starters = new ArrayList<>();
        for (int t = 0; t < s.starters(); t++) {
            starters.add(Thread.ofPlatform().name("starter-" + t).start(() -> {
                try {
                    while (System.nanoTime() < measureTo) {
                        long due;
                        if (s.openLoop()) {
                            due = t0 + scheduled.getAndIncrement() * period;
                            if (due >= measureTo) {
                                break;
                            }
                            for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                                java.util.concurrent.locks.LockSupport.parkNanos(wait);
                            }
                            slots.acquire();
                        } else {
                            if (!slots.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                                continue;
                            }
                            due = System.nanoTime();
                        }
                        long k = n.incrementAndGet();
                        SagaId id = engines.get((int) (k % engines.size())).start(SAGA, new Data("o-" + k, 1000 + k, null)).id();
                        stats.started(id, due);
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }));
        }
        long nextReport = t0 + TimeUnit.SECONDS.toNanos(10);
        long lastEnded = 0;
        boolean windowOpen = false;
        while (System.nanoTime() < measureTo && failure.get() == null) {
            long now = System.nanoTime();
            if (!windowOpen && now >= measureFrom) {
                windowOpen = true;
                stats.databaseCommitsAtStart = stats.databaseCommits();
                stats.cpuNanosAtStart = BenchStats.processCpuNanos();
                stats.threadsAtStart = ThreadCpu.snapshot();
                stats.spansAtStart = stats.tracing.spansEnded();
            }
            if (now >= nextReport) {
                long ended = stats.endedTotal.sum();
                System.out.printf(Locale.ROOT, "  %3d s: %,d started, %,d ended, %.0f sagas/s over the last 10 s%s%n",
                        TimeUnit.NANOSECONDS.toSeconds(now - t0), n.get(), ended, (ended - lastEnded) / 10.0,
                        now < measureFrom ? " (warm-up)" : "");
                lastEnded = ended;
                nextReport += TimeUnit.SECONDS.toNanos(10);
            }
            Thread.sleep(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(nextReport - now), 50)));
        }
        stats.cpuNanosAtEnd = BenchStats.processCpuNanos();
        stats.threadsAtEnd = ThreadCpu.snapshot();
        stats.spansAtEnd = stats.tracing.spansEnded();
        for (Thread t : starters) {
            t.join();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("a starter failed", failure.get());
        }
        long stoppedStarting = System.nanoTime();
        stats.databaseCommitsAtEnd = stats.databaseCommits();
        // drain: every saga started must end, exactly once
        boolean drained = slots.tryAcquire(s.inflight(), 60, TimeUnit.SECONDS);
        long drainMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stoppedStarting);
        if (s.durationSeconds() == 0) {
            System.out.printf(Locale.ROOT, "  warm-up stage done: %,d started, %,d ended (%s)%n", n.get(),
                    stats.endedTotal.sum(), drained && stats.endedTotal.sum() == n.get() ? "every saga ended once" : "NOT ALL ENDED");
            return null;
        }
        return BenchReport.print(stats, s, options, n.get(), drained, drainMs);
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
