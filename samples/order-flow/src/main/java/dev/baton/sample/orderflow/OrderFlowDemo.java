package dev.baton.sample.orderflow;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;
import dev.baton.engine.HistoryKind;
import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.spi.HistoryRecord;
import dev.baton.engine.spi.SagaCount;
import dev.baton.engine.spi.SagaPage;
import dev.baton.engine.spi.SagaQuery;
import dev.baton.engine.spi.SagaRecord;
import dev.baton.engine.spi.SagaStore;
import dev.baton.kafka.common.KafkaOptions;
import dev.baton.kafka.dev.EmbeddedKafkaBroker;
import dev.baton.sample.orderflow.OrderFlowSaga.OrderData;
import dev.baton.server.BatonServer;
import dev.baton.server.ServerConfig;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;
import org.slf4j.LoggerFactory;

/**
 * The order-flow demo: starts a Kafka broker and the Baton engine (H2 file or PostgreSQL, REST API) in this JVM, the
 * four services (each with its own H2 file database), and sends a stream of orders with a promotion spike in the middle. Prints a
 * live counter while it runs, then a summary and a consistency check across the four databases. The command line
 * is {@link OrderFlowCommand}.
 */
public final class OrderFlowDemo {
    static final String TOPIC_PREFIX = "orderflow.";
    static final int PARTITIONS = 3;
    private static final String TYPE = OrderFlowSaga.ORDER_FLOW.type();

    private OrderFlowDemo() {}

    /** How to load the system. */
    enum Mode { SPIKE, RATE, MAX }

    /** Everything the command line sets. */
    record Settings(int orders, Mode mode, double rate, int durationSeconds, int inflight, double spikeShare,
                    PaymentService.Settings payment, double logisticsFailureRate, Path data, boolean keep, boolean exit,
                    int port, int waitSeconds, boolean chaos, boolean progress, long seed, EngineDatabase engineDb) {
        static Settings defaults() {
            return new Settings(2000, Mode.SPIKE, 60, 0, 100, 0.2, new PaymentService.Settings(30, 300, 0.05, 0), 0.05,
                    Path.of("data", "order-flow"), false, false, -1, 120, false, System.console() != null, 42,
                    EngineDatabase.H2);
        }

        /** Settings with the engine on its H2 file. */
        Settings(int orders, Mode mode, double rate, int durationSeconds, int inflight, double spikeShare,
                 PaymentService.Settings payment, double logisticsFailureRate, Path data, boolean keep, boolean exit,
                 int port, int waitSeconds, boolean chaos, boolean progress, long seed) {
            this(orders, mode, rate, durationSeconds, inflight, spikeShare, payment, logisticsFailureRate, data, keep, exit,
                    port, waitSeconds, chaos, progress, seed, EngineDatabase.H2);
        }

        static Settings parse(String[] args) {
            return parse(args, System.getenv());
        }

        /** Parses the command line ({@link OrderFlowCommand}); a bad option or value is an {@link IllegalArgumentException}. */
        static Settings parse(String[] args, Map<String, String> env) {
            return OrderFlowCommand.parse(args, env);
        }
    }

    /**
     * The payment breaker of the story: it opens when nearly every recent call found payment over capacity (during
     * the promotion spike), holds new sagas back for a second, then probes. Tuned so that the spike opens it and
     * the parked sagas drain once payment keeps up again.
     */
    static java.util.Properties breakerSettings() {
        java.util.Properties p = new java.util.Properties();
        p.setProperty("baton.breaker.payment.failure-rate", "80");
        p.setProperty("baton.breaker.payment.window", "40");
        p.setProperty("baton.breaker.payment.minimum-calls", "20");
        p.setProperty("baton.breaker.payment.wait-open", "PT1S");
        p.setProperty("baton.breaker.payment.half-open-calls", "5");
        return p;
    }

    /** What a run found. */
    record Result(int orders, long completed, long compensated, long pending, long failed, int inconsistent, int duplicates,
                  long parked, long breakerOpenings, double sagasPerSecond, double p50Ms, double p95Ms, double p99Ms, double seconds,
                  double cpuSeconds, long peakHeapBytes, List<String> problems) {
        String resultLine() {
            return String.format(Locale.ROOT, "RESULT orders=%d completed=%d compensated=%d pending=%d failed=%d inconsistent=%d"
                    + " duplicates=%d sagas_per_s=%.1f p99_ms=%.0f", orders, completed, compensated, pending, failed,
                    inconsistent, duplicates, sagasPerSecond, p99Ms);
        }

        boolean ok() {
            return inconsistent == 0 && duplicates == 0 && pending == 0 && failed == 0;
        }
    }

