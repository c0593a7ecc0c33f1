package dev.baton.kafka.dev;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kafka broker, one node in KRaft mode that is both broker and controller, running inside this JVM.
 * For tests, the server's dev mode and the demo; not for production.
 *
 * <pre>{@code
 * try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().build().start()) {
 *     Map<String, Object> producerConfig = Map.of("bootstrap.servers", broker.bootstrapServers(), ...);
 * }
 * }</pre>
 *
 * <p>What {@link #start()} does: picks the ports, formats the storage directory if it holds no
 * {@code meta.properties} yet (a new random cluster id), then starts the node and returns once the broker
 * accepts requests. Both listeners are bound to {@code 127.0.0.1} only: the broker's (PLAINTEXT, no
 * authentication) on {@link Builder#port(int)} and the controller's on a free port chosen at each start
 * (the single voter is static, so the controller port may differ between restarts).
 *
 * <p>Settings for one node: replication factor and min ISR 1 for every topic, including the offsets,
 * transaction and share-group state topics (each with one partition);
 * {@code group.initial.rebalance.delay.ms=0} so a consumer group forms at once; 16 MiB segments and an
 * 8 MiB compaction buffer so the broker stays small. Auto-creation of topics stays on. Any of these can be
 * overridden with {@link Builder#brokerProperty(String, String)}; the listeners, node id, roles, voters
 * and directories cannot.
 *
 * <p>Restarting on the same {@link Builder#dataDirectory(Path) data directory} keeps topics, records and
 * committed offsets. Without one, storage goes to a temporary directory that {@link #close()} deletes.
 *
 * <p>An instance starts once: to restart, close it and build a new one on the same directory. Two brokers
 * must not share a directory at the same time (Kafka locks it). Thread-safe.
 *
 * <p>Run it as its own process with {@link #main(String[])} ({@link DevBrokerCommand}).
 *
 * @since 0.1
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);

    /** The only address both listeners bind to. */
    public static final String HOST = "127.0.0.1";

    private static final int NODE_ID = 1;
    private static final String BROKER_LISTENER = "PLAINTEXT";
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final int BIND_ATTEMPTS = 3;

    /** Properties that define the node's layout; {@link Builder#brokerProperty} refuses them. */
    static final Set<String> RESERVED_PROPERTIES = Set.of(
            "process.roles", "node.id", "broker.id", "controller.quorum.voters", "controller.quorum.bootstrap.servers",
            "listeners", "advertised.listeners", "listener.security.protocol.map", "controller.listener.names",
            "inter.broker.listener.name", "log.dir", "log.dirs", "metadata.log.dir");

    private enum State { NEW, RUNNING, CLOSED }

    private final Path configuredDirectory; // null: a temporary directory
    private final int configuredPort;
    private final int defaultPartitions;
    private final Map<String, String> extraProperties;
    private final CountDownLatch closed = new CountDownLatch(1);

    private State state = State.NEW;
    private KafkaRaftServer server;
    private Path dataDirectory;
    private boolean deleteOnClose;
    private int port;
    private int controllerPort;
    private String clusterId;
    private Duration startupDuration;

    private EmbeddedKafkaBroker(Builder b) {
        this.configuredDirectory = b.dataDirectory;
        this.configuredPort = b.port;
        this.defaultPartitions = b.defaultPartitions;
        this.extraProperties = Map.copyOf(b.properties);
    }

    /** A builder with the defaults: a temporary directory, a free port, one partition per new topic. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Formats the storage if needed and starts the node; returns when the broker accepts requests.
     *
     * @return this broker, to chain {@code builder().build().start()}
     * @throws IllegalStateException if this instance was started or closed before
     * @throws KafkaBrokerException if the broker could not start (the port is taken, the directory is locked
     *     or formatted for another node, ...); whatever was started is stopped again
     */
    public synchronized EmbeddedKafkaBroker start() {
        if (state != State.NEW) {
            throw new IllegalStateException("an EmbeddedKafkaBroker starts once, but this one is " + state
                    + "; build a new one on the same data directory to restart");
        }
        long t0 = System.nanoTime();
        try {
            prepareDirectory();
            startServer();
        } catch (RuntimeException e) {
            state = State.CLOSED;
            deleteDirectoryIfTemporary();
            closed.countDown();
            throw e instanceof KafkaBrokerException k ? k
                    : new KafkaBrokerException("Kafka broker on " + dataDirectory + " failed to start: " + e.getMessage(), e);
        }
        startupDuration = Duration.ofNanos(System.nanoTime() - t0);
        state = State.RUNNING;
        log.info("Kafka broker ready at {} (cluster {}, data in {}, started in {} ms)",
                bootstrapServers(), clusterId, dataDirectory, startupDuration.toMillis());
        return this;
    }

    private void prepareDirectory() {
        try {
            if (configuredDirectory == null) {
                dataDirectory = Files.createTempDirectory("baton-kafka-");
                deleteOnClose = true;
            } else {
                dataDirectory = Files.createDirectories(configuredDirectory.toAbsolutePath().normalize());
            }
        } catch (IOException e) {
            throw new KafkaBrokerException("cannot create the Kafka data directory " + configuredDirectory + ": " + e, e);
        }
    }

    private void startServer() {
        if (configuredPort != 0) {
            LoopbackPorts.requireFree(configuredPort);
        }
        for (int attempt = 1; ; attempt++) {
            port = configuredPort == 0 ? LoopbackPorts.freePort(-1) : configuredPort;
            controllerPort = LoopbackPorts.freePort(port);
            Properties props = brokerProperties();
            log.debug("Kafka broker properties: {}", props);
            KafkaConfig config = KafkaConfig.fromProps(props, false);
            clusterId = KRaftStorage.formatIfNeeded(dataDirectory, NODE_ID, CONTROLLER_LISTENER);
            KafkaRaftServer candidate = new KafkaRaftServer(config, Time.SYSTEM);
            try {
                candidate.startup();
                server = candidate;
                return;
            } catch (RuntimeException e) {
                stopQuietly(candidate);
                if (!LoopbackPorts.isBindFailure(e)) {
                    throw e;
                }
                // a probed free port was released before Kafka bound it, and someone took it in between: probe again
                boolean onAProbedPort = configuredPort == 0 || !LoopbackPorts.mentions(e, HOST + ":" + configuredPort);
                if (onAProbedPort && attempt < BIND_ATTEMPTS) {
                    log.warn("Kafka broker could not bind (attempt {}/{}), trying other ports: {}", attempt, BIND_ATTEMPTS, e.toString());
                    continue;
                }
                throw new KafkaBrokerException("Kafka broker could not bind to " + HOST + ":" + port
                        + " (broker) or " + HOST + ":" + controllerPort + " (controller): a port is in use", e);
            }
        }
    }

    /** The node's configuration: the layout, then the defaults for one node, then the extra properties. */
    private Properties brokerProperties() {
        Map<String, String> p = new LinkedHashMap<>();
        // layout: one node, broker and controller, loopback only
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(NODE_ID));
        p.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
        p.put("listeners", BROKER_LISTENER + "://" + HOST + ":" + port + "," + CONTROLLER_LISTENER + "://" + HOST + ":" + controllerPort);
        p.put("advertised.listeners", BROKER_LISTENER + "://" + HOST + ":" + port);
        p.put("listener.security.protocol.map", BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("inter.broker.listener.name", BROKER_LISTENER);
        p.put("log.dirs", dataDirectory.toString());
        // one replica of everything
        p.put("num.partitions", Integer.toString(defaultPartitions));
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("share.coordinator.state.topic.num.partitions", "1");
        // fast and small
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("log.segment.bytes", Integer.toString(16 * 1024 * 1024));
        p.put("log.cleaner.dedupe.buffer.size", Integer.toString(8 * 1024 * 1024)); // 128 MiB of heap by default
        p.putAll(extraProperties);
        Properties props = new Properties();
        props.putAll(p);
        return props;
    }

    /**
     * {@code 127.0.0.1:<port>}, for the clients' {@code bootstrap.servers}.
     *
     * @throws IllegalStateException if the broker is not running
     */
    public synchronized String bootstrapServers() {
        requireRunning();
        return HOST + ":" + port;
    }

    /** The port the broker listens on (the chosen one if {@link Builder#port(int)} was 0). */
    public synchronized int port() {
        requireRunning();
        return port;
    }

    /** Where the broker keeps its data: the configured directory, or the temporary one. */
    public synchronized Path dataDirectory() {
        requireRunning();
        return dataDirectory;
    }

    /** The cluster id, written to the storage when it was formatted; the same after a restart. */
    public synchronized String clusterId() {
        requireRunning();
        return clusterId;
    }

    /** How long {@link #start()} took, formatting included. */
    public synchronized Duration startupDuration() {
        requireRunning();
        return startupDuration;
    }

    /** Whether the broker was started and is not closed yet. */
    public synchronized boolean isRunning() {
        return state == State.RUNNING;
    }

    private void requireRunning() {
        if (state != State.RUNNING) {
            throw new IllegalStateException("the Kafka broker is " + (state == State.NEW ? "not started yet" : "closed"));
        }
    }

    /**
     * Shuts the broker down (a controlled shutdown, so the next start needs no log recovery) and waits for
     * it, then deletes the storage if it was a temporary directory. Idempotent; also fine before
     * {@link #start()}.
     */
    @Override
    public synchronized void close() {
        if (state == State.CLOSED) {
            return;
        }
        State was = state;
        state = State.CLOSED;
        try {
            if (was == State.RUNNING) {
                long t0 = System.nanoTime();
                stopQuietly(server);
                log.info("Kafka broker at {}:{} stopped in {} ms", HOST, port, (System.nanoTime() - t0) / 1_000_000);
            }
            deleteDirectoryIfTemporary();
        } finally {
            closed.countDown();
        }
    }

    private static void stopQuietly(KafkaRaftServer s) {
        try {
            s.shutdown();
            s.awaitShutdown();
        } catch (RuntimeException e) {
            log.warn("Kafka broker did not shut down cleanly", e);
        }
    }

    private void deleteDirectoryIfTemporary() {
        if (!deleteOnClose || dataDirectory == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(dataDirectory)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        } catch (IOException | UncheckedIOException e) {
            log.warn("could not delete the Kafka data directory {}", dataDirectory, e);
        }
    }

    @Override
    public synchronized String toString() {
        return switch (state) {
            case NEW -> "EmbeddedKafkaBroker[not started]";
            case RUNNING -> "EmbeddedKafkaBroker[" + HOST + ":" + port + ", " + dataDirectory + "]";
            case CLOSED -> "EmbeddedKafkaBroker[closed]";
        };
    }

    /**
     * Runs a broker as its own process until the process is stopped: {@link DevBrokerCommand} ({@code --help} lists
     * the options).
     */
    public static void main(String[] args) {
        System.exit(DevBrokerCommand.execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Waits until this broker is closed (by {@link #close()} or a failed start). */
    void awaitClosed() throws InterruptedException {
        closed.await();
    }

    /**
     * Options of an {@link EmbeddedKafkaBroker}. Not thread-safe; {@link #build()} copies it, so a builder can be
     * reused.
     */
    public static final class Builder {
        private Path dataDirectory;
        private int port;
        private int defaultPartitions = 1;
        private final Map<String, String> properties = new LinkedHashMap<>();

        private Builder() {}

        /**
         * Where the broker keeps its data; created if missing, formatted on the first start, kept on close.
         * Defaults to a new temporary directory that {@link EmbeddedKafkaBroker#close()} deletes.
         */
        public Builder dataDirectory(Path dir) {
            this.dataDirectory = Objects.requireNonNull(dir, "dataDirectory");
            return this;
        }

        /** The broker's port on {@code 127.0.0.1}. Defaults to 0: a free port, chosen at start. */
        public Builder port(int port) {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("port must be between 0 (any free port) and 65535, but was " + port);
            }
            this.port = port;
            return this;
        }

        /** Partitions of a topic created without a count (auto-created ones too): {@code num.partitions}. Defaults to 1. */
        public Builder defaultPartitions(int partitions) {
            if (partitions < 1) {
                throw new IllegalArgumentException("defaultPartitions must be >= 1, but was " + partitions);
            }
            this.defaultPartitions = partitions;
            return this;
        }

        /**
         * Sets a broker property, overriding this class's default for it (for example
         * {@code auto.create.topics.enable=false}). The properties that define the node's layout (roles, node
         * id, voters, listeners, directories) cannot be set.
         *
         * @throws IllegalArgumentException if {@code key} is one of those
         */
        public Builder brokerProperty(String key, String value) {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
            if (RESERVED_PROPERTIES.contains(key)) {
                throw new IllegalArgumentException("broker property '" + key + "' is set by EmbeddedKafkaBroker itself"
                        + " and cannot be overridden; the reserved ones are " + new TreeSet<>(RESERVED_PROPERTIES));
            }
            properties.put(key, value);
            return this;
        }

        /** Builds a broker that is not started yet. */
        public EmbeddedKafkaBroker build() {
            return new EmbeddedKafkaBroker(this);
        }
    }
}
