package dev.baton.participant.testkit;

import dev.baton.participant.JdbiIdempotencyStore;
import javax.sql.DataSource;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;

/**
 * The contract a database must meet to hold the participant SDK's idempotency record: every redelivery rule of the
 * protocol ({@code docs/protocol.md}, "Redelivery rules") and every promise of
 * {@link dev.baton.participant.ParticipantRuntime}, checked through the SDK itself, a {@link JdbiIdempotencyStore} on
 * your database and a {@code ParticipantRuntime} with transactional handlers that write to a table of the kit's own.
 * To run it, extend this class in a test and implement {@link #dataSource()}:
 *
 * <pre>{@code
 * class MyDatabaseIdempotencyStoreTest extends IdempotencyStoreCompatibilityKit {
 *     private HikariDataSource pool;
 *     @BeforeEach void open() { pool = new HikariDataSource(configForAFreshDatabase()); }   // one per test
 *     @AfterEach void close() { pool.close(); }                                           // and drop it, if you like
 *     @Override protected DataSource dataSource() { return pool; }
 * }
 * }</pre>
 *
 * <h2>What the subclass provides</h2>
 * {@link #dataSource()} may be called many times during one test and must return the same data source each time: a
 * <em>fresh, empty database</em> (or schema) per test, holding none of the SDK's tables' rows and no table named
 * {@code kit_ledger} (open a new database in a {@code @BeforeEach}, or drop everything there). The kit checks this
 * when it first opens a store in a test. The data source must hand out connections in auto-commit mode, at least
 * eight at once, and let a lock wait last well over a few seconds: the kit holds a step's lock while other deliveries
 * wait for it (H2's default lock timeout is too short on a busy machine: add {@code ;LOCK_TIMEOUT=20000} to its URL;
 * PostgreSQL waits without limit unless {@code lock_timeout} is set). The kit never closes the data source; the
 * subclass does, after the test.
 *
 * <p>The kit opens the stores itself, with {@link #openStore(DataSource)}, which calls
 * {@link JdbiIdempotencyStore#create(DataSource)}, so the SDK picks its built-in dialect and migrates its tables with
 * Flyway as a service's store would. For a database the SDK has no dialect for, override it with your own:
 *
 * <pre>{@code
 * @Override protected JdbiIdempotencyStore openStore(DataSource dataSource) {
 *     return JdbiIdempotencyStore.builder(dataSource)
 *             .dialect(StoreDialect.of("MariaDB", "db/my-service/baton-participant"))
 *             .build();
 * }
 * }</pre>
 *
 * Keep the SDK running its own transactions there (no {@code TransactionBoundary}): the kit counts their commits and
 * relies on {@code Handle.afterCommit}. The kit opens the stores on a wrapper of your data source (plain JDBC proxies
 * that count commits, see which threads are waiting inside a statement, and can make {@code getConnection} fail as an
 * unreachable database does), sometimes two on the same database to play two instances of one service, turns their
 * automatic purge off, and closes them after each test. It creates its service table with portable DDL:
 * {@code CREATE TABLE kit_ledger (message_id VARCHAR(255) NOT NULL, order_id VARCHAR(100) NOT NULL,
 * amount_cents BIGINT NOT NULL)}.
 *
 * <h2>The contract beyond the Javadoc of the SDK</h2>
 * These points are decided here so that every database behaves the same:
 * <ul>
 *   <li><b>Text.</b> Reply payloads come back byte for byte at any length (the kit sends 100 000 characters) and in
 *       any script, characters outside the Basic Multilingual Plane included; a reason of 2000 characters (the most
 *       the SDK sends), none of them ASCII, is kept whole: column widths count characters, not bytes.</li>
 *   <li><b>Time.</b> {@code RecordedReply.handledAt} comes back to the microsecond; finer digits are dropped by
 *       truncation, never by rounding. {@code purgeHandledBefore(t)} compares to the microsecond and excludes answers
 *       given exactly at {@code t}.</li>
 *   <li><b>Waiting, not failing.</b> A delivery that inserts the row of a step another open transaction has just
 *       inserted waits for that transaction, then fails with SQLSTATE {@code 23505} (which the SDK retries) or
 *       succeeds if it rolled back. A delivery of a step whose row exists waits for the row's lock
 *       ({@code SELECT ... FOR UPDATE}) while another transaction holds it. Concurrent copies of one message are seen
 *       waiting inside a statement while the first delivery's handler runs; the kit asserts it.</li>
 *   <li><b>Savepoints.</b> A handler statement the database refuses (the kit inserts a NULL into a NOT NULL
 *       column) leaves the transaction usable after a rollback to the savepoint: with the FAIL policy, the FAILURE
 *       is recorded in the same transaction, alone or in a batch.</li>
 *   <li><b>Isolation.</b> A handler's writes are invisible to other connections until they commit with the record
 *       (no dirty reads), and a batch of commands commits once.</li>
 *   <li><b>Races.</b> Copies of one message delivered at once, on one instance or two, and a compensation racing
 *       its command, are checked with several threads each running their own transaction; the kit's handlers count
 *       their effects in {@code kit_ledger}, which has no key on the message id, so that a second effect shows as a
 *       second row instead of a unique violation.</li>
 *   <li><b>Purge.</b> Step rows are purged by when they were last written, not by when their step began.</li>
 * </ul>
 *
 * <p>Not thread-safe: JUnit creates one instance per test. Some tests handle commands on several threads.
 *
 * @since 0.6
 */
