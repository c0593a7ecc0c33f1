package dev.baton.server;

import dev.baton.dsl.SagaDefinition;
import dev.baton.dsl.SagaDefinitionProvider;
import dev.baton.engine.SagaEngine;
import dev.baton.engine.spi.SagaListener;
import dev.baton.engine.SagaStoreException;
import dev.baton.engine.spi.SagaStore;
import dev.baton.jackson.JacksonCodec;
import dev.baton.jdbi.JdbiSagaStore;
import dev.baton.jdbi.JdbiStoreOptions;
import dev.baton.kafka.common.KafkaOptions;
import dev.baton.kafka.common.LoopHealth;
import dev.baton.kafka.KafkaStartConsumer;
import dev.baton.kafka.KafkaTransport;
import dev.baton.micrometer.MicrometerSagaListener;
import dev.baton.micrometer.ParticipantMeters;
import dev.baton.resilience4j.BreakerMetrics;
import dev.baton.resilience4j.ParticipantBreakers;
import dev.baton.server.api.Auth;
import dev.baton.server.api.BulkApi;
import dev.baton.server.api.ContainerErrors;
import dev.baton.server.api.Json;
import dev.baton.server.api.Problems;
import dev.baton.server.api.SagaApi;
import dev.baton.server.api.ServiceMapApi;
import dev.baton.server.ops.BothListeners;
import dev.baton.server.ops.CommandLag;
import dev.baton.server.ops.ParticipantTraffic;
import dev.baton.server.ops.SlaWatch;
import dev.baton.server.ops.Health;
import dev.baton.server.ops.Metrics;
import dev.baton.server.ops.Tracing;
import dev.baton.server.ops.SagaLog;
import io.javalin.Javalin;
import io.javalin.http.HandlerType;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.ServiceLoader;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The standalone engine service: the saga store, the Kafka transport and start-topic consumer, the engine, metrics,
 * health and the HTTP server, wired from a {@link ServerConfig}. Start with {@link #start}, stop with {@link #close()}.
 *
 * <p>HTTP: the REST API under {@code /api} ({@link SagaApi}), {@code /metrics} (Prometheus text), {@code /health/live}
 * and {@code /health/ready}. Every error is an RFC 9457 problem ({@link Problems}).
 *
 * @since 0.1
 */
public final class BatonServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BatonServer.class);
    private static final Logger httpLog = LoggerFactory.getLogger("dev.baton.server.http");
    /** The most bytes a request line and its headers may take; beyond it the answer is 414 or 431. */
    static final int HEADER_LIMIT = 8192;
    /** Methods that the router lists but that are not endpoints. */
    private static final Set<HandlerType> NOT_ENDPOINTS = Set.of(HandlerType.BEFORE, HandlerType.BEFORE_MATCHED,
            HandlerType.AFTER, HandlerType.AFTER_MATCHED);

    private final ServerConfig config;
    private final List<SagaDefinition<?>> definitions;
    private final Deque<AutoCloseable> resources = new ArrayDeque<>();
    private final Metrics metrics;
    private final SagaStore store;
    private final SagaEngine engine;
    private final ParticipantBreakers breakers;
    private final Health health;
    private final Javalin http;

    private BatonServer(ServerConfig config, List<SagaDefinition<?>> definitions, Clock clock) {
        this.config = config;
        this.definitions = List.copyOf(definitions);
        try {
            this.metrics = own(new Metrics());
            this.store = own(openStore(config, metrics));
            MicrometerSagaListener meters = metrics.bindEngine(store, definitions);
            SlaWatch slas = new SlaWatch(definitions, config.getDouble(ServerConfig.SLA_WARN_RATIO),
                    config.getInt(ServerConfig.SLA_WARN_MIN_SAMPLES), config.slaWarnWindow(), clock);
            SagaListener listener = new SagaLog(new BothListeners(meters, slas));
            ParticipantTraffic traffic = new ParticipantTraffic(definitions, new ParticipantMeters(metrics.registry()),
                    clock);
            this.breakers = ParticipantBreakers.builder().settings(config.breakers()).build();
            BreakerMetrics.bind(breakers, metrics.registry());
            KafkaOptions kafka = kafkaOptions(config);
            // every documented meter has a series from the start, so alerts on them have something to watch
            meters.registerUpFront(definitions.stream().map(SagaDefinition::type).distinct().toList(),
                    List.of(KafkaOptions.deadLetterTopic(kafka.replyTopic()), KafkaOptions.deadLetterTopic(kafka.startTopic())));
            String kafkaAt = "Kafka at " + ServerConfig.KAFKA_BOOTSTRAP.name() + "=" + kafka.bootstrapServers();
            KafkaTransport transport;
            try {
                transport = KafkaTransport.create(kafka, listener);
            } catch (RuntimeException ex) {
                throw new StartException(kafkaAt + " is not usable: " + rootMessage(ex), ex);
            }
            // opened before the engine, closed after it (resources close in reverse): the engine's last spans get out
            io.opentelemetry.api.OpenTelemetry otel = Tracing.open(config, System::getProperty)
                    .map(sdk -> (io.opentelemetry.api.OpenTelemetry) own(sdk))
                    .orElse(io.opentelemetry.api.OpenTelemetry.noop());
            SagaEngine e;
            try {
                e = SagaEngine.builder()
                        .store(store)
                        .clock(clock)
                        .transport(traffic.watch(transport))
                        .codec(new JacksonCodec())
                        .register(definitions.toArray(SagaDefinition<?>[]::new))
                        .listener(listener)
                        .commandGate(traffic.watch(breakers))
                        .openTelemetry(otel)
                        .nodeName(config.get(ServerConfig.ENGINE_NODE_NAME).isBlank() ? null
                                : config.get(ServerConfig.ENGINE_NODE_NAME).strip())
                        .leaseDuration(Duration.ofMillis(config.getInt(ServerConfig.ENGINE_LEASE_MS)))
                        .flow(flowSettings(config))
                        .timerBatchSize(config.getInt(ServerConfig.ENGINE_TIMER_BATCH))
                        .historyPayloads(Boolean.parseBoolean(config.get(ServerConfig.HISTORY_PAYLOADS)))
                        .liveSettingsPoll(Duration.ofMillis(config.getInt(ServerConfig.ENGINE_LIVE_POLL_MS)))
                        .timeoutGraceAfterOpen(Duration.ofMillis(config.getInt(ServerConfig.ENGINE_TIMEOUT_GRACE_MS)))
                        .inboxRetention(Duration.ofHours(config.getInt(ServerConfig.ENGINE_INBOX_RETENTION_HOURS)))
                        .endedRetention(days(config, ServerConfig.ENGINE_ENDED_RETENTION_DAYS))
                        .failedRetention(days(config, ServerConfig.ENGINE_FAILED_RETENTION_DAYS))
                        .build();
            } catch (RuntimeException ex) {
                transport.close();
                throw new StartException("the saga engine cannot be built from the saga definitions and settings: "
                        + rootMessage(ex), ex);
            }
            resources.push(e::close); // closes the transport and the store too
            try {
                e.open();
            } catch (RuntimeException ex) {
                throw openFailure(ex, kafkaAt, databaseAt(config));
            }
            this.engine = e;
            KafkaStartConsumer starts = own(new KafkaStartConsumer(kafka, engine, listener).start());
            Supplier<List<LoopHealth>> loops = () -> {
                List<LoopHealth> all = new ArrayList<>(transport.loopHealth());
                all.add(starts.loopHealth());
                return all;
            };
            metrics.bindLoops(loops);
            dev.baton.micrometer.BatonMetrics.bindFlows(metrics.registry(), engine, clock);
            dev.baton.micrometer.BatonMetrics.bindRollouts(metrics.registry(), engine, definitions);
            this.health = own(new Health(store, kafka, loops,
                    Duration.ofMillis(config.getInt(ServerConfig.HEALTH_MAX_POLL_SILENCE_MS)), Clock.systemUTC()))
                    .checkDefinitions(() -> missingVersions(engine));
            SagaApi api = new SagaApi(engine, store, definitions, clock, config.getInt(ServerConfig.API_MAX_BODY),
                    () -> SagaApi.breakers(breakers.states()), config.get(ServerConfig.TRACING_LINK_TEMPLATE));
            CommandLag lag = new CommandLag(transport, traffic.declared(), Clock.systemUTC());
            own(lag);
            ParticipantMeters.bindCommandLag(metrics.registry(), traffic.declared(), lag::of);
            api.consumerLag(lag::engine).redact(config.redaction());
            ParticipantMeters.bindEngineLag(metrics.registry(), lag::engine);
            ServiceMapApi serviceMap = new ServiceMapApi(slas, traffic, engine,
                    () -> SagaApi.breakers(breakers.states()), lag::of, clock);
            Auth auth = new Auth(config.get(ServerConfig.API_TOKEN), config.get(ServerConfig.API_READ_TOKEN));
            BulkApi bulk = new BulkApi(engine, store, clock, config.getInt(ServerConfig.API_MAX_BODY));
            ContainerErrors containerErrors = new ContainerErrors(HEADER_LIMIT, config.getInt(ServerConfig.API_MAX_BODY));
            this.http = Javalin.create(c -> {
                c.jetty.host = config.get(ServerConfig.HTTP_HOST);
                c.jetty.port = config.getInt(ServerConfig.HTTP_PORT);
                // the web server's own refusals (bad URIs, long lines and headers, bad characters) as problem documents
                c.jetty.modifyHttpConfiguration(h -> h.setRequestHeaderSize(HEADER_LIMIT));
                c.jetty.modifyServer(server -> {
                    server.setErrorHandler(containerErrors);
                    // a graceful stop: the connector takes no new connections and the servlet context lets the requests
                    // in flight finish (a new one on an open connection gets a 503 problem), bounded by this timeout
                    server.setStopTimeout(config.getInt(ServerConfig.SHUTDOWN_GRACE_MS));
                });
                c.jetty.modifyServletContextHandler(context -> context.setErrorHandler(containerErrors));
                c.startup.showJavalinBanner = false;
                c.http.prefer405over404 = true;
                // bodies are read by Json.readObject with baton.api.max-body-bytes; Javalin's own cap must not come first
                c.http.maxRequestSize = config.getInt(ServerConfig.API_MAX_BODY) + 1L;
                c.requestLogger.http((ctx, ms) -> httpLog.debug("{} {} -> {} in {} ms", ctx.method(), ctx.path(),
                        ctx.statusCode(), ms.longValue()));
                c.routes.before("/api/*", auth::check);
                api.routes(c.routes);
                new dev.baton.server.api.LiveApi(engine, config.getInt(ServerConfig.API_MAX_BODY)).routes(c.routes);
                serviceMap.routes(c.routes);
                bulk.routes(c.routes);
                dev.baton.server.ui.Dashboard.install(c);
                c.routes.get("/health/live", ctx -> Json.write(ctx, 200, Health.live()));
                c.routes.get("/health/ready", ctx -> {
                    Health.Report r = health.ready();
                    Json.write(ctx, r.up() ? 200 : 503, r.body());
                });
                c.routes.get("/metrics", ctx -> ctx.status(200).contentType(Metrics.CONTENT_TYPE).result(metrics.scrape()));
                c.routes.exception(Exception.class, Problems::handle);
                for (int status : new int[] {400, 404, 405, 413, 500}) {
                    c.routes.error(status, Problems::ensureProblem);
                }
            });
            resources.push(() -> {
                log.info("stopping: HTTP takes no new connections; requests in flight have up to {} ms to finish",
                        config.get(ServerConfig.SHUTDOWN_GRACE_MS));
                http.stop();
                log.info("stopping: HTTP stopped; the consumers stop after their current batch, then the engine closes");
            });
            try {
                http.start();
            } catch (RuntimeException ex) {
                throw new StartException(ServerConfig.HTTP_PORT.name() + ": cannot listen on "
                        + config.get(ServerConfig.HTTP_HOST) + ":" + config.get(ServerConfig.HTTP_PORT) + ": " + rootMessage(ex), ex);
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private <T extends AutoCloseable> T own(T resource) {
        resources.push(resource);
        return resource;
    }

    /**
     * Starts the service: store (migrated), Kafka topics, engine, start consumer, HTTP.
     *
     * @throws ServerConfig.InvalidConfigException when there are no definitions
     * @throws StartException when the database, Kafka or the HTTP port cannot be used; the message is one line naming
     *     the setting
     */
    public static BatonServer start(ServerConfig config, List<SagaDefinition<?>> definitions) {
        return start(config, definitions, Clock.systemUTC());
    }

    /**
     * As {@link #start(ServerConfig, List)}, on {@code clock}: the engine's, the API's and the SLA and traffic windows'
     * (tests make time pass on purpose with it; health checks and breakers keep the system clock).
     */
    static BatonServer start(ServerConfig config, List<SagaDefinition<?>> definitions, Clock clock) {
        if (definitions.isEmpty()) {
            throw new ServerConfig.InvalidConfigException(List.of("no saga definitions found: put a jar with a "
                    + SagaDefinitionProvider.class.getName() + " service on the classpath or in " + ServerConfig.DEFINITIONS_DIR.name()));
        }
        log.info("starting Baton with settings:{}", config.describe());
        config.warnings().forEach(w -> log.warn("configuration: {}", w));
        config.insecureOpenWarning().ifPresent(w -> log.warn("configuration: {}", w));
        BatonServer s = new BatonServer(config, definitions, clock);
        log.info("Baton started: {} saga type(s), HTTP on port {}", definitions.stream().map(SagaDefinition::type).distinct().count(),
                s.port());
        return s;
    }

    static SagaStore openStore(ServerConfig config, Metrics metrics) {
        String url = config.get(ServerConfig.DB_URL);
        JdbiStoreOptions options = url.isEmpty()
                ? JdbiStoreOptions.h2File(Path.of(config.get(ServerConfig.DATA_DIR)))
                : JdbiStoreOptions.of(url, config.get(ServerConfig.DB_USER), config.get(ServerConfig.DB_PASSWORD));
        options = options.withMaximumPoolSize(config.getInt(ServerConfig.DB_POOL_SIZE)).withMetricsTrackerFactory(metrics.poolMetrics());
        try {
            return JdbiSagaStore.create(options);
        } catch (RuntimeException e) {
            throw new StartException("the database at " + databaseAt(config) + " cannot be opened: " + rootMessage(e), e);
        }
    }

    static KafkaOptions kafkaOptions(ServerConfig config) {
        KafkaOptions o = KafkaOptions.defaults(config.get(ServerConfig.KAFKA_BOOTSTRAP))
                .withTopicPrefix(config.get(ServerConfig.KAFKA_TOPIC_PREFIX))
                .withPartitions(config.getInt(ServerConfig.KAFKA_PARTITIONS))
                .withReplicationFactor((short) config.getInt(ServerConfig.KAFKA_REPLICATION))
                .withEngineGroupId(config.get(ServerConfig.KAFKA_GROUP))
                .withReplyConsumers(config.getInt(ServerConfig.KAFKA_REPLY_CONSUMERS));
        for (var e : config.kafkaClientProperties().entrySet()) {
            o = o.withClientProperty(e.getKey(), e.getValue());
        }
        return o.validate();
    }

    /** Saga definitions from {@link ServiceLoader} on the classpath and in the jars of {@code dir} (may be empty). */
    public static List<SagaDefinition<?>> discoverDefinitions(String dir) {
        ClassLoader loader = BatonServer.class.getClassLoader();
        if (!dir.isEmpty()) {
            try (Stream<Path> files = Files.list(Path.of(dir))) {
                List<URL> jars = new ArrayList<>();
                for (Path p : files.filter(f -> f.toString().endsWith(".jar")).toList()) {
                    jars.add(p.toUri().toURL());
                }
                loader = new URLClassLoader(jars.toArray(URL[]::new), loader);
            } catch (MalformedURLException e) {
                throw new IllegalStateException(e);
            } catch (IOException e) {
                throw new ServerConfig.InvalidConfigException(List.of(ServerConfig.DEFINITIONS_DIR.name() + ": cannot read '"
                        + dir + "': " + e.getMessage()));
            }
        }
        List<SagaDefinition<?>> out = new ArrayList<>();
        for (SagaDefinitionProvider p : ServiceLoader.load(SagaDefinitionProvider.class, loader)) {
            out.addAll(p.definitions());
        }
        return out;
    }

    /** Null when this node can run every saga not ended; else the versions it lacks, for readiness. */
    private static String missingVersions(SagaEngine engine) {
        List<dev.baton.engine.VersionReport> missing = engine.live().missingVersions();
        if (missing.isEmpty()) {
            return null;
        }
        return "this node lacks saga version(s) with sagas not ended, whose replies and timers it cannot handle: "
                + missing.stream().map(v -> v.type() + " v" + v.version() + " (" + v.unended() + ")").toList()
                + "; register them on this node (GET /api/versions)";
    }

    /** A retention in days; 0 is null (kept forever). */
    private static Duration days(ServerConfig config, ServerConfig.Key key) {
        int days = config.getInt(key);
        return days == 0 ? null : Duration.ofDays(days);
    }

    private static dev.baton.engine.FlowSettings flowSettings(ServerConfig config) {
        dev.baton.engine.FlowSettings d = Boolean.parseBoolean(config.get(ServerConfig.FLOW_ENABLED))
                ? dev.baton.engine.FlowSettings.DEFAULTS : dev.baton.engine.FlowSettings.OFF;
        return d.withLimits(1, config.getInt(ServerConfig.FLOW_MAX_LIMIT))
                .withInitialLimit(config.getInt(ServerConfig.FLOW_INITIAL_LIMIT));
    }

    /**
     * Names what failed while the engine opened: the database (its outbox sweep reads and leases rows), or Kafka (its
     * topics are checked and its consumers start).
     */
    static StartException openFailure(RuntimeException ex, String kafkaAt, String databaseAt) {
        for (Throwable t = ex; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SagaStoreException || t instanceof java.sql.SQLException) {
                return new StartException("the database at " + databaseAt + " failed while the engine opened: "
                        + rootMessage(ex), ex);
            }
        }
        return new StartException(kafkaAt + " is not usable: " + rootMessage(ex), ex);
    }

    /** Where the database is, as the settings say, with any password masked. */
    static String databaseAt(ServerConfig config) {
        String url = config.get(ServerConfig.DB_URL);
        return url.isEmpty() ? ServerConfig.DATA_DIR.name() + "=" + config.get(ServerConfig.DATA_DIR)
                : ServerConfig.DB_URL.name() + "=" + ServerConfig.maskUrl(url);
    }

    /** The messages of {@code e} and its causes on one line. */
    static String rootMessage(Throwable e) {
        StringBuilder sb = new StringBuilder();
        String last = null;
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
            if (last == null || !last.contains(m)) {
                sb.append(sb.isEmpty() ? "" : ": ").append(m);
            }
            last = m;
        }
        return sb.toString().replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
    }

    /** The port the HTTP server listens on (useful with port 0). */
    public int port() {
        return http.port();
    }

    /** Every HTTP endpoint as "METHOD /path", in declaration order. */
    public List<String> routes() {
        return http.unsafe.internalRouter.allHttpHandlers().stream()
                .filter(p -> !NOT_ENDPOINTS.contains(p.endpoint.method))
                .map(p -> p.endpoint.method + " " + p.endpoint.path)
                .toList();
    }

    public SagaEngine engine() {
        return engine;
    }

    /** The participants' circuit breakers. */
    public ParticipantBreakers breakers() {
        return breakers;
    }

    public SagaStore store() {
        return store;
    }

    public ServerConfig config() {
        return config;
    }

    public List<SagaDefinition<?>> definitions() {
        return definitions;
    }

    /**
     * Stops the service in order: HTTP (no new connections; requests in flight finish within
     * {@code baton.shutdown.grace-ms}), health, the start-topic consumer and the reply consumers (each after its
     * current batch), the engine and the store. Idempotent.
     */
    @Override
    public void close() {
        while (!resources.isEmpty()) {
            AutoCloseable r = resources.pop();
            try {
                r.close();
            } catch (Exception e) {
                log.warn("closing {} failed", r, e);
            }
        }
    }

    /**
     * The service cannot start: the database, Kafka or the HTTP port is not usable. The message is one line naming the
     * setting and the cause.
     *
     * @since 0.1
     */
    public static final class StartException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public StartException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
