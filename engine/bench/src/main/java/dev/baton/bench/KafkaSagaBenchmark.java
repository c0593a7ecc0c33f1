package dev.baton.bench;

import dev.baton.dsl.Participant;
import dev.baton.dsl.Park;
import dev.baton.dsl.Retry;
import dev.baton.dsl.Saga;
import dev.baton.dsl.SagaDefinition;
import dev.baton.engine.SagaEngine;
import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.spi.HistoryRecord;
import dev.baton.engine.spi.OutboxRecord;
import dev.baton.engine.spi.SagaListener;
import dev.baton.engine.spi.SagaRecord;
import dev.baton.engine.spi.SagaStore;
import dev.baton.engine.spi.StoreTransaction;
import dev.baton.engine.spi.TimerRecord;
import dev.baton.engine.spi.Transport;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The four-step order saga end to end, closed loop: the engine on the embedded default store (an H2 file, every
 * commit written to the file) or on PostgreSQL ({@code --postgres}), with the Kafka transport, four participant
 * services (the SDK's runtime and idempotency records on H2, bound with {@link KafkaParticipant}), and a real Kafka
 * broker, all in this JVM. With {@code --nodes N} (PostgreSQL only) N engines run in this JVM, each with its own
 * connection pool, Kafka clients and timer and outbox threads, sharing the database and the reply consumer group, as
 * N engine processes would; sagas are started on them in turn. At most
 * {@code --inflight} sagas run at once; a new one starts as soon as one ends. One saga in ten has its payment declined
 * and is compensated (two compensations).
 *
 * <p>After {@code --warmup} seconds (the JIT needs ~30 s on two cores), it measures for {@code --duration} seconds:
 * sagas that ended in that window per second, their latency from the call to {@code start} to the terminal state as
 * seen by {@link SagaListener#onEnded}, and the outcomes. It then stops starting sagas and checks that every saga it
 * started ended exactly once.
 *
 * <pre>
 * java -cp engine/bench/target/baton-bench.jar dev.baton.bench.KafkaSagaBenchmark [--inflight 100] [--warmup 30]
 *     [--duration 30] [--partitions 3] [--participant-db file|mem] [--dir DIR]
 *     [--postgres [jdbc:postgresql://host/db] [--postgres-user U] [--postgres-password P]] [--nodes N]
 *     [--reply-consumers K]
 * </pre>
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

    /**
     * The command line.
     *
     * @param postgres null for the H2 file, "" for an embedded PostgreSQL, else the JDBC URL of an existing server
     */
    record Settings(int inflight, int warmupSeconds, int durationSeconds, int partitions, boolean participantFiles, Path dir,
                    String postgres, String postgresUser, String postgresPassword, int nodes, int replyConsumers, int starters, int lingerMs) {
        static final String USAGE = "usage: java -cp baton-bench.jar " + KafkaSagaBenchmark.class.getName()
                + " [--inflight 100] [--warmup 30] [--duration 30] [--partitions 3] [--participant-db file|mem] [--dir DIR]"
                + " [--postgres [jdbc:postgresql://host/db] [--postgres-user U] [--postgres-password P]] [--nodes N] [--reply-consumers K] [--starters 1] [--linger-ms 0]";

        static Settings parse(String[] args) {
            int inflight = 100;
            int warmup = 30;
            int duration = 30;
            int partitions = 3;
            boolean files = true;
            Path dir = null;
            String postgres = null;
            String user = "postgres";
            String password = "";
            int nodes = 1;
            int replyConsumers = 1;
            int starters = 1;
            int lingerMs = 0;
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.equals("--postgres")) {
                    postgres = i + 1 < args.length && !args[i + 1].startsWith("--") ? args[++i] : "";
                    if (!postgres.isEmpty() && !postgres.startsWith("jdbc:postgresql:")) {
                        throw new IllegalArgumentException("--postgres takes a jdbc:postgresql:// URL, but was " + postgres);
                    }
                    continue;
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(a + " needs a value");
                }
                String v = args[++i];
                switch (a) {
                    case "--inflight" -> inflight = positive(a, v);
                    case "--warmup" -> warmup = Integer.parseInt(v);
                    case "--duration" -> duration = positive(a, v);
                    case "--partitions" -> partitions = positive(a, v);
                    case "--participant-db" -> {
                        if (!v.equals("file") && !v.equals("mem")) {
                            throw new IllegalArgumentException("--participant-db is file or mem, but was " + v);
                        }
                        files = v.equals("file");
                    }
                    case "--dir" -> dir = Path.of(v);
                    case "--postgres-user" -> user = v;
                    case "--postgres-password" -> password = v;
                    case "--nodes" -> nodes = positive(a, v);
                    case "--reply-consumers" -> replyConsumers = positive(a, v);
                    case "--starters" -> starters = positive(a, v);
                    case "--linger-ms" -> lingerMs = Integer.parseInt(v);
                    default -> throw new IllegalArgumentException("unknown argument " + a);
                }
            }
            if (nodes > 1 && postgres == null) {
                throw new IllegalArgumentException("--nodes " + nodes + " needs --postgres: an H2 file serves one node");
            }
            return new Settings(inflight, warmup, duration, partitions, files, dir, postgres, user, password, nodes,
                    replyConsumers, starters, lingerMs);
        }

        private static int positive(String name, String v) {
            int n = Integer.parseInt(v);
            if (n < 1) {
                throw new IllegalArgumentException(name + " must be >= 1, but was " + n);
            }
            return n;
        }
    }

    public static void main(String[] args) throws Exception {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"); // the broker logs a lot at INFO
        }
        Settings s;
        try {
            s = Settings.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(Settings.USAGE);
            System.exit(2);
            return;
        }
        Path dir = s.dir() != null ? Files.createDirectories(s.dir()) : Files.createTempDirectory("baton-kafka-bench");
        try {
            run(s, dir);
        } finally {
            if (s.dir() == null) {
                delete(dir);
            }
        }
        System.exit(0); // the broker's and clients' non-daemon threads
    }

    private static void run(Settings s, Path dir) throws Exception {
        Stats stats = new Stats();
        BenchPostgres pg = s.postgres() == null ? null : s.postgres().isEmpty() ? BenchPostgres.embedded(dir.resolve("postgres"))
                : BenchPostgres.existing(s.postgres(), s.postgresUser(), s.postgresPassword());
        stats.postgres = pg;
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().build().start()) {
            KafkaOptions options = KafkaOptions.defaults(broker.bootstrapServers()).withTopicPrefix("bench.")
                    .withEngineGroupId("bench-engine").withPartitions(s.partitions())
                    .withReplyConsumers(s.replyConsumers()).withLingerMs(s.lingerMs());
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
                    services.add(KafkaParticipant.create(options, ParticipantRuntime.builder().handlers(h).store(store).build()).start());
                }
                List<SagaEngine> engines = new ArrayList<>();
                try {
                    for (int node = 0; node < s.nodes(); node++) {
                        SagaStore store = pg == null ? JdbiSagaStore.h2File(dir.resolve("engine"))
                                : JdbiSagaStore.create(JdbiStoreOptions.of(pg.url(), pg.user(), pg.password()));
                        SagaEngine engine = SagaEngine.builder()
                                .store(new CountingStore(store, stats))
                                .transport(new CountingTransport(KafkaTransport.create(options, stats), stats))
                                .codec(new JacksonCodec())
                                .register(SAGA)
                                .listener(stats)
                                .build();
                        engines.add(engine);
                        engine.open();
                    }
                    drive(engines, s, stats, options);
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
        } finally {
            if (pg != null) {
                pg.close();
            }
        }
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

    private static void drive(List<SagaEngine> engines, Settings s, Stats stats, KafkaOptions options) throws InterruptedException {
        Semaphore slots = new Semaphore(s.inflight());
        stats.slots = slots;
        long t0 = System.nanoTime();
        long measureFrom = t0 + TimeUnit.SECONDS.toNanos(s.warmupSeconds());
        long measureTo = measureFrom + TimeUnit.SECONDS.toNanos(s.durationSeconds());
        stats.window(measureFrom, measureTo);
        System.out.printf(Locale.ROOT, "warming up for %d s, then measuring for %d s, at most %d sagas in flight...%n",
                s.warmupSeconds(), s.durationSeconds(), s.inflight());
        AtomicLong n = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        // Each starter is a caller of SagaEngine.start, as request threads of an application would be: one start is
        // one transaction, so a single caller waits on every commit in turn.
        List<Thread> starters = new ArrayList<>();
        for (int t = 0; t < s.starters(); t++) {
            starters.add(Thread.ofPlatform().name("starter-" + t).start(() -> {
                try {
                    while (System.nanoTime() < measureTo) {
                        if (!slots.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                            continue;
                        }
                        long k = n.incrementAndGet();
                        long started = System.nanoTime();
                        SagaId id = engines.get((int) (k % engines.size())).start(SAGA, new Data("o-" + k, 1000 + k, null)).id();
                        stats.started(id, started);
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
        stats.print(s, options, n.get(), drained, drainMs);
    }

    /** Counts what the engine does through the transport: reply batches (one transaction each) and sends. */
    static final class CountingTransport implements Transport {
        private final Transport delegate;
        private final Stats stats;

        CountingTransport(Transport delegate, Stats stats) {
            this.delegate = delegate;
            this.stats = stats;
        }

        @Override
        public CompletableFuture<Void> send(List<OutboxRecord> messages) {
            if (stats.measuring()) {
                stats.sends.increment();
                stats.sentMessages.add(messages.size());
            }
            return delegate.send(messages);
        }

        @Override
        public void prepare(Set<String> destinations) {
            delegate.prepare(destinations);
        }

        @Override
        public void start(ReplySink sink) {
            delegate.start(replies -> {
                if (stats.measuring()) {
                    stats.replyBatches.increment();
                    stats.replies.add(replies.size());
                    stats.maxBatch.accumulateAndGet(replies.size(), Math::max);
                }
                return sink.accept(replies);
            });
        }

        @Override
        public void close() {
            delegate.close();
        }
    }

    /** Counts the engine store's transactions (each one commit to the H2 file) and outbox deletions (one each). */
    static final class CountingStore extends dev.baton.testkit.ForwardingSagaStore {
        private final Stats stats;

        CountingStore(SagaStore delegate, Stats stats) {
            super(delegate);
            this.stats = stats;
        }





        @Override
        public <T> T inTransaction(Function<StoreTransaction, T> work) {
            if (stats.measuring()) {
                stats.transactions.increment();
            }
            return delegate.inTransaction(work);
        }

        @Override
        public void deleteOutbox(Collection<String> ids) {
            if (stats.measuring()) {
                stats.outboxDeletes.increment();
            }
            delegate.deleteOutbox(ids);
        }






    }

    /** When a saga was started and ended (System.nanoTime), and how. */
    record Times(long start, long end, SagaStatus outcome) {}

    /** The listener: latencies and outcomes of the sagas that end in the measured window. */
    static final class Stats implements SagaListener {
        /** Sagas whose start or end was seen, not both yet. */
        private final Map<SagaId, Times> open = new ConcurrentHashMap<>();
        final LongAdder endedTotal = new LongAdder();
        final LongAdder duplicateEnds = new LongAdder();
        final LongAdder sends = new LongAdder();
        final LongAdder transactions = new LongAdder();
        final LongAdder outboxDeletes = new LongAdder();
        final LongAdder sentMessages = new LongAdder();
        final LongAdder replyBatches = new LongAdder();
        final LongAdder replies = new LongAdder();
        final LongAdder duplicates = new LongAdder();
        final LongAdder ignored = new LongAdder();
        final LongAdder deadLetters = new LongAdder();
        final LongAdder failedOrPending = new LongAdder();
        final AtomicLong maxBatch = new AtomicLong();
        private final Map<SagaStatus, LongAdder> outcomes = new EnumMap<>(SagaStatus.class);
        private final Map<SagaId, Boolean> ended = new ConcurrentHashMap<>();
        private long[] latencies = new long[1 << 16];
        private int count;
        private volatile long from;
        private volatile long to;
        volatile Semaphore slots;
        /** The engine's PostgreSQL, or null on H2. */
        volatile BenchPostgres postgres;
        long databaseCommitsAtStart = -1;
        long databaseCommitsAtEnd = -1;

        Stats() {
            for (SagaStatus st : SagaStatus.values()) {
                outcomes.put(st, new LongAdder());
            }
        }

        /** PostgreSQL's count of committed transactions in the database (reads included), or -1. */
        long databaseCommits() {
            BenchPostgres pg = postgres;
            return pg == null ? -1 : pg.commits();
        }

        void window(long from, long to) {
            this.from = from;
            this.to = to;
        }

        boolean measuring() {
            long now = System.nanoTime();
            return now >= from && now < to;
        }

        void started(SagaId id, long at) {
            meet(id, new Times(at, 0, null));
        }

        @Override
        public void onEnded(SagaId id, String sagaType, SagaStatus outcome, Duration took) {
            long now = System.nanoTime();
            if (ended.putIfAbsent(id, Boolean.TRUE) != null) {
                duplicateEnds.increment();
                return;
            }
            endedTotal.increment();
            meet(id, new Times(0, now, outcome));
            Semaphore s = slots;
            if (s != null) {
                s.release();
            }
        }

        /** Start and end meet here, in either order (a saga may end before the start call returned). */
        private void meet(SagaId id, Times half) {
            Times[] both = new Times[1];
            open.compute(id, (k, other) -> {
                if (other == null) {
                    return half;
                }
                both[0] = other.end() == 0 ? new Times(other.start(), half.end(), half.outcome())
                        : new Times(half.start(), other.end(), other.outcome());
                return null;
            });
            if (both[0] != null) {
                record(both[0]);
            }
        }

        @Override
        public void onStatusChanged(SagaId id, String sagaType, SagaStatus from, SagaStatus to, String reason) {
            if (to == SagaStatus.FAILED || to == SagaStatus.PENDING) {
                failedOrPending.increment();
            }
        }

        @Override
        public void onDuplicateMessage(String messageId) {
            duplicates.increment();
        }

        @Override
        public void onIgnoredReply(SagaId id, String reason) {
            ignored.increment();
        }

        @Override
        public void onDeadLetter(String where, String reason) {
            deadLetters.increment();
        }

        /** Records a saga if it ended in the window. */
        private synchronized void record(Times t) {
            if (t.end() < from || t.end() >= to) {
                return;
            }
            if (count == latencies.length) {
                latencies = Arrays.copyOf(latencies, count * 2);
            }
            latencies[count++] = t.end() - t.start();
            outcomes.get(t.outcome()).increment();
        }

        synchronized void print(Settings s, KafkaOptions o, long started, boolean drained, long drainMs) {
            long[] l = Arrays.copyOf(latencies, count);
            Arrays.sort(l);
            double seconds = s.durationSeconds();
            long measured = l.length;
            System.out.println();
            BenchPostgres pg = postgres;
            System.out.println("Baton end to end: four-step order saga, " + (s.nodes() == 1 ? "engine" : s.nodes()
                    + " engine nodes (one JVM; shared database and reply consumer group)")
                    + " + 4 participant services + Kafka broker in one JVM");
            System.out.printf(Locale.ROOT, "settings: inflight=%d warmup=%ds duration=%ds partitions=%d linger.ms=%d batch.size=%d"
                            + " max.poll.records=%d nodes=%d reply-consumers=%d starters=%d engine-store=%s participant-db=%s; JDK %s, %d cores%n",
                    s.inflight(), s.warmupSeconds(), s.durationSeconds(), o.partitions(), o.lingerMs(), o.batchSize(),
                    o.maxPollRecords(), s.nodes(), o.replyConsumers(), s.starters(), pg == null ? "H2 file (WRITE_DELAY=0)" : pg.describe(),
                    s.participantFiles() ? "H2 file (WRITE_DELAY=0)" : "H2 in memory",
                    Runtime.version(), Runtime.getRuntime().availableProcessors());
            System.out.printf(Locale.ROOT, "throughput: %,d sagas ended in the %d s window = %.1f sagas/s%n", measured,
                    s.durationSeconds(), measured / seconds);
            if (measured > 0) {
                System.out.printf(Locale.ROOT, "latency (start -> terminal): p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                        ms(l, 0.50), ms(l, 0.95), ms(l, 0.99), l[l.length - 1] / 1e6);
            }
            System.out.printf(Locale.ROOT, "outcomes in the window: COMPLETED %,d, COMPENSATED %,d%n",
                    outcomes.get(SagaStatus.COMPLETED).sum(), outcomes.get(SagaStatus.COMPENSATED).sum());
            long tx = transactions.sum();
            long deletes = outboxDeletes.sum();
            System.out.printf(Locale.ROOT, "engine store in the window: %,d transactions = %.0f/s + %,d outbox deletions = %.0f/s"
                            + " (each a commit): %.2f commits per saga%n", tx, tx / seconds, deletes,
                    deletes / seconds, measured == 0 ? 0.0 : (tx + deletes) / (double) measured);
            if (databaseCommitsAtStart >= 0 && databaseCommitsAtEnd >= 0) {
                long commits = databaseCommitsAtEnd - databaseCommitsAtStart;
                System.out.printf(Locale.ROOT, "PostgreSQL in the window (pg_stat_database.xact_commit, reads and polls included):"
                        + " %,d commits = %.0f/s%n", commits, commits / seconds);
            }
            long batches = replyBatches.sum();
            long sent = sends.sum();
            System.out.printf(Locale.ROOT, "engine in the window: %,d reply batches (one transaction each) = %.0f/s, %.1f replies"
                            + " per batch (max %d); %,d sends = %.0f/s, %.1f commands each%n",
                    batches, batches / seconds, batches == 0 ? 0.0 : replies.sum() / (double) batches, maxBatch.get(),
                    sent, sent / seconds, sent == 0 ? 0.0 : sentMessages.sum() / (double) sent);
            System.out.printf(Locale.ROOT, "whole run: %,d started, %,d ended (%s, drained in %d ms), %d ended twice,"
                            + " %,d duplicate replies, %,d ignored replies, %d dead letters, %d times FAILED or PENDING%n",
                    started, endedTotal.sum(), drained && endedTotal.sum() == started ? "every saga ended once" : "NOT ALL ENDED",
                    drainMs, duplicateEnds.sum(), duplicates.sum(), ignored.sum(), deadLetters.sum(), failedOrPending.sum());
        }

        private static double ms(long[] sorted, double q) {
            int i = (int) Math.ceil(q * sorted.length) - 1;
            return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
        }
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
