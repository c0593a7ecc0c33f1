package dev.baton.jdbi;

import com.zaxxer.hikari.metrics.MetricsTrackerFactory;
import dev.baton.protocol.Secrets;
import java.nio.file.Path;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How {@link JdbiSagaStore#create(JdbiStoreOptions)} connects: a JDBC URL and credentials for a HikariCP pool that
 * the store creates, owns and closes. Immutable: every {@code with…} method returns a new instance. Thread-safe.
 *
 * <pre>{@code
 * JdbiSagaStore store = JdbiSagaStore.create(JdbiStoreOptions.h2File(Path.of("data")).withMaximumPoolSize(4));
 * }</pre>
 *
 * @param jdbcUrl the JDBC URL; must start with {@code jdbc:}
 * @param username the database user; may be empty
 * @param password the password; may be empty, never printed by {@link #toString()}
 * @param maximumPoolSize the pool's maximum (and idle) number of connections; defaults to
 *     {@value #DEFAULT_MAXIMUM_POOL_SIZE}
 * @param migrate whether to create or upgrade the schema with Flyway on start; defaults to true. Turn it off when
 *     the schema is migrated by other means; the store then expects it to be current.
 * @param metricsTrackerFactory where the pool reports its metrics (connections active, idle, pending, wait and use
 *     times), or null for none (the default). For Micrometer: {@code new MicrometerMetricsTrackerFactory(registry)}
 *     from HikariCP, which needs {@code micrometer-core} on the classpath; this module does not depend on it.
 * @param h2Compaction for an H2 file database opened in this JVM: whether the store rewrites its sparse chunks every
 *     few seconds, which keeps the file proportional to the live data (H2's own housekeeping does not run at all while every
 *     commit is written at once, {@code WRITE_DELAY=0}); defaults to true. Ignored for other databases.
 * @since 0.1
 */
public record JdbiStoreOptions(String jdbcUrl, String username, String password, int maximumPoolSize,
                               boolean migrate, MetricsTrackerFactory metricsTrackerFactory, boolean h2Compaction) {

    /** The default pool size: HikariCP's default, ample for one engine node. */
    public static final int DEFAULT_MAXIMUM_POOL_SIZE = 10;

    /**
     * The H2 settings added to file URLs. {@code WRITE_DELAY=0}: a commit reaches the file before {@code commit()}
     * returns, so a committed transaction is meant to survive the process being killed (H2 2.5.252 was seen losing
     * the last acknowledged commits of some kills all the same: docs/operations.md, "Durability"). A URL of your own
     * that keeps H2's write delay gets the store's group commit instead, which waits for the write of a
     * transaction's commit before {@link JdbiSagaStore#inTransaction} returns; measured, it costs more CPU per saga
     * than writing each commit, so it is not the default. Neither fsyncs: a power cut or OS crash can still lose
     * recent commits; that durability is PostgreSQL's job. {@code DB_CLOSE_ON_EXIT=FALSE}: H2 does not close the
     * database from its own shutdown hook, so an application shutting down can still use the store until it closes
     * it.
     */
    public static final String H2_FILE_SETTINGS = ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE";

    private static final Pattern MEMORY_NAME = Pattern.compile("[A-Za-z0-9_\\-]{1,100}");

    public JdbiStoreOptions {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        if (!jdbcUrl.startsWith("jdbc:")) {
            throw new IllegalArgumentException("jdbcUrl must start with 'jdbc:', but was '" + jdbcUrl + "'");
        }
        if (maximumPoolSize < 1) {
            throw new IllegalArgumentException("maximumPoolSize must be >= 1, but was " + maximumPoolSize);
        }
    }

    /** Options for a database at {@code jdbcUrl}, with the default pool size and migration on. */
    public static JdbiStoreOptions of(String jdbcUrl, String username, String password) {
        return new JdbiStoreOptions(jdbcUrl, username, password, DEFAULT_MAXIMUM_POOL_SIZE, true, null, true);
    }

    /**
     * The embedded default: an H2 database in {@code directory} (file {@code baton.mv.db}; the directory is created
     * when the store opens), user {@code sa}, made crash-safe with {@link #H2_FILE_SETTINGS}. One process at a time
     * may open it.
     *
     * @throws IllegalArgumentException when the path contains {@code ;}, which H2 would read as a setting
     */
    public static JdbiStoreOptions h2File(Path directory) {
        String path = directory.toAbsolutePath().normalize().resolve("baton").toString();
        if (path.contains(";")) {
            throw new IllegalArgumentException("the H2 directory must not contain ';', but was '" + directory + "'");
        }
        return of("jdbc:h2:file:" + path + H2_FILE_SETTINGS, "sa", "");
    }

    /**
     * A private in-memory H2 database, for tests: it lives as long as the store's pool, so closing the store drops
     * it. Stores opened on the same name in one JVM while it lives share it.
     *
     * @param name 1 to 100 letters, digits, {@code _} or {@code -}
     */
    public static JdbiStoreOptions h2InMemory(String name) {
        if (name == null || !MEMORY_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("the in-memory database name must be 1 to 100 letters, digits, '_'"
                    + " or '-', but was '" + name + "'");
        }
        return of("jdbc:h2:mem:" + name, "sa", "");
    }

    /** A copy with another pool size. */
    public JdbiStoreOptions withMaximumPoolSize(int size) {
        return new JdbiStoreOptions(jdbcUrl, username, password, size, migrate, metricsTrackerFactory, h2Compaction);
    }

    /** A copy that does or does not migrate the schema on start. */
    public JdbiStoreOptions withMigrate(boolean migrateOnStart) {
        return new JdbiStoreOptions(jdbcUrl, username, password, maximumPoolSize, migrateOnStart, metricsTrackerFactory,
                h2Compaction);
    }

    /** A copy whose pool reports its metrics to {@code factory} (null: none). */
    public JdbiStoreOptions withMetricsTrackerFactory(MetricsTrackerFactory factory) {
        return new JdbiStoreOptions(jdbcUrl, username, password, maximumPoolSize, migrate, factory, h2Compaction);
    }

    /**
     * A copy that does or does not compact an embedded H2 file while the store runs (see {@link #h2Compaction()}).
     *
     * @since 0.5
     */
    public JdbiStoreOptions withH2Compaction(boolean compact) {
        return new JdbiStoreOptions(jdbcUrl, username, password, maximumPoolSize, migrate, metricsTrackerFactory, compact);
    }

    boolean isH2InMemory() {
        return jdbcUrl.startsWith("jdbc:h2:mem:");
    }

    /** Shows every field but the password, also masked where the URL carries one ({@code password=…}). */
    @Override
    public String toString() {
        return "JdbiStoreOptions[jdbcUrl=" + Secrets.maskUrl(jdbcUrl) + ", username=" + username + ", password="
                + (password.isEmpty() ? "" : "****") + ", maximumPoolSize=" + maximumPoolSize + ", migrate=" + migrate
                + (metricsTrackerFactory == null ? "" : ", metrics=" + metricsTrackerFactory.getClass().getSimpleName())
                + (h2Compaction ? "" : ", h2Compaction=false") + "]";
    }
}
