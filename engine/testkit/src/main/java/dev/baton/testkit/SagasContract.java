package dev.baton.testkit;

import static dev.baton.testkit.StoreKitFixtures.at;
import static dev.baton.testkit.StoreKitFixtures.history;
import static dev.baton.testkit.StoreKitFixtures.nextVersion;
import static dev.baton.testkit.StoreKitFixtures.saga;
import static dev.baton.testkit.StoreKitFixtures.withVersion;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.engine.ConcurrentUpdateException;
import dev.baton.engine.DuplicateBusinessKeyException;
import dev.baton.engine.SagaId;
import dev.baton.engine.SagaNotFoundException;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.SagaStoreException;
import dev.baton.engine.spi.SagaRecord;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The {@link dev.baton.engine.spi.SagaStore} contract, part 1 of 11: insert, load, update and business keys. The
 * {@link SagaStoreCompatibilityKit} runs it as a {@code @Nested} group.
 */
abstract class SagasContract extends StoreContract {

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
}
