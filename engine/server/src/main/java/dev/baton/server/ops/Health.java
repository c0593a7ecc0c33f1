package dev.baton.server.ops;

import dev.baton.engine.spi.SagaStore;
import dev.baton.kafka.common.KafkaOptions;
import dev.baton.kafka.common.LoopHealth;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

/**
 * Liveness and readiness. Ready means the database answers a trivial query and Kafka answers a describe-cluster
 * request, each within a short timeout (checked on every call, concurrently, so a probe takes at most about one
 * timeout), and every engine-side Kafka consumer loop (the replies, the start topic) has polled successfully within
 * the configured bound: a loop that has not is DOWN under its own name, with how long it has been silent, its
 * failures in a row and its last error. Thread-safe.
 *
 * @since 0.1
 */
public final class Health implements AutoCloseable {
    /** How long each check may take. */
    public static final Duration TIMEOUT = Duration.ofSeconds(2);

    private final Supplier<Object> database;
    private final Supplier<Object> kafka;
    private final ExecutorService checks = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "baton-health");
        t.setDaemon(true);
        return t;
    });
    private final Admin admin;
    private final Supplier<List<LoopHealth>> loops;
    private final Duration maxPollSilence;
    private final Clock clock;
    private volatile Supplier<String> definitions = () -> null;

    /** Checks {@code store} (its outbox backlog count: one indexed count) and the Kafka cluster of {@code kafka}. */
    public Health(SagaStore store, KafkaOptions kafka) {
        this(store, kafka, List::of, Duration.ofSeconds(30), Clock.systemUTC());
    }

    /**
     * Also checks each of {@code loops} (read on every call): DOWN when it has not polled successfully for longer than
     * {@code maxPollSilence}.
     */
    public Health(SagaStore store, KafkaOptions kafka, Supplier<List<LoopHealth>> loops, Duration maxPollSilence,
                  Clock clock) {
        this.loops = loops;
        this.maxPollSilence = maxPollSilence;
        this.clock = clock;
        this.database = store::outboxBacklog;
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.putAll(kafka.clientProperties());
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, "baton-health");
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(TIMEOUT.toMillis()));
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(TIMEOUT.toMillis()));
        this.admin = Admin.create(p);
        this.kafka = () -> {
            try {
                return admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) TIMEOUT.toMillis()))
                        .clusterId().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            } catch (ExecutionException | TimeoutException e) {
                throw new IllegalStateException(e.getCause() != null ? e.getCause().getMessage() : e.toString(), e);
            }
        };
    }

    /**
     * Also checks that this node can run every saga not ended: {@code missing} answers null when it can, else what it
     * lacks (the check is then DOWN with that detail).
     */
    public Health checkDefinitions(Supplier<String> missing) {
        this.definitions = missing;
        return this;
    }

    /** The liveness body: the process is up. */
    public static Map<String, Object> live() {
        return Map.of("status", "UP");
    }

    /** The readiness report: {@code status} UP or DOWN, and each check's status (with the reason when down). */
    public Report ready() {
        Future<Object> db = checks.submit(database::get);
        Future<Object> k = checks.submit(kafka::get);
        Map<String, Map<String, String>> results = new LinkedHashMap<>();
        results.put("database", outcome(db));
        results.put("kafka", outcome(k));
        Instant now = clock.instant();
        for (LoopHealth loop : loops.get()) {
            results.put(loop.name(), loop(loop, now));
        }
        String lacking = definitions.get();
        Map<String, String> defs = new LinkedHashMap<>();
        defs.put("status", lacking == null ? "UP" : "DOWN");
        if (lacking != null) {
            defs.put("detail", lacking);
        }
        results.put("definitions", defs);
        boolean up = results.values().stream().allMatch(r -> r.get("status").equals("UP"));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", up ? "UP" : "DOWN");
        body.put("checks", results);
        return new Report(up, body);
    }

    private Map<String, String> loop(LoopHealth loop, Instant now) {
        Map<String, String> m = new LinkedHashMap<>();
        Duration silence = loop.silence(now);
        boolean up = silence.compareTo(maxPollSilence) <= 0;
        m.put("status", up ? "UP" : "DOWN");
        if (!up) {
            m.put("detail", "no successful poll for " + silence.toSeconds() + " s (bound " + maxPollSilence.toMillis()
                    + " ms)" + (loop.failing() ? "; " + loop.consecutiveFailures() + " failure(s) in a row, the last: "
                    + loop.lastError() : ""));
        }
        m.put("lastSuccessfulPoll", loop.lastSuccessfulPoll().toString());
        m.put("restarts", Long.toString(loop.restarts()));
        return m;
    }

    /** A readiness result and its JSON body. */
    public record Report(boolean up, Map<String, Object> body) {}

    private static Map<String, String> outcome(Future<Object> f) {
        Map<String, String> m = new LinkedHashMap<>();
        try {
            f.get(TIMEOUT.toMillis() + 500, TimeUnit.MILLISECONDS);
            m.put("status", "UP");
        } catch (TimeoutException e) {
            // not cancel(true): interrupting a thread inside an embedded H2 query closes the database's file channel
            f.cancel(false);
            m.put("status", "DOWN");
            m.put("detail", "no answer within " + TIMEOUT.toSeconds() + " s");
        } catch (ExecutionException e) {
            m.put("status", "DOWN");
            Throwable c = e.getCause();
            m.put("detail", c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage().replaceAll("\\s+", " "));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            m.put("status", "DOWN");
            m.put("detail", "interrupted");
        }
        return m;
    }

    @Override
    public void close() {
        checks.shutdown(); // no interrupts, as above; a check still running ends within its timeout
        admin.close(Duration.ofSeconds(1));
    }
}
