package dev.baton.testkit;

import static dev.baton.testkit.StoreKitFixtures.at;
import static dev.baton.testkit.StoreKitFixtures.moved;
import static dev.baton.testkit.StoreKitFixtures.outbox;
import static dev.baton.testkit.StoreKitFixtures.saga;
import static dev.baton.testkit.StoreKitFixtures.timer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.spi.SagaCount;
import dev.baton.engine.spi.SagaRecord;
import dev.baton.engine.spi.TimerKind;
import dev.baton.engine.spi.TimerRecord;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The {@link dev.baton.engine.spi.SagaStore} contract, part 11 of 11: counts and backlogs. The
 * {@link SagaStoreCompatibilityKit} runs it as a {@code @Nested} group.
 */
abstract class CountsContract extends StoreContract {

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
