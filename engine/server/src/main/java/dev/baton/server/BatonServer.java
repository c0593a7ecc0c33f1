package dev.baton.server;

import dev.baton.dsl.SagaDefinition;
import dev.baton.dsl.SagaDefinitionProvider;
import dev.baton.engine.SagaEngine;
import dev.baton.engine.spi.SagaListener;
import dev.baton.engine.spi.SagaStore;
import dev.baton.jackson.JacksonCodec;
import dev.baton.jdbi.JdbiSagaStore;
import dev.baton.jdbi.JdbiStoreOptions;
import dev.baton.kafka.KafkaOptions;
import dev.baton.kafka.KafkaStartConsumer;
import dev.baton.kafka.KafkaTransport;
import io.javalin.Javalin;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The standalone engine service: the saga store, the Kafka transport and start-topic consumer, the engine and the
 * HTTP server, wired from a {@link ServerConfig}. Start with {@link #start}, stop with {@link #close()}.
 *
 * @since 0.1
 */
public final class BatonServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BatonServer.class);

    private final ServerConfig config;
    private final SagaStore store;
    private final SagaEngine engine;
    private final KafkaStartConsumer starts;
    private final Javalin http;
    private final List<SagaDefinition<?>> definitions;

    private BatonServer(ServerConfig config, List<SagaDefinition<?>> definitions, SagaListener listener) {
        this.config = config;
        this.definitions = List.copyOf(definitions);
        this.store = openStore(config);
        KafkaOptions kafka = kafkaOptions(config);
        this.engine = SagaEngine.builder()
                .store(store)
                .transport(KafkaTransport.create(kafka, listener))
                .codec(new JacksonCodec())
                .register(definitions.toArray(SagaDefinition<?>[]::new))
                .listener(listener)
                .build();
        engine.open();
        this.starts = new KafkaStartConsumer(kafka, engine, listener).start();
        this.http = Javalin.create(c -> {
            c.jetty.host = config.get(ServerConfig.HTTP_HOST);
            c.jetty.port = config.getInt(ServerConfig.HTTP_PORT);
            c.startup.showJavalinBanner = false;
            c.routes.get("/health/live", ctx -> ctx.json(java.util.Map.of("status", "UP")));
            c.routes.get("/health/ready", ctx -> ctx.json(java.util.Map.of("status", "UP")));
        }).start();
    }

    /** Starts the service: store (migrated), Kafka topics, engine, start consumer, HTTP. */
    public static BatonServer start(ServerConfig config, List<SagaDefinition<?>> definitions) {
        if (definitions.isEmpty()) {
            throw new ServerConfig.InvalidConfigException(List.of("no saga definitions found: put a jar with a "
                    + SagaDefinitionProvider.class.getName() + " service on the classpath or in " + ServerConfig.DEFINITIONS_DIR.name()));
        }
        log.info("starting Baton with settings:{}", config.describe());
        return new BatonServer(config, definitions, SagaListener.NOOP);
    }

    static SagaStore openStore(ServerConfig config) {
        String url = config.get(ServerConfig.DB_URL);
        if (url.isEmpty()) {
            return JdbiSagaStore.create(JdbiStoreOptions.h2File(Path.of(config.get(ServerConfig.DATA_DIR)))
                    .withMaximumPoolSize(config.getInt(ServerConfig.DB_POOL_SIZE)));
        }
        return JdbiSagaStore.create(JdbiStoreOptions.of(url, config.get(ServerConfig.DB_USER), config.get(ServerConfig.DB_PASSWORD))
                .withMaximumPoolSize(config.getInt(ServerConfig.DB_POOL_SIZE)));
    }

    static KafkaOptions kafkaOptions(ServerConfig config) {
        KafkaOptions o = KafkaOptions.defaults(config.get(ServerConfig.KAFKA_BOOTSTRAP))
                .withTopicPrefix(config.get(ServerConfig.KAFKA_TOPIC_PREFIX))
                .withPartitions(config.getInt(ServerConfig.KAFKA_PARTITIONS))
                .withReplicationFactor((short) config.getInt(ServerConfig.KAFKA_REPLICATION))
                .withEngineGroupId(config.get(ServerConfig.KAFKA_GROUP));
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

    /** The port the HTTP server listens on (useful with port 0). */
    public int port() {
        return http.port();
    }

    public SagaEngine engine() {
        return engine;
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

    @Override
    public void close() {
        http.stop();
        starts.close();
        engine.close(); // closes the transport and the store
    }
}
