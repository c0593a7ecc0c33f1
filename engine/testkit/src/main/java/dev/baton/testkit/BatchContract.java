package dev.baton.testkit;

import static dev.baton.testkit.StoreKitFixtures.at;
import static dev.baton.testkit.StoreKitFixtures.history;
import static dev.baton.testkit.StoreKitFixtures.nextVersion;
import static dev.baton.testkit.StoreKitFixtures.outbox;
import static dev.baton.testkit.StoreKitFixtures.saga;
import static dev.baton.testkit.StoreKitFixtures.timer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.engine.ConcurrentUpdateException;
import dev.baton.engine.SagaId;
import dev.baton.engine.SagaNotFoundException;
import dev.baton.engine.spi.OutboxRecord;
import dev.baton.engine.spi.SagaRecord;
import dev.baton.engine.spi.SagaWrite;
import dev.baton.engine.spi.TimerKind;
import dev.baton.engine.spi.TimerRecord;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The {@link dev.baton.engine.spi.SagaStore} contract, part 8 of 11: many at once: markReceivedAll, loadAll and writeAll. The
 * {@link SagaStoreCompatibilityKit} runs it as a {@code @Nested} group.
 */
abstract class BatchContract extends StoreContract {

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
    @DisplayName("writeAll cancels single steps' timers, keeping the same kind's timers of the saga's other steps")
    void writeAllCancelsOneStepsTimer() {
        SagaRecord a = saga("s-a");
        SagaRecord b = saga("s-b");
        TimerRecord aFraud = new TimerRecord(a.id(), TimerKind.TIMEOUT, "check-fraud", "a-f", at(10));
        TimerRecord aStock = new TimerRecord(a.id(), TimerKind.TIMEOUT, "reserve-stock", "a-s", at(11));
        TimerRecord bFraud = new TimerRecord(b.id(), TimerKind.TIMEOUT, "check-fraud", "b-f", at(12));
        TimerRecord bStock = new TimerRecord(b.id(), TimerKind.TIMEOUT, "reserve-stock", "b-s", at(13));
        tx(t -> {
            t.insert(a);
            t.insert(b);
            List.of(aFraud, aStock, bFraud, bStock).forEach(t::setTimer);
            return null;
        });
        TimerRecord aFraudRetry = new TimerRecord(a.id(), TimerKind.RETRY, "check-fraud", "a-fr", at(14));
        tx(t -> {
            t.writeAll(List.of(
                    new SagaWrite(nextVersion(a), false, List.of(), List.of(), Set.of(), List.of(aFraudRetry),
                            List.of(new SagaWrite.TimerKey(TimerKind.TIMEOUT, "check-fraud"))),
                    new SagaWrite(nextVersion(b), false, List.of(), List.of(), Set.of(), List.of(),
                            List.of(new SagaWrite.TimerKey(TimerKind.TIMEOUT, "reserve-stock")))));
            return null;
        });
        assertThat(theStore().dueTimers(FAR_FUTURE, 10)).containsExactly(aStock, bFraud, aFraudRetry);
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
}
