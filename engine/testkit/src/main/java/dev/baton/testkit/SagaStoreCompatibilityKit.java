package dev.baton.testkit;

import static dev.baton.testkit.StoreKitFixtures.T0;
import static dev.baton.testkit.StoreKitFixtures.at;
import static dev.baton.testkit.StoreKitFixtures.history;
import static dev.baton.testkit.StoreKitFixtures.moved;
import static dev.baton.testkit.StoreKitFixtures.nextVersion;
import static dev.baton.testkit.StoreKitFixtures.outbox;
import static dev.baton.testkit.StoreKitFixtures.saga;
import static dev.baton.testkit.StoreKitFixtures.timer;
import static dev.baton.testkit.StoreKitFixtures.withVersion;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.engine.ConcurrentUpdateException;
import dev.baton.engine.DuplicateBusinessKeyException;
import dev.baton.engine.SagaId;
import dev.baton.engine.SagaNotFoundException;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.SagaStoreException;
import dev.baton.engine.spi.HistoryRecord;
import dev.baton.engine.spi.OutboxRecord;
import dev.baton.engine.spi.SagaCount;
import dev.baton.engine.spi.SagaPage;
import dev.baton.engine.spi.SagaQuery;
import dev.baton.engine.spi.SagaRecord;
import dev.baton.engine.spi.SagaStore;
import dev.baton.engine.spi.SagaWrite;
import dev.baton.engine.spi.StoreTransaction;
import dev.baton.engine.spi.TimerKind;
import dev.baton.engine.spi.TimerRecord;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

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

    /** How many threads race in the concurrency tests. */
    private static final int RACERS = 8;

    /** Later than any instant the kit writes. */
    private static final Instant FAR_FUTURE = Instant.parse("9000-01-01T00:00:00Z");

    /**
     * The store under test: the same instance for the whole test, empty when the test starts. The kit never
     * closes it.
     */
    protected abstract SagaStore store();

    /** Set once the store was checked to be empty in this test (JUnit makes one kit instance per test). */
    private boolean checkedEmpty;

    /**
     * {@link #store()}, checked to be empty on first use in a test. Checked lazily, not in a {@code @BeforeEach}:
     * JUnit runs this class's {@code @BeforeEach} methods before the subclass's, which may be where it opens the store.
     */
    private SagaStore theStore() {
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

    private <T> T tx(Function<StoreTransaction, T> work) {
        return theStore().inTransaction(work);
    }

    private Optional<SagaRecord> loadInTx(SagaId id) {
        return tx(t -> t.load(id));
    }

    private Optional<SagaRecord> loadByBusinessKey(String type, String businessKey) {
        return tx(t -> t.loadByBusinessKey(type, businessKey));
    }

    private boolean markReceived(String messageId, Instant at) {
        return tx(t -> t.markReceived(messageId, at));
    }

    private boolean claim(TimerRecord timer) {
        return tx(t -> t.claimTimer(timer));
    }

    private void insert(SagaRecord... sagas) {
        tx(t -> {
            for (SagaRecord s : sagas) {
                t.insert(s);
            }
            return null;
        });
    }

    // ---------------------------------------------------------------- sagas

    @Test
    @DisplayName("insert then load returns every field as written, inside and outside a transaction")
    void insertLoadRoundTrip() {
        SagaRecord s = saga("s-1");
        insert(s);

        assertThat(loadInTx(s.id())).contains(s);
        assertThat(theStore().find(s.id())).contains(s);
        assertThat(loadByBusinessKey(s.type(), s.businessKey())).contains(s);
    }

    @Test
    @DisplayName("optional fields (pending state, current step, business key, reason) may be null and come back null")
    void nullableFields() {
        SagaRecord s = new SagaRecord(SagaId.of("s-null"), "create-order", 1, SagaStatus.RUNNING, null, null, null,
                "order-data", "{}", "{}", null, 1, at(0), at(0));
        insert(s);

        assertThat(theStore().find(s.id())).contains(s);
    }

    @Test
    @DisplayName("every status survives a round trip")
    void everyStatus() {
        for (SagaStatus status : SagaStatus.values()) {
            SagaRecord s = saga("s-" + status.name().toLowerCase(Locale.ROOT));
            SagaRecord withStatus = new SagaRecord(s.id(), s.type(), s.definitionVersion(), status, s.pendingState(),
                    s.currentStep(), s.businessKey(), s.dataType(), s.data(), s.execution(), s.reason(), 1,
                    s.createdAt(), s.updatedAt());
            insert(withStatus);
            assertThat(theStore().find(s.id())).contains(withStatus);
        }
    }

    @Test
    @DisplayName("large and non-ASCII data and execution texts come back unchanged")
    void largeAndUnicodeTexts() {
        String data = "{\"name\":\"Zoë Ünïcödé ✓ 🎷 \\\"quoted\\\" back\\\\slash\",\n\"pad\":\"" + "x".repeat(300_000) + "\"}";
        String execution = "line1\nline2\r\n\ttab ' \" ; -- /* */ \u0001 end";
        SagaRecord base = saga("s-big");
        SagaRecord s = new SagaRecord(base.id(), base.type(), base.definitionVersion(), base.status(),
                base.pendingState(), base.currentStep(), "clé-métier ✓", base.dataType(), data, execution,
                "reason: ü " + "r".repeat(10_000), 1, base.createdAt(), base.updatedAt());
        insert(s);

        assertThat(theStore().find(s.id())).contains(s);
        assertThat(loadByBusinessKey(s.type(), "clé-métier ✓")).contains(s);
    }

    @Test
    @DisplayName("instants keep microsecond precision; finer digits are truncated, never rounded")
    void instantPrecision() {
        Instant nanos = Instant.parse("2026-03-01T10:15:30.123456999Z");
        Instant truncated = nanos.truncatedTo(ChronoUnit.MICROS);
        SagaRecord base = saga("s-nanos");
        SagaRecord s = new SagaRecord(base.id(), base.type(), base.definitionVersion(), base.status(),
                base.pendingState(), base.currentStep(), base.businessKey(), base.dataType(), base.data(),
                base.execution(), base.reason(), 1, nanos, nanos);
        insert(s);

        SagaRecord loaded = theStore().find(s.id()).orElseThrow();
        assertThat(loaded.createdAt()).isIn(nanos, truncated);
        assertThat(loaded.updatedAt()).isIn(nanos, truncated);
    }

    @Test
    @DisplayName("loading an unknown saga finds nothing")
    void unknownSaga() {
        insert(saga("s-1", "create-order", "bk-1"));
        SagaId unknown = SagaId.of("nope");

        assertThat(theStore().find(unknown)).isEmpty();
        assertThat(loadInTx(unknown)).isEmpty();
        assertThat(loadByBusinessKey("create-order", "bk-2")).isEmpty();
        assertThat(loadByBusinessKey("other-type", "bk-1")).isEmpty();
    }

    @Test
    @DisplayName("update with the expected version replaces the saga and bumps the version")
    void updateBumpsVersion() {
        SagaRecord v1 = saga("s-1");
        insert(v1);
        SagaRecord v2 = nextVersion(v1);
        tx(t -> {
            t.update(v2);
            return null;
        });
        assertThat(theStore().find(v1.id())).contains(v2);

        SagaRecord v3 = nextVersion(v2);
        tx(t -> {
            t.update(v3);
            return null;
        });
        assertThat(theStore().find(v1.id())).contains(v3);
        assertThat(v3.version()).isEqualTo(3);
        assertThat(v2.pendingState()).as("fixture sanity: nullable fields go from set to null").isNull();
        assertThat(v3.pendingState()).as("fixture sanity: and back to set").isNotNull();
    }

    @Test
    @DisplayName("update keeps id, type, business key and creation time as inserted")
    void updateKeepsFixedFields() {
        SagaRecord v1 = saga("s-1", "create-order", "bk-1");
        insert(v1);
        SagaRecord v2 = nextVersion(v1);
        SagaRecord v2Tampered = new SagaRecord(v2.id(), "other-type", v2.definitionVersion(), v2.status(),
                v2.pendingState(), v2.currentStep(), "bk-changed", v2.dataType(), v2.data(), v2.execution(),
                v2.reason(), v2.version(), at(-100), v2.updatedAt());
        tx(t -> {
            t.update(v2Tampered);
            return null;
        });

        assertThat(theStore().find(v1.id())).contains(v2);
        assertThat(loadByBusinessKey("create-order", "bk-1")).contains(v2);
        assertThat(loadByBusinessKey("other-type", "bk-changed")).isEmpty();
    }

    @Test
    @DisplayName("a stale version is rejected with ConcurrentUpdateException and nothing changes")
    void staleVersionRejected() {
        SagaRecord v1 = saga("s-1");
        insert(v1);
        SagaRecord v2 = nextVersion(v1);
        tx(t -> {
            t.update(v2);
            return null;
        });

        SagaRecord staleWrite = nextVersion(v1); // written by someone who read v1: claims version 2 again
        assertThatThrownBy(() -> tx(t -> {
            t.update(staleWrite);
            return null;
        })).isInstanceOf(ConcurrentUpdateException.class);

        SagaRecord aheadWrite = withVersion(nextVersion(v2), 7); // skips versions
        assertThatThrownBy(() -> tx(t -> {
            t.update(aheadWrite);
            return null;
        })).isInstanceOf(ConcurrentUpdateException.class);

        assertThat(theStore().find(v1.id())).contains(v2);
    }

    @Test
    @DisplayName("a rejected update inside a larger transaction rolls back the rest of it")
    void staleVersionRollsBackTransaction() {
        SagaRecord v1 = saga("s-1");
        insert(v1);
        tx(t -> {
            t.update(nextVersion(v1));
            return null;
        });

        assertThatThrownBy(() -> tx(t -> {
            t.markReceived("m-1", at(5));
            t.appendHistory(List.of(history("s-1", 5, "STEP_COMPLETED", "reserve-credit", null)));
            t.update(nextVersion(v1));
            return null;
        })).isInstanceOf(ConcurrentUpdateException.class);

        assertThat(theStore().history(v1.id())).isEmpty();
        assertThat(markReceived("m-1", at(6))).as("the inbox entry was rolled back").isTrue();
    }

    @Test
    @DisplayName("updating a saga that was never inserted throws SagaNotFoundException")
    void updateUnknownSaga() {
        SagaRecord ghost = nextVersion(saga("ghost"));

        assertThatThrownBy(() -> tx(t -> {
            t.update(ghost);
            return null;
        })).isInstanceOf(SagaNotFoundException.class);
        assertThat(theStore().find(ghost.id())).isEmpty();
    }

    @Test
    @DisplayName("of concurrent updates from the same version exactly one wins; the others get ConcurrentUpdateException")
    void concurrentUpdates() {
        SagaRecord v1 = saga("s-race");
        insert(v1);
        SagaRecord v2 = nextVersion(v1);

        List<StoreKitRace.Outcome<Object>> outcomes = StoreKitRace.race(RACERS, () -> tx(t -> {
            t.update(v2);
            return "won";
        }));

        assertThat(outcomes).filteredOn(o -> !o.failed()).hasSize(1);
        assertThat(outcomes).filteredOn(StoreKitRace.Outcome::failed)
                .allSatisfy(o -> assertThat(o.failure()).isInstanceOf(ConcurrentUpdateException.class));
        assertThat(theStore().find(v1.id())).contains(v2);
    }

    @Test
    @DisplayName("a second saga of the same type with the same business key is rejected and only the first exists")
    void duplicateBusinessKey() {
        SagaRecord first = saga("s-1", "create-order", "order-42");
        insert(first);
        SagaRecord second = saga("s-2", "create-order", "order-42");

        assertThatThrownBy(() -> insert(second)).isInstanceOf(DuplicateBusinessKeyException.class)
                .hasMessageContaining("create-order").hasMessageContaining("order-42");

        assertThat(theStore().find(second.id())).isEmpty();
        assertThat(theStore().find(first.id())).contains(first);
        assertThat(loadByBusinessKey("create-order", "order-42")).contains(first);
    }

    @Test
    @DisplayName("a duplicate business key within one transaction rolls back the whole transaction")
    void duplicateBusinessKeyInOneTransaction() {
        SagaRecord first = saga("s-1", "create-order", "order-42");
        SagaRecord second = saga("s-2", "create-order", "order-42");

        assertThatThrownBy(() -> insert(first, second)).isInstanceOf(DuplicateBusinessKeyException.class);

        assertThat(theStore().find(first.id())).isEmpty();
        assertThat(theStore().find(second.id())).isEmpty();
    }

    @Test
    @DisplayName("the same business key under different saga types is allowed")
    void sameBusinessKeyOtherType() {
        SagaRecord order = saga("s-1", "create-order", "42");
        SagaRecord refund = saga("s-2", "refund-order", "42");
        insert(order);
        insert(refund);

        assertThat(loadByBusinessKey("create-order", "42")).contains(order);
        assertThat(loadByBusinessKey("refund-order", "42")).contains(refund);
    }

    @Test
    @DisplayName("sagas without a business key never clash")
    void nullBusinessKeys() {
        SagaRecord a = saga("s-1", "create-order", null);
        SagaRecord b = saga("s-2", "create-order", null);
        insert(a);
        insert(b);

        assertThat(theStore().find(a.id())).contains(a);
        assertThat(theStore().find(b.id())).contains(b);
    }

    @Test
    @DisplayName("inserting the same saga id twice is a store failure, not a duplicate business key, and changes nothing")
    void duplicateSagaId() {
        SagaRecord first = saga("s-1", "create-order", "bk-1");
        insert(first);
        SagaRecord sameId = saga("s-1", "refund-order", "bk-2");

        assertThatThrownBy(() -> insert(sameId)).isInstanceOf(SagaStoreException.class);

        assertThat(theStore().find(first.id())).contains(first);
        assertThat(loadByBusinessKey("refund-order", "bk-2")).isEmpty();
    }

    // ---------------------------------------------------------------- transactions

    @Test
    @DisplayName("inTransaction returns the work's result, and a transaction sees its own changes")
    void transactionResultAndOwnWrites() {
        SagaRecord s = saga("s-1");
        String result = tx(t -> {
            t.insert(s);
            assertThat(t.load(s.id())).contains(s);
            assertThat(t.loadByBusinessKey(s.type(), s.businessKey())).contains(s);
            return "done";
        });
        assertThat(result).isEqualTo("done");
    }

    @Test
    @DisplayName("a transaction that throws rolls back saga, history, outbox, timers and inbox, and rethrows the same exception")
    void rollbackEverything() {
        SagaRecord existing = saga("s-old");
        TimerRecord oldTimer = timer("s-old", TimerKind.RETRY, "tok-old", at(10));
        TimerRecord oldTimeout = timer("s-old", TimerKind.TIMEOUT, "tok-old-timeout", at(11));
        OutboxRecord oldRow = outbox("o-old", "s-old", at(1));
        tx(t -> {
            t.insert(existing);
            t.setTimer(oldTimer);
            t.setTimer(oldTimeout);
            t.addOutbox(List.of(oldRow));
            t.appendHistory(List.of(history("s-old", 1, "STARTED", null, null)));
            return null;
        });
        List<HistoryRecord> historyBefore = theStore().history(existing.id());

        RuntimeException boom = new IllegalStateException("boom");
        SagaRecord fresh = saga("s-new");
        assertThatThrownBy(() -> tx(t -> {
            assertThat(t.markReceived("m-1", at(2))).isTrue();
            t.insert(fresh);
            t.update(nextVersion(existing));
            t.appendHistory(List.of(history("s-old", 2, "STEP_COMPLETED", "reserve-credit", "ok"),
                    history("s-new", 2, "STARTED", null, null)));
            t.addOutbox(List.of(outbox("o-new", "s-new", at(2))));
            t.setTimer(timer("s-new", TimerKind.TIMEOUT, "tok-new", at(5)));
            t.setTimer(timer("s-old", TimerKind.RETRY, "tok-replaced", at(3)));
            t.cancelTimers(existing.id(), EnumSet.of(TimerKind.TIMEOUT));
            assertThat(t.claimTimer(oldTimer)).as("the timer was replaced above").isFalse();
            throw boom;
        })).isSameAs(boom);

        assertThat(theStore().find(fresh.id())).isEmpty();
        assertThat(theStore().find(existing.id())).contains(existing);
        assertThat(theStore().history(existing.id())).isEqualTo(historyBefore);
        assertThat(theStore().history(fresh.id())).isEmpty();
        assertThat(theStore().outbox(FAR_FUTURE, 10)).containsExactly(oldRow);
        assertThat(theStore().dueTimers(FAR_FUTURE, 10)).containsExactly(oldTimer, oldTimeout);
        assertThat(markReceived("m-1", at(3))).as("the inbox entry was rolled back").isTrue();
    }

    @Test
    @DisplayName("a timer claim that is rolled back leaves the timer in place")
    void rolledBackClaim() {
        TimerRecord timer = timer("s-1", TimerKind.TIMEOUT, "tok", at(1));
        tx(t -> {
            t.setTimer(timer);
            return null;
        });
        RuntimeException boom = new IllegalStateException("applying TimerFired failed");

        assertThatThrownBy(() -> tx(t -> {
            assertThat(t.claimTimer(timer)).isTrue();
            throw boom;
        })).isSameAs(boom);

        assertThat(theStore().dueTimers(at(1), 10)).containsExactly(timer);
        assertThat(claim(timer)).isTrue();
    }

    // ---------------------------------------------------------------- inbox

    @Test
    @DisplayName("markReceived returns false for a message id seen before, in the same or an earlier transaction")
    void inbox() {
        tx(t -> {
            assertThat(t.markReceived("m-1", at(0))).isTrue();
            assertThat(t.markReceived("m-1", at(0))).isFalse();
            assertThat(t.markReceived("m-2", at(0))).isTrue();
            return null;
        });

        assertThat(markReceived("m-1", at(1))).isFalse();
        assertThat(markReceived("m-2", at(1))).isFalse();
        assertThat(markReceived("m-3", at(1))).isTrue();
    }

    @Test
    @DisplayName("of concurrent transactions marking the same message id exactly one records it first")
    void concurrentInbox() {
        for (int round = 0; round < 5; round++) {
            String messageId = "m-race-" + round;
            List<StoreKitRace.Outcome<Boolean>> outcomes = StoreKitRace.race(RACERS,
                    () -> tx(t -> t.markReceived(messageId, at(0))));

            assertThat(outcomes).noneMatch(StoreKitRace.Outcome::failed);
            assertThat(outcomes).filteredOn(o -> o.value()).as("round %d", round).hasSize(1);
        }
    }

    @Test
    @DisplayName("purgeInbox removes only entries received before the cut-off and returns how many")
    void purgeInbox() {
        tx(t -> {
            t.markReceived("old-1", at(0));
            t.markReceived("old-2", at(5));
            t.markReceived("at-cut-off", at(10));
            t.markReceived("new", at(20));
            return null;
        });

        assertThat(theStore().purgeInbox(at(10))).isEqualTo(2);
        assertThat(theStore().purgeInbox(at(10))).isZero();

        assertThat(markReceived("old-1", at(30))).as("purged ids are new again").isTrue();
        assertThat(markReceived("old-2", at(30))).isTrue();
        assertThat(markReceived("at-cut-off", at(30))).as("kept: received exactly at the cut-off").isFalse();
        assertThat(markReceived("new", at(30))).isFalse();
    }

    // ---------------------------------------------------------------- history

    @Test
    @DisplayName("history comes back oldest first, with a seq the store assigned that increases per saga")
    void historyOrder() {
        insert(saga("s-a"), saga("s-b"));
        tx(t -> {
            t.appendHistory(List.of(history("s-a", 1, "STARTED", null, null),
                    history("s-b", 1, "STARTED", null, null),
                    history("s-a", 2, "COMMAND_SENT", "reserve-credit", "to customers")));
            return null;
        });
        tx(t -> {
            t.appendHistory(List.of(history("s-a", 3, "STEP_COMPLETED", "reserve-credit", "détail ✓")));
            t.appendHistory(List.of());
            t.appendHistory(List.of(history("s-b", 1, "COMMAND_SENT", "approve", null),
                    history("s-a", 3, "COMMAND_SENT", "approve", null)));
            return null;
        });

        List<HistoryRecord> a = theStore().history(SagaId.of("s-a"));
        assertThat(a).extracting(HistoryRecord::kind)
                .containsExactly("STARTED", "COMMAND_SENT", "STEP_COMPLETED", "COMMAND_SENT");
        assertThat(a).extracting(HistoryRecord::seq).isSorted().doesNotHaveDuplicates();
        assertThat(a.get(0).seq()).as("seq is assigned by the store").isNotZero();
        assertThat(withoutSeq(a)).containsExactly(history("s-a", 1, "STARTED", null, null),
                history("s-a", 2, "COMMAND_SENT", "reserve-credit", "to customers"),
                history("s-a", 3, "STEP_COMPLETED", "reserve-credit", "détail ✓"),
                history("s-a", 3, "COMMAND_SENT", "approve", null));

        assertThat(withoutSeq(theStore().history(SagaId.of("s-b")))).containsExactly(
                history("s-b", 1, "STARTED", null, null), history("s-b", 1, "COMMAND_SENT", "approve", null));
        assertThat(theStore().history(SagaId.of("s-none"))).isEmpty();
    }

    private static List<HistoryRecord> withoutSeq(List<HistoryRecord> entries) {
        return entries.stream().map(h -> new HistoryRecord(0, h.sagaId(), h.at(), h.kind(), h.step(), h.detail()))
                .toList();
    }

    // ---------------------------------------------------------------- outbox

    @Test
    @DisplayName("outbox rows survive until deleted, and outbox(createdBefore, limit) returns the oldest first")
    void outboxLifecycle() {
        OutboxRecord o3 = outbox("o-3", "s-1", at(30));
        OutboxRecord o1 = outbox("o-1", "s-2", at(10));
        OutboxRecord o4 = outbox("o-4", "s-1", at(40));
        OutboxRecord o2 = outbox("o-2", "s-1", at(20));
        tx(t -> {
            t.addOutbox(List.of(o3, o1));
            return null;
        });
        tx(t -> {
            t.addOutbox(List.of(o4, o2));
            t.addOutbox(List.of());
            return null;
        });

        assertThat(theStore().outbox(FAR_FUTURE, 10)).containsExactly(o1, o2, o3, o4);
        assertThat(theStore().outbox(FAR_FUTURE, 2)).containsExactly(o1, o2);
        assertThat(theStore().outbox(at(30), 10)).as("created strictly before the cut-off").containsExactly(o1, o2);
        assertThat(theStore().outbox(at(10), 10)).isEmpty();
        assertThat(theStore().outbox(FAR_FUTURE, 10)).as("reading does not remove").hasSize(4);

        theStore().deleteOutbox(List.of("o-2", "o-unknown", "o-3"));
        assertThat(theStore().outbox(FAR_FUTURE, 10)).containsExactly(o1, o4);
        theStore().deleteOutbox(List.of());
        theStore().deleteOutbox(List.of("o-2"));
        assertThat(theStore().outbox(FAR_FUTURE, 10)).containsExactly(o1, o4);
    }

    @Test
    @DisplayName("outbox rows created at the same instant come back in insertion order")
    void outboxTies() {
        List<OutboxRecord> rows = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            rows.add(outbox("o-" + (char) ('z' - i), "s-1", at(1))); // ids sort against insertion order
        }
        tx(t -> {
            t.addOutbox(rows.subList(0, 6));
            return null;
        });
        tx(t -> {
            t.addOutbox(rows.subList(6, 12));
            return null;
        });

        assertThat(theStore().outbox(FAR_FUTURE, 100)).containsExactlyElementsOf(rows);
    }

    @Test
    @DisplayName("outbox headers survive a round trip, including separators, escapes, empty values and non-ASCII")
    void outboxHeaders() {
        Map<String, String> tricky = new LinkedHashMap<>();
        tricky.put("baton-message-id", "m-1");
        tricky.put("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        tricky.put("a=b", "c=d&e=f");
        tricky.put("with space", " leading and trailing ");
        tricky.put("percent", "%41%%2");
        tricky.put("plus", "1+1");
        tricky.put("escapes", "back\\slash \\n not a newline, \"quotes\" ; , :");
        tricky.put("newlines", "line1\nline2\r\n");
        tricky.put("empty", "");
        tricky.put("", "empty key");
        tricky.put("unicode ✓", "Zoë 🎷 中文");
        List<OutboxRecord> rows = List.of(outbox("o-1", "s-1", at(1), tricky), outbox("o-2", "s-1", at(2), Map.of()),
                outbox("o-3", "s-1", at(3), Map.of("", "")), outbox("o-4", "s-1", at(4), Map.of("k", "")));
        tx(t -> {
            t.addOutbox(rows);
            return null;
        });

        List<OutboxRecord> loaded = theStore().outbox(FAR_FUTURE, 10);
        assertThat(loaded).containsExactlyElementsOf(rows);
        assertThat(loaded.get(0).headers()).containsExactlyInAnyOrderEntriesOf(tricky);
    }

    // ---------------------------------------------------------------- timers

    @Test
    @DisplayName("setTimer replaces the timer of the same saga and kind; other kinds and sagas stay")
    void setTimerReplaces() {
        TimerRecord retry1 = timer("s-1", TimerKind.RETRY, "tok-1", at(10));
        TimerRecord timeout = timer("s-1", TimerKind.TIMEOUT, "tok-t", at(20));
        TimerRecord other = timer("s-2", TimerKind.RETRY, "tok-o", at(15));
        tx(t -> {
            t.setTimer(retry1);
            t.setTimer(timeout);
            t.setTimer(other);
            return null;
        });
        TimerRecord retry2 = new TimerRecord(SagaId.of("s-1"), TimerKind.RETRY, "approve", "tok-2", at(30));
        tx(t -> {
            t.setTimer(retry2);
            return null;
        });

        assertThat(theStore().dueTimers(FAR_FUTURE, 10)).containsExactly(other, timeout, retry2);

        TimerRecord retry3 = timer("s-1", TimerKind.RETRY, "tok-3", at(5));
        tx(t -> {
            t.setTimer(retry3);
            t.setTimer(retry3);
            return null;
        });
        assertThat(theStore().dueTimers(FAR_FUTURE, 10)).containsExactly(retry3, other, timeout);
    }

    @Test
    @DisplayName("cancelTimers removes the saga's timers of the given kinds only")
    void cancelTimers() {
        TimerRecord retry = timer("s-1", TimerKind.RETRY, "r", at(1));
        TimerRecord timeout = timer("s-1", TimerKind.TIMEOUT, "t", at(2));
        TimerRecord giveUp = timer("s-1", TimerKind.GIVE_UP, "g", at(3));
        TimerRecord otherRetry = timer("s-2", TimerKind.RETRY, "r2", at(4));
        tx(t -> {
            for (TimerRecord timer : List.of(retry, timeout, giveUp, otherRetry)) {
                t.setTimer(timer);
            }
            return null;
        });

        tx(t -> {
            t.cancelTimers(SagaId.of("s-1"), EnumSet.of(TimerKind.RETRY, TimerKind.GIVE_UP));
            return null;
        });
        assertThat(theStore().dueTimers(FAR_FUTURE, 10)).containsExactly(timeout, otherRetry);

        tx(t -> {
            t.cancelTimers(SagaId.of("s-1"), Set.of());
            t.cancelTimers(SagaId.of("s-1"), EnumSet.of(TimerKind.RETRY));
            t.cancelTimers(SagaId.of("s-unknown"), EnumSet.allOf(TimerKind.class));
            return null;
        });
        assertThat(theStore().dueTimers(FAR_FUTURE, 10)).containsExactly(timeout, otherRetry);

        tx(t -> {
            t.cancelTimers(SagaId.of("s-1"), EnumSet.allOf(TimerKind.class));
            return null;
        });
        assertThat(theStore().dueTimers(FAR_FUTURE, 10)).containsExactly(otherRetry);
    }

    @Test
    @DisplayName("dueTimers returns only due timers (fireAt <= now), soonest first, at most limit, without claiming them")
    void dueTimers() {
        TimerRecord late = timer("s-1", TimerKind.TIMEOUT, "a", at(30));
        TimerRecord early = timer("s-2", TimerKind.TIMEOUT, "b", at(10));
        TimerRecord middle = timer("s-3", TimerKind.RETRY, "c", at(20));
        TimerRecord future = timer("s-4", TimerKind.GIVE_UP, "d", at(31));
        tx(t -> {
            for (TimerRecord timer : List.of(late, early, future, middle)) {
                t.setTimer(timer);
            }
            return null;
        });

        assertThat(theStore().dueTimers(at(30), 10)).containsExactly(early, middle, late);
        assertThat(theStore().dueTimers(at(30), 2)).containsExactly(early, middle);
        assertThat(theStore().dueTimers(at(9), 10)).isEmpty();
        assertThat(theStore().dueTimers(at(10), 10)).containsExactly(early);
        assertThat(theStore().dueTimers(at(30), 10)).as("peeking does not claim").containsExactly(early, middle, late);
    }

    @Test
    @DisplayName("claimTimer returns true exactly once for a timer as it was read")
    void claimOnce() {
        TimerRecord timer = timer("s-1", TimerKind.TIMEOUT, "tok", at(1));
        TimerRecord sibling = timer("s-1", TimerKind.RETRY, "tok", at(1));
        tx(t -> {
            t.setTimer(timer);
            t.setTimer(sibling);
            return null;
        });
        TimerRecord read = theStore().dueTimers(at(1), 10).stream().filter(t -> t.kind() == TimerKind.TIMEOUT)
                .findFirst().orElseThrow();
        assertThat(read).isEqualTo(timer);

        assertThat(claim(read)).isTrue();
        assertThat(claim(read)).isFalse();
        assertThat(claim(timer)).isFalse();
        assertThat(theStore().dueTimers(at(1), 10)).containsExactly(sibling);
    }

    @Test
    @DisplayName("claimTimer returns false for a timer whose token or fire time changed since it was read, or that was cancelled")
    void claimStale() {
        TimerRecord first = timer("s-1", TimerKind.TIMEOUT, "tok-1", at(1));
        tx(t -> {
            t.setTimer(first);
            return null;
        });
        TimerRecord read = theStore().dueTimers(at(1), 10).get(0);

        TimerRecord newToken = timer("s-1", TimerKind.TIMEOUT, "tok-2", at(1));
        tx(t -> {
            t.setTimer(newToken);
            return null;
        });
        assertThat(claim(read)).as("token changed").isFalse();

        TimerRecord moved = timer("s-1", TimerKind.TIMEOUT, "tok-2", at(2));
        tx(t -> {
            t.setTimer(moved);
            return null;
        });
        assertThat(claim(newToken)).as("fire time changed").isFalse();
        assertThat(theStore().dueTimers(at(2), 10)).containsExactly(moved);

        tx(t -> {
            t.cancelTimers(moved.sagaId(), EnumSet.of(TimerKind.TIMEOUT));
            return null;
        });
        assertThat(claim(moved)).as("cancelled").isFalse();
    }

    @Test
    @DisplayName("of several threads racing to claim the same timer, each in its own transaction, exactly one wins")
    void concurrentClaims() {
        for (int round = 0; round < 10; round++) {
            TimerRecord timer = timer("s-" + round, TimerKind.TIMEOUT, "tok-" + round, at(round));
            tx(t -> {
                t.setTimer(timer);
                return null;
            });

            List<StoreKitRace.Outcome<Boolean>> outcomes = StoreKitRace.race(RACERS, () -> tx(t -> t.claimTimer(timer)));

            assertThat(outcomes).noneMatch(StoreKitRace.Outcome::failed);
            assertThat(outcomes).filteredOn(o -> o.value()).as("winners in round %d", round).hasSize(1);
            assertThat(theStore().dueTimers(FAR_FUTURE, 10)).isEmpty();
        }
    }

    // ---------------------------------------------------------------- leases (several engine nodes)

    @Test
    @DisplayName("leaseDueTimers: due timers of the given kinds, soonest first, at most limit; leased ones are skipped until the lease ends")
    void leaseDueTimers() {
        TimerRecord a = timer("s-1", TimerKind.TIMEOUT, "a", at(10));
        TimerRecord b = timer("s-2", TimerKind.RETRY, "b", at(20));
        TimerRecord c = timer("s-3", TimerKind.GIVE_UP, "c", at(30));
        TimerRecord later = timer("s-4", TimerKind.RETRY, "d", at(31));
        tx(t -> {
            for (TimerRecord timer : List.of(c, later, a, b)) {
                t.setTimer(timer);
            }
            return null;
        });
        Set<TimerKind> all = EnumSet.allOf(TimerKind.class);

        assertThat(theStore().leaseDueTimers(at(30), EnumSet.of(TimerKind.RETRY, TimerKind.GIVE_UP), at(100), 10))
                .as("kinds filter").containsExactly(b, c);
        assertThat(theStore().leaseDueTimers(at(30), all, at(100), 10)).as("b and c are leased").containsExactly(a);
        assertThat(theStore().leaseDueTimers(at(30), all, at(100), 10)).as("all due timers are leased").isEmpty();
        assertThat(theStore().dueTimers(at(30), 10)).as("leasing does not remove").containsExactly(a, b, c);

        assertThat(theStore().leaseDueTimers(at(99), all, at(200), 10)).as("leases still held at 99 s").containsExactly(later);
        assertThat(theStore().leaseDueTimers(at(100), all, at(200), 2)).as("leases ended at 100 s, limit 2")
                .containsExactly(a, b);
        assertThat(theStore().leaseDueTimers(at(100), all, at(200), 10)).containsExactly(c);
        assertThat(theStore().leaseDueTimers(at(30), all, at(100), 0)).isEmpty();
        assertThat(theStore().leaseDueTimers(at(300), Set.of(), at(400), 10)).isEmpty();
    }

    @Test
    @DisplayName("a leased timer can still be claimed once; replacing it clears its lease")
    void leasedTimerClaimAndReplace() {
        TimerRecord first = timer("s-1", TimerKind.RETRY, "tok-1", at(10));
        tx(t -> {
            t.setTimer(first);
            return null;
        });
        Set<TimerKind> all = EnumSet.allOf(TimerKind.class);
        assertThat(theStore().leaseDueTimers(at(10), all, at(100), 10)).containsExactly(first);

        TimerRecord replacement = timer("s-1", TimerKind.RETRY, "tok-2", at(20));
        tx(t -> {
            t.setTimer(replacement);
            return null;
        });
        assertThat(claim(first)).as("the leased timer was replaced").isFalse();
        assertThat(theStore().leaseDueTimers(at(20), all, at(100), 10)).as("the replacement is not leased")
                .containsExactly(replacement);
        assertThat(claim(replacement)).as("a leased timer is claimed as usual").isTrue();
        assertThat(claim(replacement)).isFalse();
        assertThat(theStore().dueTimers(FAR_FUTURE, 10)).isEmpty();
    }

    @Test
    @DisplayName("leaseOutbox: rows created before the cut-off, oldest first, at most limit; leased rows are skipped until the lease ends")
    void leaseOutbox() {
        OutboxRecord o1 = outbox("o-1", "s-1", at(10));
        OutboxRecord o2 = outbox("o-2", "s-2", at(20));
        OutboxRecord o3 = outbox("o-3", "s-1", at(30));
        tx(t -> {
            t.addOutbox(List.of(o3, o1, o2));
            return null;
        });

        assertThat(theStore().leaseOutbox(at(30), at(40), at(100), 1)).containsExactly(o1);
        assertThat(theStore().leaseOutbox(at(30), at(40), at(100), 10)).as("o-1 leased; o-3 not before the cut-off")
                .containsExactly(o2);
        assertThat(theStore().leaseOutbox(FAR_FUTURE, at(40), at(100), 10)).containsExactly(o3);
        assertThat(theStore().leaseOutbox(FAR_FUTURE, at(99), at(100), 10)).isEmpty();
        assertThat(theStore().outbox(FAR_FUTURE, 10)).as("leasing does not remove").containsExactly(o1, o2, o3);

        theStore().deleteOutbox(List.of("o-2"));
        assertThat(theStore().leaseOutbox(FAR_FUTURE, at(100), at(200), 10)).as("leases ended at 100 s")
                .containsExactly(o1, o3);
        assertThat(theStore().leaseOutbox(FAR_FUTURE, at(300), at(400), 0)).isEmpty();
    }

    @Test
    @DisplayName("threads leasing timers and outbox rows together get disjoint batches that cover everything")
    void concurrentLeases() {
        int timers = 200;
        tx(t -> {
            for (int i = 0; i < timers; i++) {
                t.setTimer(timer("s-" + i, TimerKind.RETRY, "tok-" + i, at(i % 7)));
            }
            List<OutboxRecord> rows = new ArrayList<>();
            for (int i = 0; i < timers; i++) {
                rows.add(outbox("o-" + i, "s-" + i, at(i % 7)));
            }
            t.addOutbox(rows);
            return null;
        });
        Set<TimerKind> all = EnumSet.allOf(TimerKind.class);

        List<StoreKitRace.Outcome<List<String>>> outcomes = StoreKitRace.race(RACERS, () -> {
            List<String> mine = new ArrayList<>();
            for (List<TimerRecord> batch; !(batch = theStore().leaseDueTimers(at(10), all, at(100), 7)).isEmpty(); ) {
                batch.forEach(t -> mine.add("timer " + t.sagaId().value()));
            }
            for (List<OutboxRecord> batch; !(batch = theStore().leaseOutbox(at(10), at(10), at(100), 7)).isEmpty(); ) {
                batch.forEach(o -> mine.add("outbox " + o.id()));
            }
            return mine;
        });

        assertThat(outcomes).noneMatch(StoreKitRace.Outcome::failed);
        List<String> leased = outcomes.stream().flatMap(o -> o.value().stream()).toList();
        assertThat(leased).as("no timer or row leased twice").doesNotHaveDuplicates().hasSize(2 * timers);
    }

    @Test
    @DisplayName("loadForUpdate reads a saga inside a transaction like load, and finds nothing for an unknown id")
    void loadForUpdate() {
        SagaRecord s = saga("s-1");
        tx(t -> {
            t.insert(s);
            return null;
        });

        Optional<SagaRecord> found = tx(t -> t.loadForUpdate(s.id()));
        Optional<SagaRecord> unknown = tx(t -> t.loadForUpdate(SagaId.of("s-unknown")));
        assertThat(found).contains(s);
        assertThat(unknown).isEmpty();
        SagaRecord next = nextVersion(s);
        tx(t -> {
            t.loadForUpdate(s.id());
            t.update(next);
            return null;
        });
        assertThat(theStore().find(s.id())).contains(next);
    }

    @Test
    @DisplayName("reads outside transactions see what committed transactions wrote")
    void readsOutsideTransactions() {
        SagaRecord s = saga("s-1");
        Optional<SagaRecord> before = theStore().find(s.id());
        tx(t -> {
            t.insert(s);
            t.appendHistory(List.of(history("s-1", 0, "STARTED", null, null)));
            return null;
        });

        assertThat(before).isEmpty();
        assertThat(theStore().find(s.id())).contains(s);
        assertThat(theStore().history(s.id())).hasSize(1);
        assertThat(T0).as("fixture sanity: instants are in microseconds").isEqualTo(T0.truncatedTo(ChronoUnit.MICROS));
    }

    // ---------------------------------------------------------------- many at once (markReceivedAll, loadAll, writeAll)

    @Test
    @DisplayName("markReceivedAll returns the ids that are new; ids seen before, or twice in the call, are not")
    void markReceivedAll() {
        assertThat(markReceived("m-old", at(0))).isTrue();
        Set<String> fresh = tx(t -> t.markReceivedAll(List.of("m-2", "m-old", "m-1", "m-2"), at(1)));
        assertThat(fresh).containsExactlyInAnyOrder("m-1", "m-2");
        Set<String> none = tx(t -> t.markReceivedAll(List.of(), at(1)));
        assertThat(none).isEmpty();
        Set<String> third = tx(t -> t.markReceivedAll(List.of("m-1", "m-3"), at(2)));
        assertThat(third).containsExactly("m-3");
        assertThat(markReceived("m-2", at(3))).isFalse();
        assertThat(theStore().purgeInbox(at(2))).as("received at the time given").isEqualTo(3);
    }

    @Test
    @DisplayName("of concurrent markReceivedAll calls over the same ids, in any order, each id is new to one of them")
    void concurrentMarkReceivedAll() {
        List<String> ids = List.of("m-a", "m-b", "m-c", "m-d");
        java.util.concurrent.atomic.AtomicInteger racer = new java.util.concurrent.atomic.AtomicInteger();
        List<StoreKitRace.Outcome<Set<String>>> outcomes = StoreKitRace.race(RACERS, () -> {
            List<String> mine = new ArrayList<>(ids);
            java.util.Collections.rotate(mine, racer.getAndIncrement());
            return tx(t -> t.markReceivedAll(mine, at(0)));
        });

        assertThat(outcomes).noneMatch(StoreKitRace.Outcome::failed);
        List<String> won = outcomes.stream().flatMap(o -> o.value().stream()).sorted().toList();
        assertThat(won).as("every id recorded first by exactly one racer").containsExactlyElementsOf(ids);
    }

    @Test
    @DisplayName("loadAll returns the sagas that exist, this transaction's writes included")
    void loadAll() {
        SagaRecord a = saga("s-a");
        SagaRecord b = saga("s-b");
        insert(a, b);
        SagaRecord c = saga("s-c");
        Map<SagaId, SagaRecord> found = tx(t -> {
            t.insert(c);
            t.update(nextVersion(a));
            return t.loadAll(List.of(a.id(), SagaId.of("s-none"), c.id(), b.id(), a.id()));
        });

        assertThat(found).containsOnlyKeys(a.id(), b.id(), c.id());
        assertThat(found.get(a.id())).isEqualTo(nextVersion(a));
        assertThat(found.get(b.id())).isEqualTo(b);
        assertThat(found.get(c.id())).isEqualTo(c);
        Map<SagaId, SagaRecord> nothing = tx(t -> t.loadAll(List.of()));
        assertThat(nothing).isEmpty();
    }

    @Test
    @DisplayName("writeAll writes each saga's row, history, outbox rows and timer changes, as the single operations do")
    void writeAll() {
        SagaRecord a = saga("s-a");
        SagaRecord b = saga("s-b");
        insert(a, b);
        TimerRecord aTimeout = timer("s-a", TimerKind.TIMEOUT, "t-a", at(10));
        TimerRecord aRetry = timer("s-a", TimerKind.RETRY, "r-a", at(11));
        TimerRecord bTimeout = timer("s-b", TimerKind.TIMEOUT, "t-b", at(12));
        tx(t -> {
            List.of(aTimeout, aRetry, bTimeout).forEach(t::setTimer);
            return null;
        });

        SagaRecord c = saga("s-c");
        TimerRecord aTimeout2 = timer("s-a", TimerKind.TIMEOUT, "t-a2", at(20));
        TimerRecord cTimeout = timer("s-c", TimerKind.TIMEOUT, "t-c", at(21));
        OutboxRecord aOut = outbox("o-a", "s-a", at(5));
        OutboxRecord cOut1 = outbox("o-c1", "s-c", at(5));
        OutboxRecord cOut2 = outbox("o-c2", "s-c", at(5));
        tx(t -> {
            t.writeAll(List.of(
                    // a: the retry timer goes, the timeout is replaced
                    new SagaWrite(nextVersion(a), false, List.of(history("s-a", 5, "STEP_COMPLETED", "reserve-credit", null),
                            history("s-a", 5, "COMMAND_SENT", "approve", null)), List.of(aOut),
                            EnumSet.of(TimerKind.RETRY, TimerKind.TIMEOUT), List.of(aTimeout2)),
                    // c: new, with two commands
                    new SagaWrite(c, true, List.of(history("s-c", 5, "STARTED", null, null)), List.of(cOut1, cOut2),
                            Set.of(), List.of(cTimeout)),
                    // b: only its row and a history entry; its timer stays
                    new SagaWrite(nextVersion(b), false, List.of(history("s-b", 5, "PARKED", "approve", "busy")),
                            List.of(), Set.of(), List.of())));
            return null;
        });

        assertThat(theStore().find(a.id())).contains(nextVersion(a));
        assertThat(theStore().find(b.id())).contains(nextVersion(b));
        assertThat(theStore().find(c.id())).contains(c);
        assertThat(withoutSeq(theStore().history(a.id()))).containsExactly(
                history("s-a", 5, "STEP_COMPLETED", "reserve-credit", null), history("s-a", 5, "COMMAND_SENT", "approve", null));
        assertThat(withoutSeq(theStore().history(b.id()))).containsExactly(history("s-b", 5, "PARKED", "approve", "busy"));
        assertThat(withoutSeq(theStore().history(c.id()))).containsExactly(history("s-c", 5, "STARTED", null, null));
        assertThat(theStore().outbox(FAR_FUTURE, 10)).containsExactlyInAnyOrder(aOut, cOut1, cOut2);
        assertThat(theStore().dueTimers(FAR_FUTURE, 10)).containsExactly(bTimeout, aTimeout2, cTimeout);

        tx(t -> {
            t.writeAll(List.of());
            return null;
        });
        assertThat(theStore().dueTimers(FAR_FUTURE, 10)).hasSize(3);
    }

    @Test
    @DisplayName("writeAll with one stale version throws ConcurrentUpdateException, and the rolled-back transaction wrote nothing")
    void writeAllStaleVersion() {
        SagaRecord a = saga("s-a");
        SagaRecord b = saga("s-b");
        SagaRecord c = saga("s-c");
        insert(a, b, c);
        tx(t -> {
            t.update(nextVersion(b));
            return null;
        });

        assertThatThrownBy(() -> tx(t -> {
            t.writeAll(List.of(
                    new SagaWrite(nextVersion(a), false, List.of(history("s-a", 5, "STEP_COMPLETED", "x", null)),
                            List.of(outbox("o-a", "s-a", at(5))), Set.of(), List.of(timer("s-a", TimerKind.TIMEOUT, "t", at(9)))),
                    new SagaWrite(nextVersion(b), false, List.of(), List.of(), Set.of(), List.of()),
                    new SagaWrite(nextVersion(c), false, List.of(), List.of(), Set.of(), List.of())));
            return null;
        })).isInstanceOf(ConcurrentUpdateException.class);

        assertThat(theStore().find(a.id())).contains(a);
        assertThat(theStore().find(c.id())).contains(c);
        assertThat(theStore().history(a.id())).isEmpty();
        assertThat(theStore().outbox(FAR_FUTURE, 10)).isEmpty();
        assertThat(theStore().dueTimers(FAR_FUTURE, 10)).isEmpty();

        assertThatThrownBy(() -> tx(t -> {
            t.writeAll(List.of(new SagaWrite(nextVersion(a), false, List.of(), List.of(), Set.of(), List.of()),
                    new SagaWrite(nextVersion(saga("s-none")), false, List.of(), List.of(), Set.of(), List.of())));
            return null;
        })).isInstanceOf(SagaNotFoundException.class);
        assertThat(theStore().find(a.id())).contains(a);
    }

    @Test
    @DisplayName("writeAll refuses a saga named twice, naming it, before writing anything")
    void writeAllSagaTwice() {
        SagaRecord a = saga("s-a");
        insert(a);
        SagaWrite first = new SagaWrite(nextVersion(a), false, List.of(), List.of(), Set.of(), List.of());
        SagaWrite second = new SagaWrite(nextVersion(nextVersion(a)), false, List.of(), List.of(), Set.of(), List.of());
        assertThatThrownBy(() -> tx(t -> {
            t.writeAll(List.of(first, second));
            return null;
        })).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("s-a");
        assertThat(theStore().find(a.id())).contains(a);
    }

    // ---------------------------------------------------------------- purging ended sagas

    @Test
    @DisplayName("purgeEnded deletes COMPLETED and COMPENSATED sagas changed before the cut-off, oldest first, with their history and timers")
    void purgeEnded() {
        insert(saga("e-done-old", ORDER, SagaStatus.COMPLETED, null, "k-1", at(1), at(10)),
                saga("e-comp-old", ORDER, SagaStatus.COMPENSATED, null, "k-2", at(2), at(20)),
                saga("e-done-new", ORDER, SagaStatus.COMPLETED, null, "k-3", at(3), at(100)),
                saga("e-failed", ORDER, SagaStatus.FAILED, null, "k-4", at(4), at(5)),
                saga("e-running", ORDER, SagaStatus.RUNNING, null, "k-5", at(5), at(5)),
                saga("e-pending", ORDER, SagaStatus.PENDING, "AWAITING", "k-6", at(6), at(6)),
                saga("e-at-cutoff", ORDER, SagaStatus.COMPLETED, null, "k-7", at(7), at(50)));
        tx(t -> {
            for (String id : List.of("e-done-old", "e-comp-old", "e-done-new", "e-failed")) {
                t.appendHistory(List.of(history(id, 1, "STARTED", null, null)));
            }
            t.setTimer(timer("e-done-old", TimerKind.TIMEOUT, "t", at(30)));
            t.setTimer(timer("e-failed", TimerKind.TIMEOUT, "t", at(31)));
            return null;
        });

        assertThat(theStore().purgeEnded(at(50), 1)).as("the oldest first, one at most").isEqualTo(1);
        assertThat(theStore().find(SagaId.of("e-done-old"))).isEmpty();
        assertThat(theStore().find(SagaId.of("e-comp-old"))).isPresent();
        assertThat(theStore().purgeEnded(at(50), 10)).as("changed strictly before the cut-off").isEqualTo(1);
        assertThat(theStore().purgeEnded(at(50), 10)).isZero();

        for (String gone : List.of("e-done-old", "e-comp-old")) {
            assertThat(theStore().find(SagaId.of(gone))).as(gone).isEmpty();
            assertThat(theStore().history(SagaId.of(gone))).as(gone + "'s history").isEmpty();
        }
        for (String kept : List.of("e-done-new", "e-failed", "e-running", "e-pending", "e-at-cutoff")) {
            assertThat(theStore().find(SagaId.of(kept))).as(kept).isPresent();
        }
        assertThat(theStore().history(SagaId.of("e-failed"))).hasSize(1);
        assertThat(theStore().dueTimers(FAR_FUTURE, 10)).extracting(t -> t.sagaId().value()).containsExactly("e-failed");
        Optional<SagaRecord> byOldKey = loadByBusinessKey(ORDER, "k-1");
        assertThat(byOldKey).as("a purged saga's business key is free").isEmpty();
        insert(saga("e-again", ORDER, SagaStatus.RUNNING, null, "k-1", at(60), at(60)));
        assertThat(loadByBusinessKey(ORDER, "k-1")).map(SagaStoreCompatibilityKit::idOf).contains("e-again");
    }

    // ---------------------------------------------------------------- queries

    private static final String ORDER = "create-order";
    private static final String REFUND = "refund-order";

    private static String idOf(SagaRecord s) {
        return s.id().value();
    }

    /** The one and only page of {@code query} (which must fit in it): its ids in order. */
    private List<String> onePage(SagaQuery query) {
        SagaPage page = theStore().query(query);
        assertThat(page.nextCursor()).as("the cursor of a last page").isNull();
        return page.items().stream().map(SagaStoreCompatibilityKit::idOf).toList();
    }

    /**
     * Nine sagas for the filter tests, inserted out of creation order. Created at 10..90 s, one each; last changed
     * as noted.
     */
    private void insertCatalogue() {
        insert(saga("a05", REFUND, SagaStatus.FAILED, null, "k5", at(50), at(70)),
                saga("a01", ORDER, SagaStatus.RUNNING, null, "k1", at(10), at(100)),
                saga("a09", ORDER, SagaStatus.PENDING, "AWAITING_BANK", "k9", at(90), at(95)),
                saga("a03", REFUND, SagaStatus.PENDING, "AWAITING_BANK", "k1", at(30), at(50)));
        insert(saga("a07", ORDER, SagaStatus.COMPENSATED, null, "k7", at(70), at(80)),
                saga("a02", ORDER, SagaStatus.PENDING, "AWAITING_STOCK", "k2", at(20), at(200)),
                saga("a08", REFUND, SagaStatus.RUNNING, null, "k8", at(80), at(90)),
                saga("a04", ORDER, SagaStatus.COMPLETED, null, null, at(40), at(60)),
                saga("a06", ORDER, SagaStatus.COMPENSATING, null, "k6", at(60), at(300)));
    }

    @Test
    @DisplayName("query: each filter alone selects exactly its sagas, newest first; time ranges include from and exclude to")
    void queryEachFilter() {
        insertCatalogue();
        SagaQuery all = SagaQuery.all(SagaQuery.MAX_LIMIT);

        assertThat(onePage(all)).containsExactly("a09", "a08", "a07", "a06", "a05", "a04", "a03", "a02", "a01");
        assertThat(onePage(all.withType(ORDER))).containsExactly("a09", "a07", "a06", "a04", "a02", "a01");
        assertThat(onePage(all.withType("no-such-type"))).isEmpty();
        assertThat(onePage(all.withStatus(SagaStatus.PENDING))).containsExactly("a09", "a03", "a02");
        assertThat(onePage(all.withStatus(SagaStatus.COMPLETED))).containsExactly("a04");
        assertThat(onePage(all.withPendingState("AWAITING_BANK"))).containsExactly("a09", "a03");
        assertThat(onePage(all.withBusinessKey("k1"))).as("the same key under two types").containsExactly("a03", "a01");
        assertThat(onePage(all.withCreated(at(30), at(70)))).containsExactly("a06", "a05", "a04", "a03");
        assertThat(onePage(all.withCreated(at(30), null))).containsExactly("a09", "a08", "a07", "a06", "a05", "a04",
                "a03");
        assertThat(onePage(all.withCreated(null, at(30)))).containsExactly("a02", "a01");
        assertThat(onePage(all.withUpdated(at(70), at(100)))).containsExactly("a09", "a08", "a07", "a05");
        assertThat(onePage(all.withUpdated(at(200), null))).containsExactly("a06", "a02");
        assertThat(onePage(all.withUpdated(null, at(60)))).containsExactly("a03");
        assertThat(onePage(all.withCreated(at(30), at(30)))).as("an empty range").isEmpty();
    }

    @Test
    @DisplayName("query: a time bound finer than a microsecond compares with the instant as stored")
    void querySubMicrosecondBounds() {
        insertCatalogue();
        SagaQuery all = SagaQuery.all(SagaQuery.MAX_LIMIT);
        Instant justAfter30 = at(30).plusNanos(1);

        assertThat(onePage(all.withCreated(justAfter30, at(50)))).as("created at 30 s is before the from bound")
                .containsExactly("a04");
        assertThat(onePage(all.withCreated(at(20), justAfter30))).as("created at 30 s is before the to bound")
                .containsExactly("a03", "a02");
        assertThat(onePage(all.withStuckBefore(at(50).plusNanos(1)))).as("changed at 50 s is before the bound")
                .containsExactly("a03");
    }

    @Test
    @DisplayName("query: stuckBefore selects RUNNING, PENDING, COMPENSATING and FAILED sagas last changed before it, never terminal or recent ones")
    void queryStuck() {
        List<SagaRecord> sagas = new ArrayList<>();
        int n = 0;
        for (SagaStatus status : SagaStatus.values()) {
            String name = status.name().toLowerCase(Locale.ROOT);
            String pending = status == SagaStatus.PENDING ? "AWAITING_STOCK" : null;
            sagas.add(saga("old-" + name, ORDER, status, pending, null, at(n++), at(100)));
            sagas.add(saga("cut-" + name, ORDER, status, pending, null, at(n++), at(200)));
            sagas.add(saga("new-" + name, ORDER, status, pending, null, at(n++), at(300)));
        }
        insert(sagas.toArray(SagaRecord[]::new));
        SagaQuery all = SagaQuery.all(SagaQuery.MAX_LIMIT);

        assertThat(onePage(all.withStuckBefore(at(200)))).as("changed strictly before the cut-off, not terminal")
                .containsExactly("old-failed", "old-compensating", "old-pending", "old-running");
        assertThat(onePage(all.withStuckBefore(at(100)))).isEmpty();
        assertThat(onePage(all.withStuckBefore(FAR_FUTURE))).containsExactly("new-failed", "cut-failed", "old-failed",
                "new-compensating", "cut-compensating", "old-compensating", "new-pending", "cut-pending",
                "old-pending", "new-running", "cut-running", "old-running");
        assertThat(onePage(all.withStuckBefore(FAR_FUTURE).withStatus(SagaStatus.COMPLETED))).isEmpty();
        assertThat(onePage(all.withStuckBefore(FAR_FUTURE).withStatus(SagaStatus.FAILED)))
                .containsExactly("new-failed", "cut-failed", "old-failed");
    }

    @Test
    @DisplayName("query: filters combine with AND")
    void queryCombinedFilters() {
        insertCatalogue();
        SagaQuery all = SagaQuery.all(SagaQuery.MAX_LIMIT);

        assertThat(onePage(all.withType(ORDER).withStatus(SagaStatus.PENDING))).containsExactly("a09", "a02");
        assertThat(onePage(all.withType(REFUND).withPendingState("AWAITING_BANK"))).containsExactly("a03");
        assertThat(onePage(all.withType(ORDER).withPendingState("AWAITING_STOCK").withStatus(SagaStatus.RUNNING)))
                .isEmpty();
        assertThat(onePage(all.withType(ORDER).withBusinessKey("k1"))).containsExactly("a01");
        assertThat(onePage(all.withType(REFUND).withBusinessKey("k2"))).isEmpty();
        assertThat(onePage(all.withStatus(SagaStatus.PENDING).withCreated(at(20), at(90))))
                .containsExactly("a03", "a02");
        assertThat(onePage(all.withCreated(at(10), at(60)).withUpdated(at(60), at(100))))
                .containsExactly("a05", "a04");
        assertThat(onePage(all.withType(ORDER).withStuckBefore(FAR_FUTURE)))
                .containsExactly("a09", "a06", "a02", "a01");
        assertThat(onePage(all.withType(REFUND).withStuckBefore(at(90)).withCreated(at(40), null)))
                .containsExactly("a05");
        SagaQuery everything = all.withType(ORDER).withStatus(SagaStatus.PENDING).withPendingState("AWAITING_STOCK")
                .withBusinessKey("k2").withCreated(at(20), at(21)).withUpdated(at(200), at(201))
                .withStuckBefore(at(201));
        assertThat(onePage(everything)).containsExactly("a02");
        assertThat(onePage(everything.withStuckBefore(at(200)))).isEmpty();
        assertThat(onePage(everything.withCreated(at(21), at(22)))).isEmpty();
        assertThat(onePage(everything.withUpdated(at(199), at(200)))).isEmpty();
    }

    @Test
    @DisplayName("query: newest first; sagas created at the same instant come by id, descending, on one page or many")
    void queryOrderAndTies() {
        insert(saga("t-b", ORDER, SagaStatus.RUNNING, null, null, at(5), at(5)),
                saga("z-old", ORDER, SagaStatus.RUNNING, null, null, at(4), at(50)),
                saga("t-d", ORDER, SagaStatus.COMPLETED, null, null, at(5), at(6)));
        insert(saga("a-new", ORDER, SagaStatus.RUNNING, null, null, at(6), at(6)),
                saga("t-a", ORDER, SagaStatus.RUNNING, null, null, at(5), at(40)),
                saga("t-c", ORDER, SagaStatus.RUNNING, null, null, at(5), at(5)));
        List<String> expected = List.of("a-new", "t-d", "t-c", "t-b", "t-a", "z-old");

        assertThat(onePage(SagaQuery.all(SagaQuery.MAX_LIMIT))).containsExactlyElementsOf(expected);
        for (int size = 1; size <= expected.size() + 1; size++) {
            assertThat(walk(SagaQuery.all(size), () -> {}).ids()).as("pages of %d", size)
                    .containsExactlyElementsOf(expected);
        }
    }

    /** The ids of every page of a query, in order, and how many pages there were. */
    private record Walk(List<String> ids, int pages) {}

    /**
     * Follows the cursors from {@code first} to the last page, running {@code betweenPages} before each next page.
     * Checks that every page but the last is full and has a cursor.
     */
    private Walk walk(SagaQuery first, Runnable betweenPages) {
        List<String> ids = new ArrayList<>();
        SagaQuery query = first;
        for (int pages = 1; ; pages++) {
            SagaPage page = theStore().query(query);
            List<String> pageIds = page.items().stream().map(SagaStoreCompatibilityKit::idOf).toList();
            assertThat(pageIds).filteredOn(ids::contains).as("page %d repeats sagas of earlier pages", pages)
                    .isEmpty();
            ids.addAll(pageIds);
            if (page.nextCursor() == null) {
                return new Walk(ids, pages);
            }
            assertThat(page.items()).as("page %d has a cursor, so it is full", pages).hasSize(first.limit());
            assertThat(pages).as("pages so far (a cursor that does not advance?)").isLessThan(10_000);
            betweenPages.run();
            query = query.withAfter(page.nextCursor());
        }
    }

    @Test
    @DisplayName("query: paging by 1, 2 and 7 returns every match once, in order, while newer sagas arrive and sagas change between pages")
    void queryPagination() {
        Map<String, SagaRecord> model = new LinkedHashMap<>(); // every saga as stored now
        List<SagaRecord> initial = new ArrayList<>();
        for (int i = 0; i < 23; i++) {
            // three sagas per instant; ids, types and insertion order all shuffled against creation order
            String type = (i * 5) % 23 < 14 ? ORDER : REFUND;
            initial.add(saga(String.format(Locale.ROOT, "p%02d", (i * 7) % 23), type, SagaStatus.RUNNING, null,
                    null, at(i / 3), at(i / 3)));
        }
        for (int i = 0; i < 23; i++) {
            SagaRecord s = initial.get((i * 11) % 23);
            insert(s);
            model.put(idOf(s), s);
        }
        int[] changes = {0};
        Runnable churn = () -> {
            // a saga newer than any page so far (a refund: the orders stay 14, a multiple of 1, 2 and 7) ...
            int c = changes[0]++;
            SagaRecord newer = saga(String.format(Locale.ROOT, "new%03d", c), REFUND, SagaStatus.RUNNING, null, null,
                    at(1_000 + c), at(1_000 + c));
            insert(newer);
            model.put(idOf(newer), newer);
            // ... and one of the first sagas changes status and is now the most recently changed
            SagaRecord current = model.get(idOf(initial.get(c % initial.size())));
            boolean running = current.status() == SagaStatus.RUNNING;
            SagaRecord changed = moved(current, running ? SagaStatus.PENDING : SagaStatus.RUNNING,
                    running ? "AWAITING_STOCK" : null, at(2_000 + c));
            tx(t -> {
                t.update(changed);
                return null;
            });
            model.put(idOf(changed), changed);
        };
        Comparator<SagaRecord> newestFirst = Comparator.comparing(SagaRecord::createdAt)
                .thenComparing(SagaStoreCompatibilityKit::idOf).reversed();

        for (int size : new int[] {1, 2, 7}) {
            for (String type : new String[] {ORDER, REFUND, null}) {
                List<String> expected = model.values().stream().filter(s -> type == null || s.type().equals(type))
                        .sorted(newestFirst).map(SagaStoreCompatibilityKit::idOf).toList();
                SagaQuery first = type == null ? SagaQuery.all(size) : SagaQuery.all(size).withType(type);

                Walk walk = walk(first, churn);

                assertThat(walk.ids()).as("type %s, pages of %d", type, size).doesNotHaveDuplicates()
                        .containsExactlyElementsOf(expected);
                assertThat(walk.pages()).as("type %s, pages of %d: the last page is the first without a cursor,"
                        + " never an extra empty one", type, size).isEqualTo((expected.size() + size - 1) / size);
            }
        }
        assertThat(model.values().stream().filter(s -> s.type().equals(ORDER)).count())
                .as("fixture sanity: 14 orders throughout").isEqualTo(14);
        assertThat(changes[0]).as("fixture sanity: sagas arrived and changed between pages").isGreaterThan(50);
    }

    @Test
    @DisplayName("query: an empty result, or exactly one full page, has no cursor")
    void queryLastPage() {
        SagaPage empty = theStore().query(SagaQuery.all(5));
        assertThat(empty.items()).isEmpty();
        assertThat(empty.nextCursor()).isNull();

        insert(saga("s-1", ORDER, SagaStatus.RUNNING, null, null, at(1), at(1)),
                saga("s-2", ORDER, SagaStatus.RUNNING, null, null, at(2), at(2)),
                saga("s-3", REFUND, SagaStatus.RUNNING, null, null, at(3), at(3)));

        SagaPage full = theStore().query(SagaQuery.all(3));
        assertThat(full.items()).extracting(SagaStoreCompatibilityKit::idOf).containsExactly("s-3", "s-2", "s-1");
        assertThat(full.nextCursor()).isNull();
        SagaPage fullFiltered = theStore().query(SagaQuery.all(2).withType(ORDER));
        assertThat(fullFiltered.items()).extracting(SagaStoreCompatibilityKit::idOf).containsExactly("s-2", "s-1");
        assertThat(fullFiltered.nextCursor()).isNull();

        SagaPage first = theStore().query(SagaQuery.all(2));
        assertThat(first.nextCursor()).isNotNull();
        assertThat(first.items()).as("pages hold whole records").containsExactly(
                theStore().find(SagaId.of("s-3")).orElseThrow(), theStore().find(SagaId.of("s-2")).orElseThrow());
        SagaPage last = theStore().query(SagaQuery.all(2).withAfter(first.nextCursor()));
        assertThat(last.items()).extracting(SagaStoreCompatibilityKit::idOf).containsExactly("s-1");
        assertThat(last.nextCursor()).isNull();
    }

    @Test
    @DisplayName("query: a cursor the store did not issue is an IllegalArgumentException that says so")
    void queryBadCursor() {
        insert(saga("s-1", ORDER, SagaStatus.RUNNING, null, null, at(1), at(1)),
                saga("s-2", ORDER, SagaStatus.RUNNING, null, null, at(2), at(2)));
        String real = theStore().query(SagaQuery.all(1)).nextCursor();
        assertThat(real).as("a cursor is URL-safe").isNotNull().matches("[A-Za-z0-9_\\-.~]+");
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        List<String> garbage = List.of("garbage!", "", " ", real + "!", real.substring(0, 1) + " " + real.substring(1),
                "%%%", b64.encodeToString("no colon".getBytes(StandardCharsets.UTF_8)),
                b64.encodeToString("abc:def".getBytes(StandardCharsets.UTF_8)),
                b64.encodeToString("12:".getBytes(StandardCharsets.UTF_8)),
                b64.encodeToString("1:2:3:with space".getBytes(StandardCharsets.UTF_8)));

        for (String cursor : garbage) {
            assertThatThrownBy(() -> theStore().query(SagaQuery.all(1).withAfter(cursor))).as("cursor '%s'", cursor)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageFindingMatch("(?i)cursor");
        }
        assertThat(onePage(SagaQuery.all(1).withAfter(real))).as("the store still answers").containsExactly("s-1");
    }

    @Test
    @DisplayName("query: SagaQuery takes page sizes 1 to 1000 only, and the store returns at most that many")
    void queryLimits() {
        for (int bad : new int[] {0, -1, SagaQuery.MAX_LIMIT + 1, Integer.MIN_VALUE, Integer.MAX_VALUE}) {
            assertThatThrownBy(() -> SagaQuery.all(bad)).as("limit %d", bad)
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> new SagaQuery(ORDER, null, null, null, null, null, null, null, null, null, bad))
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(SagaQuery.MAX_LIMIT).isEqualTo(1000);
        SagaQuery q = SagaQuery.all(3).withType(ORDER).withStatus(SagaStatus.RUNNING).withAfter(null);
        assertThat(q.limit()).as("the with-methods keep the limit").isEqualTo(3);

        List<SagaRecord> many = new ArrayList<>();
        for (int i = 0; i < SagaQuery.MAX_LIMIT + 5; i++) {
            many.add(saga(String.format(Locale.ROOT, "m%04d", i), ORDER, SagaStatus.RUNNING, null, null,
                    at(i % 50), at(0)));
        }
        insert(many.toArray(SagaRecord[]::new));

        assertThat(theStore().query(SagaQuery.all(1)).items()).hasSize(1);
        SagaPage max = theStore().query(SagaQuery.all(SagaQuery.MAX_LIMIT));
        assertThat(max.items()).hasSize(SagaQuery.MAX_LIMIT);
        assertThat(max.nextCursor()).isNotNull();
        SagaPage rest = theStore().query(SagaQuery.all(SagaQuery.MAX_LIMIT).withAfter(max.nextCursor()));
        assertThat(rest.items()).hasSize(5);
        assertThat(rest.nextCursor()).isNull();
    }

    // ---------------------------------------------------------------- counts and backlogs

    @Test
    @DisplayName("counts: one row per type, status and (for PENDING) pending state, with no zero rows")
    void counts() {
        assertThat(theStore().counts()).isEmpty();
        SagaRecord bank = saga("c-6", ORDER, SagaStatus.PENDING, "AWAITING_BANK", null, at(6), at(6));
        insert(saga("c-1", ORDER, SagaStatus.RUNNING, null, null, at(1), at(1)),
                saga("c-2", ORDER, SagaStatus.RUNNING, "AWAITING_STOCK", null, at(2), at(2)),
                saga("c-3", ORDER, SagaStatus.PENDING, "AWAITING_STOCK", null, at(3), at(3)),
                saga("c-4", ORDER, SagaStatus.PENDING, "AWAITING_STOCK", null, at(4), at(4)),
                saga("c-5", REFUND, SagaStatus.PENDING, "AWAITING_STOCK", null, at(5), at(5)),
                bank,
                saga("c-7", REFUND, SagaStatus.COMPLETED, null, null, at(7), at(7)),
                saga("c-8", ORDER, SagaStatus.FAILED, null, null, at(8), at(8)));

        assertThat(theStore().counts()).as("a pending state outside PENDING is not counted under it")
                .containsExactlyInAnyOrder(
                        new SagaCount(ORDER, SagaStatus.RUNNING, null, 2),
                        new SagaCount(ORDER, SagaStatus.PENDING, "AWAITING_STOCK", 2),
                        new SagaCount(ORDER, SagaStatus.PENDING, "AWAITING_BANK", 1),
                        new SagaCount(REFUND, SagaStatus.PENDING, "AWAITING_STOCK", 1),
                        new SagaCount(REFUND, SagaStatus.COMPLETED, null, 1),
                        new SagaCount(ORDER, SagaStatus.FAILED, null, 1));

        tx(t -> {
            t.update(moved(bank, SagaStatus.RUNNING, null, at(9)));
            return null;
        });
        assertThat(theStore().counts()).containsExactlyInAnyOrder(
                new SagaCount(ORDER, SagaStatus.RUNNING, null, 3),
                new SagaCount(ORDER, SagaStatus.PENDING, "AWAITING_STOCK", 2),
                new SagaCount(REFUND, SagaStatus.PENDING, "AWAITING_STOCK", 1),
                new SagaCount(REFUND, SagaStatus.COMPLETED, null, 1),
                new SagaCount(ORDER, SagaStatus.FAILED, null, 1));
    }

    @Test
    @DisplayName("outboxBacklog counts every committed outbox row, whatever its age, until it is deleted")
    void outboxBacklog() {
        assertThat(theStore().outboxBacklog()).isZero();
        tx(t -> {
            t.addOutbox(List.of(outbox("o-1", "s-1", at(1)), outbox("o-2", "s-1", at(2))));
            t.addOutbox(List.of(outbox("o-3", "s-2", at(3_000_000_000L)))); // created some 95 years from now
            return null;
        });
        assertThat(theStore().outboxBacklog()).isEqualTo(3);

        RuntimeException boom = new IllegalStateException("boom");
        assertThatThrownBy(() -> tx(t -> {
            t.addOutbox(List.of(outbox("o-4", "s-3", at(3))));
            throw boom;
        })).isSameAs(boom);
        assertThat(theStore().outboxBacklog()).as("rolled back").isEqualTo(3);

        theStore().deleteOutbox(List.of("o-2", "o-unknown"));
        assertThat(theStore().outboxBacklog()).isEqualTo(2);
        theStore().deleteOutbox(List.of("o-1", "o-3"));
        assertThat(theStore().outboxBacklog()).isZero();
    }

    @Test
    @DisplayName("dueTimerCount counts timers firing at or before now, once per saga and kind, until claimed or cancelled")
    void dueTimerCount() {
        assertThat(theStore().dueTimerCount(FAR_FUTURE)).isZero();
        TimerRecord early = timer("s-1", TimerKind.TIMEOUT, "a", at(10));
        TimerRecord middle = timer("s-2", TimerKind.RETRY, "b", at(20));
        TimerRecord late = timer("s-2", TimerKind.GIVE_UP, "c", at(30));
        tx(t -> {
            t.setTimer(timer("s-1", TimerKind.TIMEOUT, "replaced", at(5)));
            t.setTimer(early);
            t.setTimer(middle);
            t.setTimer(late);
            return null;
        });

        assertThat(theStore().dueTimerCount(at(9))).isZero();
        assertThat(theStore().dueTimerCount(at(10))).as("firing exactly now").isEqualTo(1);
        assertThat(theStore().dueTimerCount(at(20))).isEqualTo(2);
        assertThat(theStore().dueTimerCount(at(29))).isEqualTo(2);
        assertThat(theStore().dueTimerCount(FAR_FUTURE)).isEqualTo(3);

        assertThat(claim(early)).isTrue();
        assertThat(theStore().dueTimerCount(at(20))).isEqualTo(1);
        tx(t -> {
            t.cancelTimers(SagaId.of("s-2"), EnumSet.of(TimerKind.GIVE_UP));
            return null;
        });
        assertThat(theStore().dueTimerCount(FAR_FUTURE)).isEqualTo(1);
    }
}
