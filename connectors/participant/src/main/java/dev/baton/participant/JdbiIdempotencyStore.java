package dev.baton.participant;

import dev.baton.protocol.Secrets;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.baton.participant.internal.Inbox;
import dev.baton.participant.internal.SqlErrors;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
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
 * <p><b>Schema.</b> Tables {@code baton_participant_inbox} and {@code baton_participant_step}, created and upgraded
 * by Flyway when the store opens, from {@code classpath:db/baton-participant/<database>/}, with its own history
 * table {@code baton_participant_schema_history}. So it can share a schema with the service's tables and with
 * Baton's engine store (which uses {@code db/baton/} and {@code baton_schema_history}); on a schema that already holds
 * tables, the first migration baselines at version 0.
 *
 * <p><b>Databases.</b> H2 2.x today; PostgreSQL scripts are to follow under {@code db/baton-participant/postgresql/}.
 * The SDK runs its transactions at READ COMMITTED and relies on {@code SELECT ... FOR UPDATE} row locks.
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
    public static final String SCHEMA_HISTORY_TABLE = "baton_participant_schema_history";
    private static final Pattern MEMORY_NAME = Pattern.compile("[A-Za-z0-9_\\-]{1,100}");

    /** How long answers are kept unless {@link #retainFor(Duration)} says otherwise: 30 days. */
    public static final Duration DEFAULT_RETENTION = Duration.ofDays(30);

    private final Jdbi jdbi;
    private final AutoCloseable ownedPool;
    private final String description;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final RecordPurge purge;

    private JdbiIdempotencyStore(DataSource dataSource, AutoCloseable ownedPool, String description) {
        this.jdbi = Jdbi.create(dataSource);
        this.ownedPool = ownedPool;
        this.description = description;
        String location = migrationLocation(jdbi);
        migrate(dataSource, location);
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
     * Opens the store on the service's own {@link DataSource}, which the store never closes, and migrates the
     * schema. Pass the data source the service's tables live in, so a {@link TransactionalCommandHandler}'s writes
     * and the record share one transaction. The data source must hand out connections in auto-commit mode (the
     * default); the SDK runs its own transactions.
     *
     * @throws ParticipantStoreException when the database cannot be reached, is not supported, or cannot be migrated
     */
    public static JdbiIdempotencyStore create(DataSource dataSource) {
        Objects.requireNonNull(dataSource, "dataSource");
        return new JdbiIdempotencyStore(dataSource, null, dataSource.getClass().getSimpleName());
    }

    /**
     * Opens the store on {@code jdbcUrl} in a HikariCP pool (10 connections) that the store owns and closes.
     *
     * @throws ParticipantStoreException when the database cannot be reached, is not supported, or cannot be migrated
     */
    public static JdbiIdempotencyStore create(String jdbcUrl, String username, String password) {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setUsername(username);
        config.setPassword(password);
        config.setPoolName("baton-participant");
        if (jdbcUrl.startsWith("jdbc:h2:mem:")) {
            // The in-memory database lives while a connection is open: never retire the pool's connections.
            config.setMaxLifetime(0);
        }
        String shown = Secrets.maskUrl(jdbcUrl);
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new ParticipantStoreException("participant store: cannot connect to " + shown, e);
        }
        try {
            JdbiIdempotencyStore store = new JdbiIdempotencyStore(pool, pool, shown);
            LOG.info("Baton participant store opened on {}", shown);
            return store;
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    /**
     * Opens a private in-memory H2 database, for tests and demos; it lives until the store is closed. Stores opened on
     * the same name in one JVM while it lives share it.
     *
     * @param name 1 to 100 letters, digits, {@code _} or {@code -}
     */
    public static JdbiIdempotencyStore h2InMemory(String name) {
        if (name == null || !MEMORY_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("the in-memory database name must be 1 to 100 letters, digits, '_' or '-',"
                    + " but was '" + name + "'");
        }
        return create("jdbc:h2:mem:" + name, "sa", "");
    }

    private static String migrationLocation(Jdbi jdbi) {
        String product;
        try {
            product = jdbi.withHandle(h -> h.getConnection().getMetaData().getDatabaseProductName());
        } catch (JdbiException | java.sql.SQLException e) {
            throw new ParticipantStoreException("participant store: cannot reach the database ("
                    + SqlErrors.describe(e) + ")", e);
        }
        String name = product == null ? "" : product.toLowerCase(Locale.ROOT);
        if (name.equals("h2")) {
            return "db/baton-participant/h2";
        }
        throw new ParticipantStoreException("the participant store does not support the database '" + product
                + "'; supported: H2 (PostgreSQL is planned, with its own scripts under db/baton-participant/postgresql)",
                null);
    }

    private static void migrate(DataSource dataSource, String location) {
        try {
            Flyway.configure(JdbiIdempotencyStore.class.getClassLoader())
                    .dataSource(dataSource)
                    .locations("classpath:" + location)
                    .table(SCHEMA_HISTORY_TABLE)
                    .baselineOnMigrate(true) // the service's own tables are already there: fine
                    .baselineVersion("0")
                    .failOnMissingLocations(true)
                    .load()
                    .migrate();
        } catch (FlywayException e) {
            throw new ParticipantStoreException("participant store: migrating the schema from " + location + " failed", e);
        }
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
        return call("purge", () -> jdbi.inTransaction(h -> Inbox.purge(h, before)));
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
}
