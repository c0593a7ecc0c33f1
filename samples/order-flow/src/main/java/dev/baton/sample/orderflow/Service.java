package dev.baton.sample.orderflow;

import dev.baton.kafka.common.KafkaOptions;
import dev.baton.participant.kafka.KafkaParticipant;
import dev.baton.participant.CommandHandlers;
import dev.baton.participant.JdbiIdempotencyStore;
import dev.baton.participant.ParticipantRuntime;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.BiFunction;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * One participant service: its own database (business tables and the SDK's idempotency records, so a handler's
 * writes commit in the same transaction as the record), an H2 file or a schema of its own in PostgreSQL, and its
 * Kafka binding. Subclasses give the schema
 * and the handlers. Each service also has a {@code main} that runs it as its own process.
 */
public abstract class Service implements AutoCloseable {
    private final String name;
    private final Path dataDir;
    private final KafkaOptions options;
    private volatile ServiceDatabase database; // null: an H2 file in dataDir
    private volatile JdbiIdempotencyStore store;
    private volatile KafkaParticipant binding;

    protected Service(String name, Path dataDir, KafkaOptions options) {
        this.name = name;
        this.dataDir = dataDir;
        this.options = options;
    }

    /** Creates the business tables if missing (the service may restart on an existing file). */
    protected abstract void schema(Handle h);

    protected abstract CommandHandlers handlers();

    public String name() {
        return name;
    }

    /**
     * Keeps the service's data in its own schema of a PostgreSQL database instead of an H2 file; call before
     * {@link #start()}. Null goes back to the H2 file.
     */
    public Service on(ServiceDatabase database) {
        this.database = database;
        return this;
    }

    /**
     * The JDBC URL of the service's database: an H2 file, every commit written through, or its schema in PostgreSQL
     * (see {@link #on(ServiceDatabase)}).
     */
    public String jdbcUrl() {
        ServiceDatabase db = database;
        return db != null ? db.jdbcUrl(name)
                : "jdbc:h2:file:" + dataDir.resolve(name).toAbsolutePath() + ";WRITE_DELAY=0";
    }

    /** Opens the database and starts consuming commands. */
    public synchronized Service start() {
        ServiceDatabase db = database;
        if (db != null) {
            db.prepare(name);
        }
        JdbiIdempotencyStore s = db != null ? JdbiIdempotencyStore.create(jdbcUrl(), db.user(), db.password())
                : JdbiIdempotencyStore.create(jdbcUrl(), "sa", "");
        try {
            s.jdbi().useHandle(this::schema);
            ParticipantRuntime runtime = ParticipantRuntime.builder().handlers(handlers()).store(s).build();
            this.store = s;
            this.binding = KafkaParticipant.create(options, runtime).start();
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
        return this;
    }

    /** The service's database (open while the service runs). */
    public Jdbi jdbi() {
        JdbiIdempotencyStore s = store;
        if (s == null) {
            throw new IllegalStateException(name + " is not running");
        }
        return s.jdbi();
    }

    public boolean isRunning() {
        return binding != null;
    }

    /**
     * Stops the service the hard way, as a crash would: the Kafka binding and the connection pool are closed under
     * whatever is in progress; uncommitted work is lost, unacknowledged commands are redelivered after a restart.
     */
    public synchronized void kill() {
        KafkaParticipant b = binding;
        JdbiIdempotencyStore s = store;
        binding = null;
        store = null;
        Thread pool = new Thread(() -> closeQuietly(s), name + "-kill-db");
        pool.start(); // the pool goes away while the consumer may still be inside a handler
        closeQuietly(b);
        try {
            pool.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public synchronized void close() {
        closeQuietly(binding);
        closeQuietly(store);
        binding = null;
        store = null;
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            // stopping anyway
        }
    }

    /**
     * {@code main} of a service run as its own process:
     * {@code --bootstrap host:port [--data DIR] [--topic-prefix orderflow.] [--partitions 3]}. Runs until the process is
     * stopped; exits with 2 on a bad option or value.
     */
    static void runAlone(String[] args, BiFunction<Path, KafkaOptions, Service> factory) {
        System.exit(new CommandLine(new AloneCommand(factory)).execute(args));
    }

    /** The command line of a service run as its own process. */
    @Command(name = "service", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Runs one of the demo's services on its own H2 file, against an existing Kafka broker.")
    static final class AloneCommand implements Callable<Integer> {
        @Option(names = "--bootstrap", paramLabel = "HOST:PORT", required = true, description = "Kafka's bootstrap servers.")
        String bootstrap;

        @Option(names = "--data", paramLabel = "DIR", defaultValue = "data/order-flow",
                description = "Where the service's database file is (default ${DEFAULT-VALUE}).")
        Path data;

        @Option(names = "--topic-prefix", paramLabel = "P", defaultValue = OrderFlowDemo.TOPIC_PREFIX,
                description = "Prefix of the topics (default ${DEFAULT-VALUE}).")
        String prefix;

        @Option(names = "--partitions", paramLabel = "N", defaultValue = "" + OrderFlowDemo.PARTITIONS,
                description = "Partitions of the topics it creates (default ${DEFAULT-VALUE}).")
        int partitions;

        private final BiFunction<Path, KafkaOptions, Service> factory;

        AloneCommand(BiFunction<Path, KafkaOptions, Service> factory) {
            this.factory = factory;
        }

        @Override
        public Integer call() throws InterruptedException {
            KafkaOptions options = OrderFlowDemo.kafkaOptions(bootstrap, prefix, partitions);
            Service s = factory.apply(data, options).start();
            CountDownLatch stop = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                s.close();
                stop.countDown();
            }));
            System.out.println(s.name() + " service running on " + s.jdbcUrl() + "; Ctrl-C stops it");
            stop.await();
            return 0;
        }
    }
}
