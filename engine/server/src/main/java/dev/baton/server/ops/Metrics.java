package dev.baton.server.ops;

import com.zaxxer.hikari.metrics.MetricsTrackerFactory;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.spi.SagaCount;
import dev.baton.engine.spi.SagaStore;
import dev.baton.kafka.common.LoopHealth;
import dev.baton.micrometer.BatonMetrics;
import dev.baton.micrometer.Cached;
import dev.baton.micrometer.MicrometerSagaListener;
import dev.baton.micrometer.TypeAndStatus;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The server's Prometheus registry: JVM and process meters at construction, the connection pool's through
 * {@link #poolMetrics()}, Baton's through {@link #bindEngine}. {@link #scrape()} is the {@code /metrics}
 * text.
 *
 * @since 0.1
 */
public final class Metrics implements AutoCloseable {
    /** How long the store-backed gauges reuse one reading: one set of count queries per period, however often scraped. */
    public static final Duration GAUGE_CACHE = Duration.ofSeconds(5);
    /** The Prometheus text exposition format's content type. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();

    public Metrics() {
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    /** HikariCP's meters ({@code hikaricp_connections_*}) for the store's pool. */
    public MetricsTrackerFactory poolMetrics() {
        return new MicrometerMetricsTrackerFactory(registry);
    }

    /**
     * Binds Baton's meters, with the gauges over {@code store} ({@code baton.sagas.active}, {@code baton.outbox.pending},
     * {@code baton.timers.due}) read through {@link Cached} every {@link #GAUGE_CACHE}, and the SLAs of
     * {@code definitions} on the duration timers. Returns the listener for the engine.
     */
    public MicrometerSagaListener bindEngine(SagaStore store, List<? extends dev.baton.dsl.SagaDefinition<?>> definitions) {
        Cached<Long> outbox = Cached.every(GAUGE_CACHE, store::outboxBacklog);
        Cached<Long> timers = Cached.every(GAUGE_CACHE, () -> store.dueTimerCount(Instant.now()));
        return BatonMetrics.builder(registry)
                .activeCounts(Cached.every(GAUGE_CACHE, () -> active(store)))
                .outboxPending(outbox::get)
                .timersDue(timers::get)
                .slas(definitions)
                .bind();
    }

    private static Map<TypeAndStatus, Long> active(SagaStore store) {
        Map<TypeAndStatus, Long> m = new HashMap<>();
        for (SagaCount c : store.counts()) {
            if (c.status() != SagaStatus.COMPLETED && c.status() != SagaStatus.COMPENSATED) {
                m.merge(new TypeAndStatus(c.type(), c.status()), c.count(), Long::sum);
            }
        }
        return m;
    }

    /**
     * Binds two meters per Kafka consumer loop, tagged {@code loop=<name>}: {@code baton.kafka.loop.poll.silence} (a
     * gauge: seconds since the loop last polled successfully) and {@code baton.kafka.loop.restarts} (a counter: times
     * it replaced its consumer). {@code loops} is read at each scrape; its loops' names must not change.
     */
    public void bindLoops(Supplier<List<LoopHealth>> loops) {
        for (LoopHealth initial : loops.get()) {
            String name = initial.name();
            Supplier<LoopHealth> current = () -> loops.get().stream().filter(l -> l.name().equals(name)).findFirst()
                    .orElse(initial);
            Gauge.builder("baton.kafka.loop.poll.silence", current,
                            l -> l.get().silence(Instant.now()).toMillis() / 1000.0)
                    .description("Seconds since the Kafka consumer loop last polled successfully")
                    .baseUnit("seconds").tag("loop", name).register(registry);
            FunctionCounter.builder("baton.kafka.loop.restarts", current, l -> l.get().restarts())
                    .description("Times the Kafka consumer loop closed its consumer and made a new one")
                    .tag("loop", name).register(registry);
        }
    }

    /** The registry (for tests and further binders). */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** Every meter in the Prometheus text format. */
    public String scrape() {
        return registry.scrape();
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
