package dev.baton.testkit;

import static dev.baton.testkit.StoreKitFixtures.T0;
import static dev.baton.testkit.StoreKitFixtures.at;
import static dev.baton.testkit.StoreKitFixtures.history;
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
import dev.baton.engine.spi.SagaRecord;
import dev.baton.engine.spi.SagaStore;
import dev.baton.engine.spi.StoreTransaction;
import dev.baton.engine.spi.TimerKind;
import dev.baton.engine.spi.TimerRecord;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
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
}