public abstract class IdempotencyStoreCompatibilityKit {

    /**
     * The database under test: the same data source for the whole test, its database empty when the test starts. The
     * kit never closes it.
     */
    protected abstract DataSource dataSource();

    /**
     * Opens one store on {@code dataSource}, the kit's wrapper of {@link #dataSource()}; the kit closes it after the
     * test. Defaults to {@link JdbiIdempotencyStore#create(DataSource)}, which migrates the SDK's tables.
     */
    protected JdbiIdempotencyStore openStore(DataSource dataSource) {
        return JdbiIdempotencyStore.create(dataSource);
    }

    @Nested
    @DisplayName("replies: final answers recorded, redeliveries answered from the record")
    class Replies extends RepliesContract {
        @Override
        protected DataSource dataSource() {
            return IdempotencyStoreCompatibilityKit.this.dataSource();
        }

        @Override
        protected JdbiIdempotencyStore openStore(DataSource dataSource) {
            return IdempotencyStoreCompatibilityKit.this.openStore(dataSource);
        }
    }

    @Nested
    @DisplayName("the compensation guard, per participant, saga and step")
    class CompensationGuard extends CompensationGuardContract {
        @Override
        protected DataSource dataSource() {
            return IdempotencyStoreCompatibilityKit.this.dataSource();
        }

        @Override
        protected JdbiIdempotencyStore openStore(DataSource dataSource) {
            return IdempotencyStoreCompatibilityKit.this.openStore(dataSource);
        }
    }

    @Nested
    @DisplayName("transactions: the handler's writes commit with the record, or roll back with it")
    class Transactions extends TransactionsContract {
        @Override
        protected DataSource dataSource() {
            return IdempotencyStoreCompatibilityKit.this.dataSource();
        }

        @Override
        protected JdbiIdempotencyStore openStore(DataSource dataSource) {
            return IdempotencyStoreCompatibilityKit.this.openStore(dataSource);
        }
    }

    @Nested
    @DisplayName("concurrency: racing copies on one instance or two, a compensation racing its command")
    class Concurrency extends ConcurrencyContract {
        @Override
        protected DataSource dataSource() {
            return IdempotencyStoreCompatibilityKit.this.dataSource();
        }

        @Override
        protected JdbiIdempotencyStore openStore(DataSource dataSource) {
            return IdempotencyStoreCompatibilityKit.this.openStore(dataSource);
        }
    }

    @Nested
    @DisplayName("batches: handleAll in one transaction, answered as one by one")
    class Batches extends BatchContract {
        @Override
        protected DataSource dataSource() {
            return IdempotencyStoreCompatibilityKit.this.dataSource();
        }

        @Override
        protected JdbiIdempotencyStore openStore(DataSource dataSource) {
            return IdempotencyStoreCompatibilityKit.this.openStore(dataSource);
        }
    }

    @Nested
    @DisplayName("purging old answers and step rows")
    class Purge extends PurgeContract {
        @Override
        protected DataSource dataSource() {
            return IdempotencyStoreCompatibilityKit.this.dataSource();
        }

        @Override
        protected JdbiIdempotencyStore openStore(DataSource dataSource) {
            return IdempotencyStoreCompatibilityKit.this.openStore(dataSource);
        }
    }

    @Nested
    @DisplayName("time: handledAt and the purge's cut-off to the microsecond")
    class Time extends TimeContract {
        @Override
        protected DataSource dataSource() {
            return IdempotencyStoreCompatibilityKit.this.dataSource();
        }

        @Override
        protected JdbiIdempotencyStore openStore(DataSource dataSource) {
            return IdempotencyStoreCompatibilityKit.this.openStore(dataSource);
        }
    }

    @Nested
    @DisplayName("never throws, never drops: Rejected and Unavailable")
    class NeverDrops extends NeverDropsContract {
        @Override
        protected DataSource dataSource() {
            return IdempotencyStoreCompatibilityKit.this.dataSource();
        }

        @Override
        protected JdbiIdempotencyStore openStore(DataSource dataSource) {
            return IdempotencyStoreCompatibilityKit.this.openStore(dataSource);
        }
    }
}
