package dev.baton.testkit;

import dev.baton.engine.spi.SagaStore;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;

/**
 * The contract every {@link SagaStore} must meet. To run a store against it, extend this class in the store's
 * tests and implement {@link #store()}:
 *
 * <pre>{@code
 * class JdbiSagaStoreH2Test extends SagaStoreCompatibilityKit {
 *     private JdbiSagaStore store;
 *     @BeforeEach void open() { store = JdbiSagaStore.h2InMemory("kit-" + UUID.randomUUID()); }
 *     @AfterEach void close() { store.close(); }
 *     @Override protected SagaStore store() { return store; }
 * }
 * }</pre>
 *
 * <h2>What the subclass provides</h2>
 * {@link #store()} may be called many times during one test and must return the same store each time. At the
 * start of every test that store must be <em>empty</em>: no sagas, history, outbox rows, inbox entries or timers
 * (open a fresh store per test in a {@code @BeforeEach}, or clear its tables there). The kit checks this on the
 * first use of the store in each test. The kit never closes the store; the subclass does.
 *
 * <h2>The contract beyond the {@link SagaStore} Javadoc</h2>
 * These points are decided here so that every store behaves the same:
 * <ul>
 *   <li><b>Time precision.</b> A store returns every {@link Instant} it was given to the microsecond. Finer
 *       digits may be dropped, by truncation, never by rounding (PostgreSQL keeps microseconds). The kit's
 *       fixtures are truncated to microseconds, so they come back equal.</li>
 *   <li><b>Fixed at insert.</b> {@code update} replaces every field of the saga except {@code id}, {@code type},
 *       {@code businessKey} and {@code createdAt}, which keep the values written by {@code insert}.</li>
 *   <li><b>Update of a missing saga</b> throws {@link SagaNotFoundException}; a version mismatch throws
 *       {@link ConcurrentUpdateException}. A saga id inserted twice is a {@link SagaStoreException} (a bug in
 *       the caller, unlike a {@link DuplicateBusinessKeyException}). Sagas without a business key never clash.</li>
 *   <li><b>Ordering.</b> History comes back in append order. Outbox rows come back by {@code createdAt}, and
 *       rows with the same {@code createdAt} in insertion order. Due timers come back by {@code fireAt}.</li>
 *   <li><b>Boundaries.</b> {@code dueTimers(now)} includes timers firing exactly at {@code now};
 *       {@code outbox(createdBefore)} and {@code purgeInbox(before)} exclude rows exactly at the cut-off.</li>
 *   <li><b>Queries.</b> {@code query} orders by creation time, then id, both descending, comparing ids as
 *       {@link String#compareTo} does (the kit's ids are lower-case ASCII, so any binary or "C" collation agrees).
 *       A page with a cursor is full; the last page, even when full, has none. A time bound with digits finer than
 *       the store keeps compares with the stored instant as if exact (a from or to bound a nanosecond after a
 *       stored instant is after it).</li>
 *   <li><b>Concurrency.</b> Races are checked with several threads each running its own transaction: exactly one
 *       of them wins a timer claim, an inbox entry or an update from the same version.</li>
 * </ul>
 *
 * <p>Not thread-safe: JUnit creates one instance per test. Some tests run store calls on several threads.
 *
 * @since 0.1
 */
public abstract class SagaStoreCompatibilityKit {

    /**
     * The store under test: the same instance for the whole test, empty when the test starts. The kit never
     * closes it.
     */
    protected abstract SagaStore store();

    @Nested
    @DisplayName("insert, load, update and business keys")
    class Sagas extends SagasContract {
        @Override
        protected SagaStore store() {
            return SagaStoreCompatibilityKit.this.store();
        }
    }

    @Nested
    @DisplayName("commit, rollback and isolation of transactions")
    class Transactions extends TransactionsContract {
        @Override
        protected SagaStore store() {
            return SagaStoreCompatibilityKit.this.store();
        }
    }

    @Nested
    @DisplayName("the inbox: each message id is received once")
    class Inbox extends InboxContract {
        @Override
        protected SagaStore store() {
            return SagaStoreCompatibilityKit.this.store();
        }
    }

    @Nested
    @DisplayName("the history of a saga: append order, one sequence per saga")
    class History extends HistoryContract {
        @Override
        protected SagaStore store() {
            return SagaStoreCompatibilityKit.this.store();
        }
    }

    @Nested
    @DisplayName("the outbox: order, cut-off and deletion")
    class Outbox extends OutboxContract {
        @Override
        protected SagaStore store() {
            return SagaStoreCompatibilityKit.this.store();
        }
    }

    @Nested
    @DisplayName("timers: due order, claims, cancellation")
    class Timers extends TimersContract {
        @Override
        protected SagaStore store() {
            return SagaStoreCompatibilityKit.this.store();
        }
    }

    @Nested
    @DisplayName("leases that share work between several engine nodes")
    class Leases extends LeasesContract {
        @Override
        protected SagaStore store() {
            return SagaStoreCompatibilityKit.this.store();
        }
    }

    @Nested
    @DisplayName("many at once: markReceivedAll, loadAll and writeAll")
    class Batches extends BatchContract {
        @Override
        protected SagaStore store() {
            return SagaStoreCompatibilityKit.this.store();
        }
    }

    @Nested
    @DisplayName("purging ended sagas with everything they own")
    class Purging extends PurgeContract {
        @Override
        protected SagaStore store() {
            return SagaStoreCompatibilityKit.this.store();
        }
    }

    @Nested
    @DisplayName("queries: filters, order and paging with cursors")
    class Queries extends QueriesContract {
        @Override
        protected SagaStore store() {
            return SagaStoreCompatibilityKit.this.store();
        }
    }

    @Nested
    @DisplayName("counts and backlogs")
    class Counts extends CountsContract {
        @Override
        protected SagaStore store() {
            return SagaStoreCompatibilityKit.this.store();
        }
    }

    @Nested
    @DisplayName("flow control: in flight and waiting per participant, the line's lease, the shared limit")
    class Flow extends FlowContract {
        @Override
        protected SagaStore store() {
            return SagaStoreCompatibilityKit.this.store();
        }
    }

    @Nested
    @DisplayName("a bounded history: repeated entries folded into counters, pages, purging FAILED sagas")
    class HistoryBounds extends HistoryBoundsContract {
        @Override
        protected SagaStore store() {
            return SagaStoreCompatibilityKit.this.store();
        }
    }

    @Nested
    @DisplayName("live settings: rollouts and policies with their trail, the node list, unended sagas by version")
    class Live extends LiveContract {
        @Override
        protected SagaStore store() {
            return SagaStoreCompatibilityKit.this.store();
        }
    }
}