    public static void main(String[] args) {
        int code;
        try {
            code = OrderFlowCommand.execute(args, System.getenv(), new PrintWriter(System.out, true),
                    new PrintWriter(System.err, true));
        } catch (RuntimeException e) {
            System.err.println("order-flow: " + e);
            code = 1;
        }
        System.exit(code); // the broker's and clients' non-daemon threads
    }

    /**
     * Runs the demo; returns true when everything ended consistently. With {@code exit} off, keeps running until the
     * JVM is stopped.
     */
    static boolean run(Settings s, PrintStream out) throws Exception {
        Result r = runAndMaybeStay(s, out);
        return r.ok();
    }

    /** Runs the demo with {@code --exit} semantics and returns what it found. */
    static Result runOnce(Settings s, PrintStream out) throws Exception {
        return runAndMaybeStay(new Settings(s.orders(), s.mode(), s.rate(), s.durationSeconds(), s.inflight(), s.spikeShare(),
                s.payment(), s.logisticsFailureRate(), s.data(), s.keep(), true, s.port(), s.waitSeconds(), s.chaos(),
                s.progress(), s.seed(), s.engineDb()), out);
    }

    private static Result runAndMaybeStay(Settings s, PrintStream out) throws Exception {
        Path data = s.data().toAbsolutePath();
        if (!s.keep()) {
            deleteTree(data);
        }
        Files.createDirectories(data);
        logToFile(data.resolve("order-flow.log"));
        long t0 = System.nanoTime();
        out.println("order-flow: starting a Kafka broker, the Baton engine (" + s.engineDb().describe() + ") and four"
                + " services in this JVM (data in " + data + ", logs in " + data.resolve("order-flow.log") + ")");
        EngineDatabase.Opened engineDb = s.engineDb().open(data);
        if (s.engineDb().kind() != EngineDatabase.Kind.H2_FILE) {
            out.println("order-flow: engine store " + ServerConfig.maskUrl(engineDb.settings().get(ServerConfig.DB_URL.name()))
                    + " (" + engineDb.durability() + ")");
        }
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().dataDirectory(data.resolve("kafka"))
                .defaultPartitions(PARTITIONS).build().start();
        Services services = null;
        BatonServer server = null;
        Result r;
        try {
            KafkaOptions options = kafkaOptions(broker.bootstrapServers(), TOPIC_PREFIX, PARTITIONS);
            services = new Services(data, options, s);
            Map<String, String> settings = new HashMap<>(engineDb.settings());
            settings.put(ServerConfig.KAFKA_BOOTSTRAP.name(), broker.bootstrapServers());
            settings.put(ServerConfig.KAFKA_TOPIC_PREFIX.name(), TOPIC_PREFIX);
            settings.put(ServerConfig.KAFKA_PARTITIONS.name(), Integer.toString(PARTITIONS));
            settings.put(ServerConfig.HTTP_PORT.name(), Integer.toString(s.port()));
            settings.put(ServerConfig.HTTP_HOST.name(), "127.0.0.1");
            ServerConfig config = ServerConfig.load(breakerSettings(), k -> null, Map.of(), settings);
            server = BatonServer.start(config, List.of(OrderFlowSaga.ORDER_FLOW));
            awaitConsumers(options, Duration.ofSeconds(60));
            String api = "http://localhost:" + server.port() + "/api";
            out.printf(Locale.ROOT, "order-flow: ready in %.1f s; REST API %s (try %s/sagas?type=%s&status=COMPENSATED)%n",
                    (System.nanoTime() - t0) / 1e9, api, api, TYPE);
            r = drive(s, server, services, out);
            printSummary(r, s, out);
            if (!s.exit()) {
                out.println();
                out.println("The engine keeps running; explore the sagas through the REST API:");
                out.println("  curl '" + api + "/stats'");
                out.println("  curl '" + api + "/sagas?type=" + TYPE + "&status=COMPENSATED&limit=5'");
                out.println("  curl '" + api + "/sagas?businessKey=o-000001'      then  /api/sagas/{id}/history");
                out.println("  curl '" + api + "/definitions/" + TYPE + "'");
                out.println("Ctrl-C stops it.");
                out.flush();
                CountDownLatch forever = new CountDownLatch(1);
                BatonServer sv = server;
                Services sc = services;
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    sv.close();
                    sc.close();
                    broker.close();
                    closeQuietly(engineDb);
                    forever.countDown();
                }));
                forever.await();
            }
        } finally {
            if (s.exit()) {
                if (server != null) {
                    server.close();
                }
                if (services != null) {
                    services.close();
                }
                broker.close();
                closeQuietly(engineDb);
            }
        }
        out.println(r.resultLine()); // the last line, after the broker's shutdown noise
        out.flush();
        return r;
    }

    /**
     * Waits until the engine and the four services have their partitions assigned, so that the first orders do not
     * wait for the consumer groups to form (and the latency figures measure sagas, not start-up).
     */
    private static void awaitConsumers(KafkaOptions options, Duration atMost) throws InterruptedException {
        List<String> groups = new ArrayList<>();
        groups.add(ServerConfig.KAFKA_GROUP.defaultValue());
        for (var p : List.of(OrderFlowSaga.ORDERS, OrderFlowSaga.INVENTORY, OrderFlowSaga.PAYMENT, OrderFlowSaga.LOGISTICS)) {
            groups.add(options.participantGroupId(p.name()));
        }
        long deadline = System.nanoTime() + atMost.toNanos();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrapServers()))) {
            while (System.nanoTime() < deadline) {
                try {
                    Map<String, ConsumerGroupDescription> d = admin.describeConsumerGroups(groups).all().get(10, TimeUnit.SECONDS);
                    boolean all = d.values().stream().allMatch(g -> g.members().stream()
                            .mapToInt(m -> m.assignment().topicPartitions().size()).sum() >= options.partitions());
                    if (all) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    // not there yet
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
            }
        }
    }

    static KafkaOptions kafkaOptions(String bootstrap, String prefix, int partitions) {
        return KafkaOptions.defaults(bootstrap).withTopicPrefix(prefix).withPartitions(partitions)
                .withEngineGroupId(ServerConfig.KAFKA_GROUP.defaultValue());
    }

    /** The four services, in this JVM. */
    static final class Services implements AutoCloseable {
        final OrdersService orders;
        final InventoryService inventory;
        final LogisticsService logistics;
        final Path data;
        final KafkaOptions options;
        final PaymentService.Settings paymentSettings;
        volatile PaymentService payment;

        Services(Path data, KafkaOptions options, Settings s) {
            this.data = data;
            this.options = options;
            this.paymentSettings = s.payment();
            this.orders = new OrdersService(data, options);
            this.inventory = new InventoryService(data, options, Catalog.stock(s.orders()));
            this.logistics = new LogisticsService(data, options, s.logisticsFailureRate());
            this.payment = new PaymentService(data, options, s.payment());
            orders.start();
            inventory.start();
            payment.start();
            logistics.start();
        }

        /**
         * Kills the payment service, and after {@code downtime} starts a new one on the same database, in the
         * background: orders keep coming meanwhile, their payment commands wait in Kafka.
         */
        Thread restartPayment(Duration downtime) {
            Thread t = new Thread(() -> {
                payment.kill();
                LockSupport.parkNanos(downtime.toNanos());
                for (int attempt = 1; ; attempt++) {
                    PaymentService fresh = new PaymentService(data, options, paymentSettings);
                    try {
                        fresh.start();
                        payment = fresh;
                        return;
                    } catch (RuntimeException e) {
                        if (attempt == 60) {
                            throw e; // the run ends with sagas pending: reported, exit code 1
                        }
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500)); // the killed pool may still hold the file
                    }
                }
            }, "order-flow-chaos");
            t.start();
            return t;
        }

        @Override
        public void close() {
            logistics.close();
            payment.close();
            inventory.close();
            orders.close();
        }
    }

    /** Sends the orders, shows progress, waits for the sagas to end, checks the databases. */
    private static Result drive(Settings s, BatonServer server, Services services, PrintStream out) throws Exception {
        SagaStore store = server.store();
        Random random = new Random(s.seed());
        AtomicLong sent = new AtomicLong();
        // with --keep, the sagas of earlier runs are in the store: count only this run's, number its orders after them
        Map<SagaStatus, Long> before = counts(store, null);
        java.util.concurrent.atomic.AtomicLong openings = new java.util.concurrent.atomic.AtomicLong();
        server.breakers().breaker("payment").getEventPublisher().onStateTransition(e -> {
            if (e.getStateTransition().getToState() == io.github.resilience4j.circuitbreaker.CircuitBreaker.State.OPEN) {
                openings.incrementAndGet();
            }
        });
        long offset = before.values().stream().mapToLong(Long::longValue).sum();
        Map<String, SagaId> sagas = new HashMap<>();
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "order-flow-progress");
            t.setDaemon(true);
            return t;
        });
        long t0 = System.nanoTime();
        if (s.progress()) {
            ticker.scheduleAtFixedRate(() -> {
                try {
                    out.print("\r" + progress(counts(store, before), sent.get(), s.orders(), t0) + "   ");
                    out.flush();
                } catch (RuntimeException e) {
                    // the store is closing
                }
            }, 250, 250, TimeUnit.MILLISECONDS);
        }
        int chaosAt = s.chaos() ? s.orders() / 2 : -1;
        int spikeFrom = (int) Math.round(s.orders() * 0.4);
        int spikeTo = spikeFrom + (int) Math.round(s.orders() * s.spikeShare());
        long intervalNs = (long) (1e9 / s.rate());
        Thread chaos = null;
        long next = System.nanoTime();
        long endedSoFar = 0; // closed loop: sagas known to have ended; the store's count is a table scan, so asked sparingly
        for (int n = 1; n <= s.orders(); n++) {
            if (s.mode() == Mode.MAX) {
                while (n - 1 - endedSoFar >= s.inflight()) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
                    endedSoFar = terminal(counts(store, before));
                }
            } else if (s.mode() == Mode.RATE || n <= spikeFrom || n > spikeTo) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                next = Math.max(next + intervalNs, System.nanoTime() - intervalNs * 10);
            } // in the spike: no pause at all
            if (n == chaosAt) {
                out.print(s.progress() ? "\n" : "");
                out.println("order-flow: chaos: killing the payment service; it restarts on its database in 2 s");
                chaos = services.restartPayment(Duration.ofSeconds(2));
            }
            OrderData order = order(offset + n, random);
            SagaId id = server.engine().start(OrderFlowSaga.ORDER_FLOW, order, order.orderId()).id();
            sagas.put(order.orderId(), id);
            sent.incrementAndGet();
        }
        long sendingNs = System.nanoTime() - t0;
        if (chaos != null) {
            chaos.join();
        }
        // wait, bounded, until no saga is moving any more
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(s.exit() ? s.waitSeconds() : 3600);
        while (System.nanoTime() < deadline) {
            Map<SagaStatus, Long> c = counts(store, before);
            if (c.get(SagaStatus.RUNNING) + c.get(SagaStatus.PENDING) + c.get(SagaStatus.COMPENSATING) == 0
                    && c.values().stream().mapToLong(Long::longValue).sum() >= s.orders()) {
                break;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
        ticker.shutdownNow();
        if (s.progress()) {
            out.println("\r" + progress(counts(store, before), sent.get(), s.orders(), t0) + "   ");
        }
        double wallSeconds = (System.nanoTime() - t0) / 1e9;

        // outcomes and latencies, from the engine's records
        Map<String, SagaStatus> outcomes = new HashMap<>();
        Histogram latencies = new Histogram(3);
        List<SagaRecord> ends = new ArrayList<>();
        List<SagaId> compensatedOrFailed = new ArrayList<>();
        java.time.Instant first = null;
        java.time.Instant last = null;
        String cursor = null;
        do {
            SagaPage page = store.query(SagaQuery.all(SagaQuery.MAX_LIMIT).withType(TYPE).withAfter(cursor));
            for (SagaRecord rec : page.items()) {
                if (!sagas.containsKey(rec.businessKey())) {
                    continue; // an earlier run's
                }
                outcomes.put(rec.businessKey(), rec.status());
                if (rec.status().isTerminal()) {
                    latencies.recordValue(Duration.between(rec.createdAt(), rec.updatedAt()).toNanos());
                    ends.add(rec);
                    first = first == null || rec.createdAt().isBefore(first) ? rec.createdAt() : first;
                    last = last == null || rec.updatedAt().isAfter(last) ? rec.updatedAt() : last;
                }
            }
            cursor = page.nextCursor();
        } while (cursor != null);
        long parked = 0;
        for (SagaId id : sagas.values()) {
            for (HistoryRecord h : store.history(id)) {
                if (h.kind() == HistoryKind.PARKED && h.detail() != null && h.detail().startsWith(OrderFlowSaga.PENDING_PAYMENT)) {
                    parked++;
                    break;
                }
            }
        }
        Map<SagaStatus, Long> c = counts(store, before);
        ConsistencyCheck.Report check = ConsistencyCheck.run(outcomes, services.orders.jdbi(), services.inventory.jdbi(),
                services.payment.jdbi(), services.logistics.jdbi());
        double span = first == null ? wallSeconds : Math.max(1e-3, Duration.between(first, last).toNanos() / 1e9);
        long ended = c.get(SagaStatus.COMPLETED) + c.get(SagaStatus.COMPENSATED);
        long notStarted = s.orders() - c.values().stream().mapToLong(Long::longValue).sum();
        out.printf(Locale.ROOT, "order-flow: sent %d orders in %.1f s%n", s.orders(), sendingNs / 1e9);
        if (first != null) {
            // the first seconds of a run include the JIT's warm-up (~30 s on 2 cores): the second half is steadier
            java.time.Instant half = first.plus(Duration.between(first, last).dividedBy(2));
            Histogram late = new Histogram(3);
            ends.stream().filter(r -> !r.createdAt().isBefore(half))
                    .forEach(r -> late.recordValue(Duration.between(r.createdAt(), r.updatedAt()).toNanos()));
            out.printf(Locale.ROOT, "order-flow: sagas started in the second half of the run (%d): p50 %.0f ms, p95 %.0f ms,"
                    + " p99 %.0f ms, max %.0f ms%n", late.getTotalCount(), ms(late, 50), ms(late, 95), ms(late, 99),
                    late.getMaxValue() / 1e6);
        }
        return new Result(s.orders(), c.get(SagaStatus.COMPLETED), c.get(SagaStatus.COMPENSATED),
                c.get(SagaStatus.RUNNING) + c.get(SagaStatus.PENDING) + c.get(SagaStatus.COMPENSATING) + Math.max(0, notStarted),
                c.get(SagaStatus.FAILED), check.inconsistent(), check.duplicates(), parked, openings.get(), ended / span,
                ms(latencies, 50), ms(latencies, 95), ms(latencies, 99), wallSeconds, cpuSeconds(), peakHeap(), check.problems());
    }

    private static OrderData order(long n, Random random) {
        boolean limited = random.nextInt(8) == 0;
        Catalog.Item item = limited ? Catalog.ITEMS.get(Catalog.ITEMS.size() - 1)
                : Catalog.ITEMS.get(random.nextInt(Catalog.ITEMS.size() - 1));
        int quantity = limited ? 1 : 1 + random.nextInt(3);
        return new OrderData(String.format(Locale.ROOT, "o-%06d", n), "c-" + (1 + random.nextInt(500)), item.sku(), quantity,
                item.priceCents() * quantity, null);
    }

    /** Sagas of the demo's type per status (PENDING summed over its states), less those in {@code before}. */
    private static Map<SagaStatus, Long> counts(SagaStore store, Map<SagaStatus, Long> before) {
        Map<SagaStatus, Long> m = new EnumMap<>(SagaStatus.class);
        for (SagaStatus st : SagaStatus.values()) {
            m.put(st, before == null ? 0L : -before.get(st));
        }
        for (SagaCount c : store.counts()) {
            if (TYPE.equals(c.type())) {
                m.merge(c.status(), c.count(), Long::sum);
            }
        }
        return m;
    }

    private static long terminal(Map<SagaStatus, Long> c) {
        return c.get(SagaStatus.COMPLETED) + c.get(SagaStatus.COMPENSATED);
    }

    private static String progress(Map<SagaStatus, Long> c, long sent, int total, long t0) {
        return String.format(Locale.ROOT, "%5.1fs sent %d/%d  running %d  %s %d  compensating %d  completed %d"
                        + "  compensated %d  failed %d", (System.nanoTime() - t0) / 1e9, sent, total,
                c.get(SagaStatus.RUNNING), OrderFlowSaga.PENDING_PAYMENT, c.get(SagaStatus.PENDING),
                c.get(SagaStatus.COMPENSATING), c.get(SagaStatus.COMPLETED), c.get(SagaStatus.COMPENSATED),
                c.get(SagaStatus.FAILED));
    }

    private static void printSummary(Result r, Settings s, PrintStream out) {
        out.println();
        out.println("Summary (" + switch (s.mode()) {
            case SPIKE -> "stream of " + s.orders() + " orders at " + fmt(s.rate()) + "/s with a promotion spike of "
                    + Math.round(s.orders() * s.spikeShare()) + " at once";
            case RATE -> "open loop, " + fmt(s.rate()) + " orders/s for " + s.durationSeconds() + " s";
            case MAX -> "closed loop, at most " + s.inflight() + " sagas in flight";
        } + (s.chaos() ? ", payment service killed and restarted mid-run" : "") + ")");
        row(out, "orders", Long.toString(r.orders()));
        row(out, "completed", Long.toString(r.completed()));
        row(out, "compensated", r.compensated() + "  (out of stock or card declined)");
        row(out, "still pending", Long.toString(r.pending()));
        row(out, "failed", Long.toString(r.failed()));
        row(out, "parked in " + OrderFlowSaga.PENDING_PAYMENT, r.parked() + "  (payment over capacity, resumed later)");
        row(out, "payment breaker opened", r.breakerOpenings() + "  (new sagas parked instead of hammering payment)");
        row(out, "saga latency", String.format(Locale.ROOT, "p50 %.0f ms, p95 %.0f ms, p99 %.0f ms", r.p50Ms(), r.p95Ms(), r.p99Ms()));
        row(out, "throughput", String.format(Locale.ROOT, "%.1f sagas/s", r.sagasPerSecond()));
        row(out, "run time", String.format(Locale.ROOT, "%.1f s", r.seconds()));
        row(out, "engine store", s.engineDb().describe() + "  (the services: an H2 file each)");
        row(out, "process CPU time", String.format(Locale.ROOT, "%.1f s  (the whole JVM: broker, engine, services)", r.cpuSeconds()));
        row(out, "peak heap", String.format(Locale.ROOT, "%d MiB", r.peakHeapBytes() >> 20));
        row(out, "consistency", r.inconsistent() == 0 && r.duplicates() == 0
                ? "OK: every completed order has one reservation, one captured payment and one shipment; every"
                + " compensated order has none left"
                : r.inconsistent() + " inconsistent order(s), " + r.duplicates() + " duplicate(s)");
        for (String p : r.problems()) {
            out.println("    " + p);
        }
        out.flush();
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    private static void row(PrintStream out, String name, String value) {
        out.printf(Locale.ROOT, "  %-28s %s%n", name, value);
    }

    /** The {@code percentile} (0 to 100) of {@code nanos} in milliseconds; 0 when nothing was recorded. */
    private static double ms(Histogram nanos, double percentile) {
        return nanos.getValueAtPercentile(percentile) / 1e6;
    }

    private static double cpuSeconds() {
        return ProcessHandle.current().info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(0.0);
    }

    private static long peakHeap() {
        long sum = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP && p.getPeakUsage() != null) {
                sum += p.getPeakUsage().getUsed();
            }
        }
        return sum;
    }

    /** Sends every log line (Kafka, H2, Baton) to {@code file}, at INFO for Baton and WARN for the rest. */
    private static void logToFile(Path file) {
        if (System.getProperty("logback.configurationFile") != null
                || !(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        context.reset();
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%d{HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %msg%n");
        encoder.start();
        FileAppender<ILoggingEvent> appender = new FileAppender<>();
        appender.setContext(context);
        appender.setFile(file.toString());
        appender.setEncoder(encoder);
        appender.start();
        ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        root.addAppender(appender);
        context.getLogger("dev.baton").setLevel(Level.INFO);
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            LoggerFactory.getLogger(OrderFlowDemo.class).warn("closing {} failed", c, e);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
