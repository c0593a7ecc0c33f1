package dev.baton.testkit;

import static dev.baton.testkit.StoreKitFixtures.at;
import static dev.baton.testkit.StoreKitFixtures.history;
import static dev.baton.testkit.StoreKitFixtures.saga;
import static dev.baton.testkit.StoreKitFixtures.timer;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.spi.SagaRecord;
import dev.baton.engine.spi.TimerKind;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The {@link dev.baton.engine.spi.SagaStore} contract, part 9 of 11: purging ended sagas with everything they own. The
 * {@link SagaStoreCompatibilityKit} runs it as a {@code @Nested} group.
 */
abstract class PurgeContract extends StoreContract {

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
        assertThat(loadByBusinessKey(ORDER, "k-1")).map(StoreContract::idOf).contains("e-again");
    }
}
