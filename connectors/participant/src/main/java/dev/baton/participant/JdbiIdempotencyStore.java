package dev.baton.participant;

import dev.baton.participant.internal.Inbox;
import dev.baton.participant.internal.OwnedPools;
import dev.baton.participant.internal.SchemaSetup;
import dev.baton.participant.internal.SqlErrors;
import dev.baton.protocol.Secrets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.jdbi.v3.core.ConnectionFactory;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The participant's idempotency record, in the service's own database, over JDBI: which command messages were
 * answered with a final outcome and what the answer was, plus per saga step what the compensation guard needs.
 * {@link ParticipantRuntime} writes it in the same transaction as each handler's own changes.
 *
 * <pre>{@code
 * JdbiIdempotencyStore store = JdbiIdempotencyStore.create(dataSource);      // the service's pool; you close it
 * Jdbi jdbi = store.jdbi();                                                 // register your mappers here, if you like
 * JdbiIdempotencyStore.h2InMemory("payment-test");                          // tests: a private in-memory H2
 * }</pre>
 *
 * <p><b>Schema.</b> Tables {@code baton_participant_inbox} and {@code baton_participant_step}. When Flyway is on the
 * classpath the store creates and upgrades them as it opens, from its dialect's folder
 * ({@code classpath:db/baton-participant/h2/} or {@code .../postgresql/}), with its own history table
 * {@code baton_participant_schema_history}; so it can share a schema with the service's tables and with Baton's
 * engine store (which uses {@code db/baton/} and {@code baton_schema_history}), and on a schema that already holds
 * tables the first migration baselines at version 0. Without Flyway, or with {@link Builder#migrate(boolean)
 * migrate(false)}, the service's own migration tool creates them (the DDL is in {@code docs/participants.md}) and the
 * store only checks that they are there.
 *
 * <p><b>Databases.</b> H2 2.x and PostgreSQL built in; others through a {@link StoreDialect}. The SDK runs its
 * transactions at READ COMMITTED and relies on {@code SELECT ... FOR UPDATE} row locks and savepoints.
 *
 * <p><b>Dependencies.</b> The SDK brings no database driver, pool or migration library: the service passes its own
 * {@link DataSource}. H2, HikariCP and Flyway are optional dependencies, needed only by {@link #h2InMemory(String)}
 * (H2), {@link #create(String, String, String)} (HikariCP and the driver) and migration (Flyway, with
 * {@code flyway-database-postgresql} on PostgreSQL).
 *
 * <p><b>Retention.</b> The store purges on its own: a daemon thread deletes the records of answers given more than
 * {@link #DEFAULT_RETENTION} (30 days) ago, with the step rows of the compensation guard last written then, every
 * quarter of the retention (at most hourly, at least a second apart), from the moment the store opens until it is
 * closed. {@link #retainFor(Duration)} changes the retention or turns the purge off; {@link #purgeHandledBefore(Instant)}
 * purges at once. A record must outlive every redelivery of its message and every compensation that may follow its
 * command: keep records for longer than any saga may run (its timeouts, parking and an operator's retry or abort of a
 * FAILED saga included). A redelivery after its record is purged runs the handler again, and a compensation that
 * arrives after its step's row is purged is answered SUCCESS without running (the guard no longer knows the forward
 * command took effect). The default matches the engine's retention of ended sagas.
 *
 * <p><b>Thread-safety.</b> Thread-safe; share one store per database. {@link #close()} closes the pool only if the
 * store created it.
 *
 * @since 0.1
 */
public final class JdbiIdempotencyStore implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(JdbiIdempotencyStore.class);
    /** The Flyway history table, distinct from the engine store's {@code baton_schema_history}. */
    public static final String SCHEMA_HISTORY_TABLE = SchemaSetup.HISTORY_TABLE;
    private static final Pattern MEMORY_NAME = Pattern.compile("[A-Za-z0-9_\\-]{1,100}");

    /** How long answers are kept unless {@link #retainFor(Duration)} says otherwise: 30 days. */
    public static final Duration DEFAULT_RETENTION = Duration.ofDays(30);

    private final Jdbi jdbi;
    private final AutoCloseable ownedPool;
    private final String description;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final RecordPurge purge;
    private final StoreDialect dialect;
    private final TransactionBoundary boundary; // null: JDBI runs the transactions

    private JdbiIdempotencyStore(DataSource dataSource, AutoCloseable ownedPool, String description,
                                 StoreDialect dialect, Boolean migrate, ConnectionFactory connections,
                                 TransactionBoundary boundary) {
        this.jdbi = connections == null ? Jdbi.create(dataSource) : Jdbi.create(connections);
        this.boundary = boundary;
        this.ownedPool = ownedPool;
        this.description = description;
        String product = productName(jdbi);
        this.dialect = dialect != null ? dialect : StoreDialect.forProduct(product).orElseThrow(() ->
                new ParticipantStoreException("the participant store has no built-in dialect for the database '"
                        + product + "'; built in: H2 and PostgreSQL. For another database, write the SDK's two tables"
                        + " in its types (see docs/participants.md) and pass StoreDialect.of(\"" + product + "\","
                        + " \"<your scripts' classpath folder>\") to JdbiIdempotencyStore.builder(dataSource).dialect(...)",
                        null));
        if (migrate == null ? SchemaSetup.flywayPresent() : migrate) {
            SchemaSetup.migrate(dataSource, this.dialect.migrationLocation(), product);
        } else {
            SchemaSetup.validate(jdbi, this.dialect.migrationLocation());
        }
        this.purge = new RecordPurge(this::purgeHandledBefore, description);
        purge.retainFor(DEFAULT_RETENTION, Clock.systemUTC());
    }

    /**
     * Keeps answers for {@code retention} after they were given, then deletes them (see the class comment), measured
     * on the system clock; null stops the automatic purge. Takes effect at once: the next purge runs a quarter of the
     * retention from now (at most an hour, at least a second). Defaults to {@link #DEFAULT_RETENTION}.
     *
     * @return this store
     * @throws IllegalArgumentException when {@code retention} is zero or negative
     * @since 0.5
     */
    public JdbiIdempotencyStore retainFor(Duration retention) {
        return retainFor(retention, Clock.systemUTC());
    }

    /**
     * As {@link #retainFor(Duration)}, measured on {@code clock}: pass the clock given to the
     * {@link ParticipantRuntime}, which stamps the records.
     *
     * @return this store
     * @since 0.5
     */
    public JdbiIdempotencyStore retainFor(Duration retention, Clock clock) {
        if (retention != null && (retention.isZero() || retention.isNegative())) {
            throw new IllegalArgumentException("retention must be positive, or null to keep records forever, but was "
                    + retention);
        }
        Objects.requireNonNull(clock, "clock");
        if (!closed.get()) {
            purge.retainFor(retention, clock);
        }
        return this;
    }

    /** The retention of answers in force; null when they are kept forever. */
    public Duration retention() {
        return purge.retention();
    }

    /**
     * Opens the store on the service's own {@link DataSource}, which the store never closes: the dialect is the
     * built-in one for the database's product name, and the tables are migrated with Flyway when Flyway is on the
     * classpath, checked otherwise. {@link #builder(DataSource)} chooses both. Pass the data source the service's
     * tables live in, so a {@link TransactionalCommandHandler}'s writes and the record share one transaction. The
     * data source must hand out connections in auto-commit mode (the default); the SDK runs its own transactions.
     *
     * @throws ParticipantStoreException when the database cannot be reached, is not supported, or cannot be migrated
     */
    public static JdbiIdempotencyStore create(DataSource dataSource) {
        return builder(dataSource).build();
    }

    /**
     * Starts building a store on the service's own {@link DataSource}, which the store never closes.
     *
     * @since 0.6
     */
    public static Builder builder(DataSource dataSource) {
        return new Builder(Objects.requireNonNull(dataSource, "dataSource"));
    }

    /**
     * Opens the store on {@code jdbcUrl} in a HikariCP pool (10 connections) that the store owns and closes. HikariCP
     * and the database's JDBC driver are optional dependencies of the SDK: the application declares them.
     *
     * @throws ParticipantStoreException when HikariCP is not on the classpath, or the database cannot be reached, is
     *     not supported, or cannot be migrated
     */
    public static JdbiIdempotencyStore create(String jdbcUrl, String username, String password) {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        String shown = Secrets.maskUrl(jdbcUrl);
        OwnedPools.Pool pool = OwnedPools.hikari(jdbcUrl, username, password, shown);
        JdbiIdempotencyStore store = opened(pool, shown);
        LOG.info("Baton participant store opened on {}", shown);
        return store;
    }

    /**
     * Opens a private in-memory H2 database, for tests and demos; it lives until the store is closed. Stores opened on
     * the same name in one JVM while it lives share it. Needs H2 on the classpath (an optional dependency of the
     * SDK: a test dependency of the application is enough), and migrates with Flyway when it is there too.
     *
     * @param name 1 to 100 letters, digits, {@code _} or {@code -}
     */
    public static JdbiIdempotencyStore h2InMemory(String name) {
        if (name == null || !MEMORY_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("the in-memory database name must be 1 to 100 letters, digits, '_' or '-',"
                    + " but was '" + name + "'");
        }
        return opened(OwnedPools.h2InMemory(name), "jdbc:h2:mem:" + name);
    }

    private static JdbiIdempotencyStore opened(OwnedPools.Pool pool, String description) {
        try {
            return new JdbiIdempotencyStore(pool.dataSource(), pool.closer(), description, null, null, null, null);
        } catch (RuntimeException e) {
            try {
                pool.closer().close();
            } catch (Exception closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    private static String productName(Jdbi jdbi) {
        try {
            return jdbi.withHandle(h -> h.getConnection().getMetaData().getDatabaseProductName());
        } catch (JdbiException | java.sql.SQLException e) {
            throw new ParticipantStoreException("participant store: cannot reach the database ("
                    + SqlErrors.describe(e) + ")", e);
        }
    }

    /** The dialect in use. */
    public StoreDialect dialect() {
        return dialect;
    }

    /**
     * The JDBI instance the SDK runs its transactions on; {@link HandlerContext#handle()} comes from it. The service
     * may use it for its own work too, and register its mappers and plugins on it before handling starts.
     */
    public Jdbi jdbi() {
        return jdbi;
    }

    /**
     * The recorded answer to the command message {@code messageId} of {@code participant}, if there is one.
     *
     * @throws ParticipantStoreException when the database fails
     */
    public Optional<RecordedReply> find(String participant, String messageId) {
        Objects.requireNonNull(participant, "participant");
        Objects.requireNonNull(messageId, "messageId");
        return call("find of message " + messageId, () -> jdbi.withHandle(h -> Inbox.find(h, participant, messageId)));
    }

    /**
     * Deletes the records of answers given before {@code before} (and the step rows of the compensation guard last
     * written then), of every participant in this database. See the class comment on retention.
     *
     * @return how many answers were deleted
     * @throws ParticipantStoreException when the database fails
     */
    public int purgeHandledBefore(Instant before) {
        Objects.requireNonNull(before, "before");
        return call("purge", () -> inTransaction(h -> Inbox.purge(h, before)));
    }

    /**
     * Runs {@code work} in one transaction at READ COMMITTED: JDBI's own, or the service's under a
     * {@link TransactionBoundary}. Committed when it returns, rolled back when it throws.
     */
    <T> T inTransaction(HandleCallback<T, RuntimeException> work) {
        if (boundary == null) {
            return jdbi.inTransaction(TransactionIsolationLevel.READ_COMMITTED, work);
        }
        return boundary.inTransaction(() -> jdbi.inTransaction(TransactionIsolationLevel.READ_COMMITTED, work));
    }

    /** True once {@link #close()} was called. */
    public boolean isClosed() {
        return closed.get();
    }

    /** Closes the pool if the store created it; idempotent. A data source passed in stays open. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        purge.close();
        if (ownedPool != null) {
            try {
                ownedPool.close();
            } catch (Exception e) {
                throw new ParticipantStoreException("participant store: closing the connection pool failed", e);
            }
        }
    }

    @Override
    public String toString() {
        return "JdbiIdempotencyStore[" + description + (closed.get() ? ", closed" : "") + "]";
    }

    private <T> T call(String operation, Supplier<T> work) {
        if (closed.get()) {
            throw new ParticipantStoreException("participant store: " + operation + " on a closed store", null);
        }
        try {
            return work.get();
        } catch (JdbiException e) {
            throw new ParticipantStoreException("participant store: " + operation + " failed (" + SqlErrors.describe(e)
                    + ")", e);
        }
    }

    /**
     * Builds a {@link JdbiIdempotencyStore} on the service's own data source. Not thread-safe.
     *
     * @since 0.6
     */
    public static final class Builder {
        private final DataSource dataSource;
        private StoreDialect dialect;
        private Boolean migrate;
        private ConnectionFactory connections;
        private TransactionBoundary boundary;

        private Builder(DataSource dataSource) {
            this.dataSource = dataSource;
        }

        /**
         * The database's dialect. Defaults to the built-in one ({@link StoreDialect#builtIn()}) whose product name the
         * driver reports; required for any other database.
         */
        public Builder dialect(StoreDialect dialect) {
            this.dialect = Objects.requireNonNull(dialect, "dialect");
            return this;
        }

        /**
         * Whether the store creates and upgrades its tables with Flyway ({@code true}), or only checks that they exist
         * because the service's own migration tool creates them ({@code false}; the DDL is in
         * {@code docs/participants.md} and in the dialect's migration folder). Defaults to {@code true} when Flyway is
         * on the classpath, {@code false} otherwise. Flyway needs its database module for PostgreSQL
         * ({@code org.flywaydb:flyway-database-postgresql}).
         */
        public Builder migrate(boolean migrate) {
            this.migrate = migrate;
            return this;
        }

        /**
         * Lets a transaction manager of the service begin and end the SDK's transactions; see
         * {@link TransactionBoundary}. Requires {@link #connectionFactory(ConnectionFactory)}.
         */
        public Builder transactions(TransactionBoundary boundary) {
            this.boundary = Objects.requireNonNull(boundary, "boundary");
            return this;
        }

        /**
         * Where the SDK's JDBI handles get their connections under a {@link #transactions(TransactionBoundary)
         * boundary}: the connection the service's transaction manager bound to the thread (with Spring,
         * {@code DataSourceUtils.getConnection(dataSource)}, released with {@code DataSourceUtils.releaseConnection}).
         * Migration and the schema check still use the data source directly.
         */
        public Builder connectionFactory(ConnectionFactory connections) {
            this.connections = Objects.requireNonNull(connections, "connections");
            return this;
        }

        /**
         * Opens the store: reaches the database, then migrates or checks the tables.
         *
         * @throws ParticipantStoreException when the database cannot be reached, has no dialect, cannot be migrated,
         *     or lacks the tables
         */
        public JdbiIdempotencyStore build() {
            if ((connections == null) != (boundary == null)) {
                throw new IllegalStateException("a TransactionBoundary and a ConnectionFactory go together: the"
                        + " boundary begins the transaction, the factory hands the SDK its connection; set both or"
                        + " neither");
            }
            return new JdbiIdempotencyStore(dataSource, null, dataSource.getClass().getSimpleName(), dialect, migrate,
                    connections, boundary);
        }
    }
}
