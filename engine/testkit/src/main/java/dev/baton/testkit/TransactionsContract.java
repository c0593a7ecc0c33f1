package dev.baton.testkit;

import static dev.baton.testkit.StoreKitFixtures.at;
import static dev.baton.testkit.StoreKitFixtures.history;
import static dev.baton.testkit.StoreKitFixtures.nextVersion;
import static dev.baton.testkit.StoreKitFixtures.outbox;
import static dev.baton.testkit.StoreKitFixtures.saga;
import static dev.baton.testkit.StoreKitFixtures.timer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.engine.spi.HistoryRecord;
import dev.baton.engine.spi.OutboxRecord;
import dev.baton.engine.spi.SagaRecord;
import dev.baton.engine.spi.TimerKind;
import dev.baton.engine.spi.TimerRecord;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The {@link dev.baton.engine.spi.SagaStore} contract, part 2 of 11: commit, rollback and isolation of transactions. The
 * {@link SagaStoreCompatibilityKit} runs it as a {@code @Nested} group.
 */
abstract class TransactionsContract extends StoreContract {

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
}
