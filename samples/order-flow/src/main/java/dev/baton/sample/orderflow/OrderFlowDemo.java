package dev.baton.sample.orderflow;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;
import dev.baton.kafka.common.KafkaOptions;
import dev.baton.kafka.dev.EmbeddedKafkaBroker;
import dev.baton.server.BatonServer;
import dev.baton.server.ServerConfig;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
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
                    int port, int waitSeconds, boolean chaos, boolean progress, long seed, EngineDatabase engineDb,
                    int warmupSeconds) {
        static Settings defaults() {
            return new Settings(2000, Mode.SPIKE, 60, 0, 100, 0.2, new PaymentService.Settings(30, 300, 0.05, 0), 0.05,
                    Path.of("data", "order-flow"), false, false, -1, 120, false, System.console() != null, 42,
                    EngineDatabase.H2, 0);
        }

        /** Settings with the engine on its H2 file. */
        Settings(int orders, Mode mode, double rate, int durationSeconds, int inflight, double spikeShare,
                 PaymentService.Settings payment, double logisticsFailureRate, Path data, boolean keep, boolean exit,
                 int port, int waitSeconds, boolean chaos, boolean progress, long seed) {
            this(orders, mode, rate, durationSeconds, inflight, spikeShare, payment, logisticsFailureRate, data, keep, exit,
                    port, waitSeconds, chaos, progress, seed, EngineDatabase.H2, 0);
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
     * The payment breaker: it opens when most recent commands to payment timed out (the service down, as with
     * {@code --chaos}), holds commands back for a second, then probes. A busy answer is not a failure: the promotion
     * spike is flow control's business (payment is kept at its capacity and the rest wait in PENDING_PAYMENT).
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
                  long parked, long degraded, long skipped, long flagged, long lateReleased, long gaveUp, long breakerOpenings, double sagasPerSecond, double p50Ms, double p95Ms, double p99Ms, double seconds,
                  double cpuSeconds, long peakHeapBytes, List<String> problems, SteadyState steady) {
        String resultLine() {
            return String.format(Locale.ROOT, "RESULT orders=%d completed=%d compensated=%d degraded=%d skipped=%d pending=%d"
                    + " failed=%d inconsistent=%d duplicates=%d sagas_per_s=%.1f p99_ms=%.0f peak_heap_mib=%d", orders,
                    completed, compensated, degraded, skipped, pending, failed, inconsistent, duplicates, sagasPerSecond, p99Ms,
                    peakHeapBytes >> 20)
                    + (steady == null ? "" : String.format(Locale.ROOT, " steady_sagas_per_s=%.1f steady_cpu_ms_per_saga=%.2f",
                    steady.sagasPerSecond(), steady.cpuMsPerSaga()));
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
                s.progress(), s.seed(), s.engineDb(), s.warmupSeconds()), out);
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
                    + " (" + engineDb.durability() + "); each service in its own schema, orderflow_<service>");
        }
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().dataDirectory(data.resolve("kafka"))
                .defaultPartitions(PARTITIONS).build().start();
        DemoServices services = null;
        BatonServer server = null;
        Result r;
        try {
            KafkaOptions options = kafkaOptions(broker.bootstrapServers(), TOPIC_PREFIX, PARTITIONS);
            services = new DemoServices(data, options, s, engineDb.services());
            Map<String, String> settings = new HashMap<>(engineDb.settings());
            settings.put(ServerConfig.KAFKA_BOOTSTRAP.name(), broker.bootstrapServers());
            settings.put(ServerConfig.KAFKA_TOPIC_PREFIX.name(), TOPIC_PREFIX);
            settings.put(ServerConfig.KAFKA_PARTITIONS.name(), Integer.toString(PARTITIONS));
            settings.put(ServerConfig.HTTP_PORT.name(), Integer.toString(s.port()));
            settings.put(ServerConfig.HTTP_HOST.name(), "127.0.0.1");
            // the customer id stands for personal data: the API and the dashboard show it as [redacted]
            settings.put(ServerConfig.API_REDACT_FIELDS.name(), "customerId");
            ServerConfig config = ServerConfig.load(breakerSettings(), k -> null, Map.of(), settings);
            server = BatonServer.start(config, List.of(OrderFlowSaga.ORDER_FLOW));
            awaitConsumers(options, Duration.ofSeconds(60));
            String api = "http://localhost:" + server.port() + "/api";
            out.printf(Locale.ROOT, "order-flow: ready in %.1f s; REST API %s (try %s/sagas?type=%s&status=COMPENSATED)%n",
                    (System.nanoTime() - t0) / 1e9, api, api, TYPE);
            if (!s.exit()) {
                // printed before the load, so a person can open it and watch the promotion's orders park and drain
                out.println("order-flow: dashboard http://localhost:" + server.port() + "/ui/ (open it now to watch the run)");
                out.flush();
            }
            r = LoadRun.drive(s, server, services, out);
            Summary.print(r, s, out);
            if (!s.exit()) {
                out.println();
                out.println("The engine keeps running; explore the sagas in the dashboard at http://localhost:" + server.port()
                        + "/ui/ or through the REST API:");
                out.println("  curl '" + api + "/stats'");
                out.println("  curl '" + api + "/sagas?type=" + TYPE + "&status=COMPENSATED&limit=5'");
                out.println("  curl '" + api + "/sagas?businessKey=o-000001'      then  /api/sagas/{id}/history");
                out.println("  curl '" + api + "/definitions/" + TYPE + "'");
                out.println("Ctrl-C stops it.");
                out.flush();
                CountDownLatch forever = new CountDownLatch(1);
                BatonServer sv = server;
                DemoServices sc = services;
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
