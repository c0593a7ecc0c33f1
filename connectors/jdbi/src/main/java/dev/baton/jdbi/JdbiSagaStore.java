package dev.baton.jdbi;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.baton.engine.SagaException;
import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStoreException;
import dev.baton.engine.spi.FlowCount;
import dev.baton.engine.spi.FlowShare;
import dev.baton.engine.spi.HistoryFold;
import dev.baton.engine.spi.HistoryPage;
import dev.baton.engine.spi.HistoryRecord;
import dev.baton.engine.spi.LiveSetting;
import dev.baton.engine.spi.NodeRecord;
import dev.baton.engine.spi.OutboxRecord;
import dev.baton.engine.spi.SagaCount;
import dev.baton.engine.spi.SagaPage;
import dev.baton.engine.spi.SagaQuery;
import dev.baton.engine.spi.SagaRecord;
import dev.baton.engine.spi.SagaStore;
import dev.baton.engine.spi.SettingChange;
import dev.baton.engine.spi.StoreTransaction;
import dev.baton.engine.spi.TimerKind;
import dev.baton.engine.spi.TimerRecord;
import dev.baton.engine.spi.VersionCount;
import dev.baton.jdbi.internal.Dialect;
import dev.baton.jdbi.internal.FlowTables;
import dev.baton.jdbi.internal.H2Compaction;
import dev.baton.jdbi.internal.H2GroupCommit;
import dev.baton.jdbi.internal.HistoryTables;
import dev.baton.jdbi.internal.Housekeeping;
import dev.baton.jdbi.internal.JdbiStoreTransaction;
import dev.baton.jdbi.internal.Leases;
import dev.baton.jdbi.internal.LiveTables;
import dev.baton.jdbi.internal.Rows;
import dev.baton.jdbi.internal.SagaQueries;
import dev.baton.jdbi.internal.Schema;
import dev.baton.jdbi.internal.SqlErrors;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link SagaStore} in a relational database, over JDBI: sagas, history, outbox, inbox and timers in tables
 * prefixed {@code baton_}, created and upgraded by Flyway (history table {@code baton_schema_history}) when the store
 * opens. Passes {@code SagaStoreCompatibilityKit}.
 *
 * <pre>{@code
 * try (SagaStore store = JdbiSagaStore.h2File(Path.of("data"))) {      // the embedded default
 *     store.inTransaction(tx -> { tx.insert(saga); return null; });
 * }
 * JdbiSagaStore.h2InMemory("test-" + UUID.randomUUID());              // tests
 * JdbiSagaStore.create(dataSource);                                   // your pool; you close it
 * JdbiSagaStore.create("jdbc:h2:file:/var/baton/db;WRITE_DELAY=0", "sa", "");  // a pool the store owns
 * }</pre>
 *
 * <p><b>Databases.</b> H2 2.x and PostgreSQL (tested on 14; the driver and Flyway's PostgreSQL module come with
 * this module). The vendor is read from the connection and picks the migration scripts ({@code db/baton/h2/} or
 * {@code db/baton/postgresql/}). On a schema that already holds other tables, the first migration baselines at
 * version 0 and then creates Baton's tables.
 *
 * <pre>{@code
 * JdbiSagaStore.create("jdbc:postgresql://db:5432/baton", "baton", password);
 * }</pre>
 *
 * <p><b>Durability.</b> {@link #h2File(Path)} sets {@code WRITE_DELAY=0}: when {@code inTransaction} returns, the
 * commit is in the database file and is meant to survive the process being killed. On an H2 file opened in this JVM
 * with a write delay (a URL of your own without {@code WRITE_DELAY=0}) the store commits through a group commit
 * instead: {@code inTransaction}, and the reads and leases whose rows the engine sends on (outbox, due timers, the
 * participants' line), return only once the commit is in the file. Neither fsyncs, so a commit may not survive a
 * power cut or an OS crash, and H2 2.5.252 was seen losing the last commits of some kills either way; use PostgreSQL
 * where that matters.
 *
 * <p><b>Time.</b> Instants are stored as {@code TIMESTAMP(6) WITH TIME ZONE} in UTC, truncated to microseconds.
 *
 * <p><b>Errors.</b> Every failure is a {@link SagaException}: {@code DuplicateBusinessKeyException} and
 * {@code ConcurrentUpdateException} as the SPI says, {@code SagaNotFoundException} when updating a saga that does not
 * exist, and {@link SagaStoreException} naming the operation for anything else (including a saga id inserted twice).
 * Messages carry no saga data; the cause carries the database's own error.
 *
 * <p><b>Thread-safety.</b> Thread-safe: share one store per database. Each {@link StoreTransaction} belongs to the
 * thread running {@link #inTransaction} and is valid only during that call.
 *
 * @since 0.1
 */
public final class JdbiSagaStore implements SagaStore {

    private static final Logger LOG = LoggerFactory.getLogger(JdbiSagaStore.class);

    private final Jdbi jdbi;
    private final Dialect dialect;
    private final AutoCloseable ownedPool;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Null unless the store runs on an embedded H2 file with compaction on. */
    private volatile H2Compaction compaction;
    /** Null unless the store runs on an embedded H2 file that writes commits with a delay. */
    private final H2GroupCommit groupCommit;

    private JdbiSagaStore(DataSource dataSource, AutoCloseable ownedPool, boolean migrate) {
        this.jdbi = Jdbi.create(dataSource);
        this.ownedPool = ownedPool;
        this.dialect = Schema.detectDialect(jdbi);
        if (migrate) {
            Schema.migrate(dataSource, dialect);
        }
        this.groupCommit = dialect == Dialect.H2 ? H2GroupCommit.startIfDelayed(dataSource) : null;
    }

    /**
     * Opens the embedded default: an H2 file database in {@code directory}, crash-safe against the process being
     * killed ({@code WRITE_DELAY=0}), in a pool the store owns. See {@link JdbiStoreOptions#h2File(Path)}.
     */
    public static JdbiSagaStore h2File(Path directory) {
        return create(JdbiStoreOptions.h2File(directory));
    }

    /**
     * Opens a private in-memory H2 database for tests; closing the store drops it. See
     * {@link JdbiStoreOptions#h2InMemory(String)}.
     */
    public static JdbiSagaStore h2InMemory(String name) {
        return create(JdbiStoreOptions.h2InMemory(name));
    }

    /** Opens a store on {@code jdbcUrl} in a HikariCP pool that the store owns and closes. */
    public static JdbiSagaStore create(String jdbcUrl, String username, String password) {
        return create(JdbiStoreOptions.of(jdbcUrl, username, password));
    }

    /**
     * Opens a store in a HikariCP pool built from {@code options}; the store owns the pool and closes it in
     * {@link #close()}. Migrates the schema first unless {@link JdbiStoreOptions#migrate()} is off.
     *
     * @throws SagaStoreException when the database cannot be reached or migrated
     */
    public static JdbiSagaStore create(JdbiStoreOptions options) {
        Objects.requireNonNull(options, "options");
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(options.jdbcUrl());
        config.setUsername(options.username());
        config.setPassword(options.password());
        config.setMaximumPoolSize(options.maximumPoolSize());
        config.setPoolName("baton-store");
        if (options.metricsTrackerFactory() != null) {
            config.setMetricsTrackerFactory(options.metricsTrackerFactory());
        }
        if (options.isH2InMemory()) {
            // The in-memory database lives while a connection is open: never retire the pool's connections.
            config.setMaxLifetime(0);
        }
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new SagaStoreException("saga store: cannot connect with " + options, e);
        }
        try {
            JdbiSagaStore store = new JdbiSagaStore(pool, pool, options.migrate());
            if (options.h2Compaction() && H2Compaction.appliesTo(options.jdbcUrl())) {
                store.compaction = H2Compaction.start(store.jdbi);
            }
            LOG.info("Baton saga store opened on {} ({})", options, store.dialect);
            return store;
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    /**
     * Opens a store on a {@link DataSource} you own: the store never closes it. Migrates the schema first. The
     * data source must hand out connections in auto-commit mode (the default); the store runs its own transactions.
     *
     * @throws SagaStoreException when the database cannot be reached or migrated
     */
    public static JdbiSagaStore create(DataSource dataSource) {
        Objects.requireNonNull(dataSource, "dataSource");
        return new JdbiSagaStore(dataSource, null, true);
    }

    @Override
    public <T> T inTransaction(Function<StoreTransaction, T> work) {
        Objects.requireNonNull(work, "work");
        checkOpen();
        T result;
        try {
            result = jdbi.inTransaction(handle -> {
                JdbiStoreTransaction tx = new JdbiStoreTransaction(handle, dialect);
                try {
                    return work.apply(tx);
                } finally {
                    tx.end();
                }
            });
        } catch (JdbiException e) {
            // Failures of the work's own statements arrive translated; what is left is begin, commit or rollback.
            throw SqlErrors.failure("transaction (begin, commit or rollback)", e);
        }
        awaitDurable("transaction");
        return result;
    }

    /**
     * On an H2 file with a write delay, returns once every transaction committed so far is in the file: after each
     * transaction and before each read whose rows the engine sends on (due timers, the outbox), so that nothing
     * leaves the process on a commit that a killed process would lose.
     */
    private void awaitDurable(String operation) {
        H2GroupCommit g = groupCommit;
        if (g == null) {
            return;
        }
        try {
            g.awaitDurable();
        } catch (IllegalStateException e) {
            throw new SagaStoreException("saga store: " + operation + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<SagaRecord> find(SagaId id) {
        Objects.requireNonNull(id, "id");
        return call("find of saga " + id, () -> jdbi.withHandle(h -> h
                .createQuery("SELECT " + Rows.SAGA_COLUMNS + " FROM baton_saga WHERE id = :id")
                .bind("id", id.value()).map(Rows.SAGA).findOne()));
    }

    @Override
    public List<HistoryRecord> history(SagaId id) {
        Objects.requireNonNull(id, "id");
        return call("history of saga " + id, () -> jdbi.withHandle(h -> h
                .createQuery("SELECT " + Rows.HISTORY_COLUMNS + " FROM baton_history WHERE saga_id = :id ORDER BY seq")
                .bind("id", id.value()).map(Rows.HISTORY).list()));
    }

    /** {@inheritDoc} One query over the history's index on {@code (saga_id, seq)}. */
    @Override
    public HistoryPage historyPage(SagaId id, long before, int limit) {
        Objects.requireNonNull(id, "id");
        return call("history page of saga " + id, () -> jdbi.withHandle(h -> HistoryTables.page(h, id, before, limit)));
    }

    @Override
    public List<HistoryFold> historyFolds(SagaId id) {
        Objects.requireNonNull(id, "id");
        return call("history folds of saga " + id, () -> jdbi.withHandle(h -> HistoryTables.folds(h, id)));
    }

    /**
     * {@inheritDoc}
     *
     * <p>A plain read outside any transaction (a peek). The engine leases timers with {@link #leaseDueTimers}
     * instead, so that nodes polling together take disjoint timers.
     */
    @Override
    public List<TimerRecord> dueTimers(Instant now, int limit) {
        Objects.requireNonNull(now, "now");
        if (checkLimit(limit) == 0) {
            return List.of();
        }
        return durableCall("dueTimers", () -> jdbi.withHandle(h -> h
                .createQuery("SELECT " + Rows.TIMER_COLUMNS + " FROM baton_timer WHERE fire_at <= :now"
                        + " AND kind <> 'WAIT' ORDER BY fire_at, saga_id, kind LIMIT :limit")
                .bind("now", Rows.timestamp(now)).bind("limit", limit).map(Rows.TIMER).list()));
    }

    /**
     * {@inheritDoc}
     *
     * <p>A plain read outside any transaction (a peek). The engine's sweeper leases rows with {@link #leaseOutbox}
     * instead, so that the sweepers of several nodes do not re-send the same rows.
     */
    @Override
    public List<OutboxRecord> outbox(Instant createdBefore, int limit) {
        Objects.requireNonNull(createdBefore, "createdBefore");
        if (checkLimit(limit) == 0) {
            return List.of();
        }
        return durableCall("outbox", () -> jdbi.withHandle(h -> h
                .createQuery("SELECT " + Rows.OUTBOX_COLUMNS + " FROM baton_outbox WHERE created_at < :before"
                        + " ORDER BY created_at, seq LIMIT :limit")
                .bind("before", Rows.timestamp(createdBefore)).bind("limit", limit).map(Rows.OUTBOX).list()));
    }

    /**
     * {@inheritDoc}
     *
     * <p>One short transaction: the due, unleased timers are read {@code FOR UPDATE SKIP LOCKED} (rows another node
     * is leasing at that moment are skipped, not waited for; a lease committed meanwhile is seen when the row is
     * locked) and their lease is set.
     */
    @Override
    public List<TimerRecord> leaseDueTimers(Instant now, Set<TimerKind> kinds, Instant leaseUntil, int limit) {
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(leaseUntil, "leaseUntil");
        if (checkLimit(limit) == 0 || kinds.isEmpty()) {
            return List.of();
        }
        return durableCall("leaseDueTimers", () -> jdbi.inTransaction(h -> Leases.dueTimers(h, now, kinds, leaseUntil,
                limit)));
    }

    /**
     * {@inheritDoc}
     *
     * <p>One short transaction, as {@link #leaseDueTimers}: rows read {@code FOR UPDATE SKIP LOCKED}, then leased.
     */
    @Override
    public List<OutboxRecord> leaseOutbox(Instant createdBefore, Instant now, Instant leaseUntil, int limit) {
        Objects.requireNonNull(createdBefore, "createdBefore");
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(leaseUntil, "leaseUntil");
        if (checkLimit(limit) == 0) {
            return List.of();
        }
        return durableCall("leaseOutbox", () -> jdbi.inTransaction(h -> Leases.outbox(h, createdBefore, now, leaseUntil,
                limit)));
    }

    @Override
    public void deleteOutbox(Collection<String> ids) {
        Objects.requireNonNull(ids, "ids");
        if (ids.isEmpty()) {
            return;
        }
        List<String> all = new ArrayList<>(ids);
        call("deleteOutbox of " + all.size() + " rows",
                () -> jdbi.useTransaction(h -> Housekeeping.deleteOutbox(h, all)));
    }

    /**
     * {@inheritDoc}
     *
     * <p>One indexed SQL query (see {@code V2__baton_saga_query_indexes.sql}), whose index is read forwards newest
     * first and backwards oldest first; the cursor is base64url of {@code "<createdAt epoch microseconds>:<id>"} of
     * the page's last saga.
     */
    @Override
    public SagaPage query(SagaQuery query) {
        Objects.requireNonNull(query, "query");
        SagaQueries.Cursor cursor = SagaQueries.cursor(query); // a bad cursor fails before taking a connection
        return call("query of sagas", () -> jdbi.withHandle(h -> SagaQueries.page(h, query, cursor)));
    }

    @Override
    public List<LiveSetting> liveSettings() {
        return call("liveSettings", () -> jdbi.withHandle(LiveTables::settings));
    }

    /** {@inheritDoc} One transaction: the setting's row locked, changed, and the change logged. */
    @Override
    public String changeLiveSetting(String kind, String target, String value, String actor, String reason, Instant now) {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(now, "now");
        return durableCall("changeLiveSetting " + kind + " " + target, () -> jdbi.inTransaction(h ->
                LiveTables.change(h, kind, target, value, actor, reason, now)));
    }

    @Override
    public List<SettingChange> settingChanges(int limit) {
        return call("settingChanges", () -> jdbi.withHandle(h -> LiveTables.changes(h, limit)));
    }

    @Override
    public void heartbeat(String node, String definitions, Instant startedAt, Instant now) {
        durableCall("heartbeat of " + node, () -> {
            jdbi.useTransaction(h -> LiveTables.heartbeat(h, node, definitions, startedAt, now));
            return null;
        });
    }

    @Override
    public void leave(String node) {
        durableCall("leave of " + node, () -> {
            jdbi.useTransaction(h -> LiveTables.leave(h, node));
            return null;
        });
    }

    @Override
    public int forgetNodes(Instant seenBefore) {
        return call("forgetNodes", () -> jdbi.inTransaction(h -> LiveTables.forget(h, seenBefore)));
    }

    @Override
    public List<NodeRecord> nodes() {
        return call("nodes", () -> jdbi.withHandle(LiveTables::nodes));
    }

    @Override
    public List<VersionCount> unendedByVersion() {
        return call("unendedByVersion", () -> jdbi.withHandle(LiveTables::unendedByVersion));
    }

    @Override
    public List<SagaCount> counts() {
        return call("counts of sagas", () -> jdbi.withHandle(SagaQueries::counts));
    }

    @Override
    public long outboxBacklog() {
        return call("outboxBacklog", () -> jdbi.withHandle(h -> h
                .createQuery("SELECT COUNT(*) FROM baton_outbox").mapTo(Long.class).one()));
    }

    @Override
    public long dueTimerCount(Instant now) {
        Objects.requireNonNull(now, "now");
        return call("dueTimerCount", () -> jdbi.withHandle(h -> h
                .createQuery("SELECT COUNT(*) FROM baton_timer WHERE fire_at <= :now AND kind <> 'WAIT'")
                .bind("now", Rows.timestamp(now)).mapTo(Long.class).one()));
    }

    /** {@inheritDoc} One query over the timers' flow index ({@code V4__baton_flow.sql}). */
    @Override
    public List<FlowCount> flowCounts(Instant now) {
        Objects.requireNonNull(now, "now");
        return call("flowCounts", () -> jdbi.withHandle(h -> FlowTables.counts(h, now)));
    }

    /** {@inheritDoc} One short transaction, as {@link #leaseDueTimers}. */
    @Override
    public List<TimerRecord> leaseWaiting(String participant, Instant now, Instant leaseUntil, int limit) {
        Objects.requireNonNull(participant, "participant");
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(leaseUntil, "leaseUntil");
        if (checkLimit(limit) == 0) {
            return List.of();
        }
        return durableCall("leaseWaiting", () -> jdbi.inTransaction(h -> FlowTables.leaseWaiting(h, participant, now,
                leaseUntil, limit)));
    }

    @Override
    public FlowShare exchangeFlow(String participant, String node, long answered, long busy, long timedOut,
                                  double initialLimit, Instant now, Instant leaseUntil) {
        Objects.requireNonNull(participant, "participant");
        Objects.requireNonNull(node, "node");
        return durableCall("exchangeFlow of " + participant, () -> {
            if (jdbi.withHandle(h -> FlowTables.find(h, participant)).isEmpty()) {
                try {
                    jdbi.useTransaction(h -> FlowTables.insert(h, participant, initialLimit, now));
                } catch (RuntimeException e) {
                    // another node created the row meanwhile; the update below adds to it
                    LOG.debug("flow row of {} created elsewhere: {}", participant, e.toString());
                }
            }
            return jdbi.inTransaction(h -> {
                FlowTables.exchange(h, participant, node, answered, busy, timedOut, now, leaseUntil);
                return FlowTables.find(h, participant).orElseThrow();
            });
        });
    }

    @Override
    public boolean setFlowLimit(String participant, String node, double limit, Instant now) {
        return call("setFlowLimit of " + participant, () -> jdbi.inTransaction(h -> FlowTables.setLimit(h,
                participant, node, limit, now)));
    }

    @Override
    public int purgeInbox(Instant before) {
        Objects.requireNonNull(before, "before");
        return call("purgeInbox", () -> jdbi.withHandle(h -> Housekeeping.purgeInbox(h, before)));
    }

    @Override
    public int purgeEnded(Instant endedBefore, int limit) {
        Objects.requireNonNull(endedBefore, "endedBefore");
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1, but was " + limit);
        }
        // one short transaction per batch
        return call("purgeEnded", () -> jdbi.inTransaction(h -> Housekeeping.purgeSagas(h, Housekeeping.ENDED,
                endedBefore, limit)));
    }

    @Override
    public int purgeFailed(Instant failedBefore, int limit) {
        Objects.requireNonNull(failedBefore, "failedBefore");
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1, but was " + limit);
        }
        return call("purgeFailed", () -> jdbi.inTransaction(h -> Housekeeping.purgeSagas(h, Housekeeping.FAILED,
                failedBefore, limit)));
    }

    /** Closes the pool if the store created it; idempotent. A data source passed in stays open. */
    @Override
    public void close() {
        if (closed.get()) {
            return;
        }
        H2Compaction c = compaction;
        if (c != null) {
            c.close(); // before the pool: it borrows connections
        }
        if (groupCommit != null) {
            groupCommit.close(); // closing the database writes what is left
        }
        if (closed.compareAndSet(false, true) && ownedPool != null) {
            try {
                ownedPool.close();
            } catch (Exception e) {
                throw new SagaStoreException("saga store: closing the connection pool failed", e);
            }
        }
    }

    @Override
    public String toString() {
        return "JdbiSagaStore[" + dialect + (closed.get() ? ", closed" : "") + "]";
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new SagaStoreException("saga store: the store is closed", null);
        }
    }

    private static int checkLimit(int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be >= 0, but was " + limit);
        }
        return limit;
    }

    /** Runs one store call outside {@link #inTransaction}, translating JDBI failures. */
    private <T> T call(String operation, Supplier<T> work) {
        checkOpen();
        try {
            return work.get();
        } catch (JdbiException e) {
            throw SqlErrors.failure(operation, e);
        }
    }

    /** {@link #call(String, Supplier)}, then waits until what it read or wrote is in the file (H2 with a delay). */
    private <T> T durableCall(String operation, Supplier<T> work) {
        T result = call(operation, work);
        awaitDurable(operation);
        return result;
    }

    private void call(String operation, Runnable work) {
        call(operation, () -> {
            work.run();
            return null;
        });
    }
}
