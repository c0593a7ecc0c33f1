package dev.baton.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.engine.SagaId;
import dev.baton.engine.spi.HistoryRecord;
import dev.baton.engine.spi.SagaQuery;
import dev.baton.engine.spi.SagaRecord;
import dev.baton.engine.spi.SagaStore;
import dev.baton.engine.spi.StoreTransaction;
import dev.baton.engine.spi.TimerRecord;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * What every group of the {@link SagaStoreCompatibilityKit} shares: the store under test, checked to be empty on first
 * use in each test, and short forms of the store calls the groups make. A group is an abstract subclass named
 * {@code ...Contract}; the kit runs each one as a {@code @Nested} class that hands over the store.
 *
 * <p>Not thread-safe: JUnit creates one instance per test. Some tests run store calls on several threads.
 */
abstract class StoreContract {

    /** How many threads race in the concurrency tests. */
    static final int RACERS = 8;

    /** Later than any instant the kit writes. */
    static final Instant FAR_FUTURE = Instant.parse("9000-01-01T00:00:00Z");

    /** The saga types the kit writes. */
    static final String ORDER = "create-order";
    static final String REFUND = "refund-order";

    /**
     * The store under test: the same instance for the whole test, empty when the test starts. The kit never
     * closes it.
     */
    protected abstract SagaStore store();

    /** Set once the store was checked to be empty in this test (JUnit makes one instance per test). */
    private boolean checkedEmpty;

    /**
     * {@link #store()}, checked to be empty on first use in a test. Checked lazily, not in a {@code @BeforeEach}:
     * JUnit runs this class's {@code @BeforeEach} methods before the subclass's, which may be where it opens the store.
     */
    SagaStore theStore() {
        SagaStore store = store();
        assertThat(store).as("store() returned null").isNotNull();
        if (!checkedEmpty) {
            checkedEmpty = true;
            assertThat(store.dueTimers(FAR_FUTURE, 1))
                    .as("store() must return an empty store at the start of each test, but it has timers").isEmpty();
            assertThat(store.outbox(FAR_FUTURE, 1))
                    .as("store() must return an empty store at the start of each test, but it has outbox rows")
                    .isEmpty();
            assertThat(store.query(SagaQuery.all(1)).items())
                    .as("store() must return an empty store at the start of each test, but it has sagas").isEmpty();
        }
        return store;
    }

    <T> T tx(Function<StoreTransaction, T> work) {
        return theStore().inTransaction(work);
    }

    Optional<SagaRecord> loadInTx(SagaId id) {
        return tx(t -> t.load(id));
    }

    Optional<SagaRecord> loadByBusinessKey(String type, String businessKey) {
        return tx(t -> t.loadByBusinessKey(type, businessKey));
    }

    boolean markReceived(String messageId, Instant at) {
        return tx(t -> t.markReceived(messageId, at));
    }

    boolean claim(TimerRecord timer) {
        return tx(t -> t.claimTimer(timer));
    }

    void insert(SagaRecord... sagas) {
        tx(t -> {
            for (SagaRecord s : sagas) {
                t.insert(s);
            }
            return null;
        });
    }

    static List<HistoryRecord> withoutSeq(List<HistoryRecord> entries) {
        return entries.stream().map(h -> new HistoryRecord(0, h.sagaId(), h.at(), h.kind(), h.step(), h.detail(), h.payload()))
                .toList();
    }

    static String idOf(SagaRecord s) {
        return s.id().value();
    }
}
