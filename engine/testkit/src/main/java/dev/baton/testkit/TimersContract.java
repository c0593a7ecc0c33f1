package dev.baton.testkit;

import static dev.baton.testkit.StoreKitFixtures.at;
import static dev.baton.testkit.StoreKitFixtures.timer;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.engine.SagaId;
import dev.baton.engine.spi.TimerKind;
import dev.baton.engine.spi.TimerRecord;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The {@link dev.baton.engine.spi.SagaStore} contract, part 6 of 11: timers: due order, claims, cancellation. The
 * {@link SagaStoreCompatibilityKit} runs it as a {@code @Nested} group.
 */
abstract class TimersContract extends StoreContract {

    @Test
    @DisplayName("setTimer replaces the timer of the same saga, kind and step; other kinds and sagas stay")
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
        TimerRecord retry2 = new TimerRecord(SagaId.of("s-1"), TimerKind.RETRY, retry1.step(), "tok-2", at(30));
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
    @DisplayName("a saga has a timer of one kind per step: two steps' timers stay side by side, each replaced, claimed and"
            + " leased on its own, and cancelTimers removes those of every step")
    void oneTimerPerKindAndStep() {
        TimerRecord fraud = new TimerRecord(SagaId.of("s-1"), TimerKind.TIMEOUT, "check-fraud", "f#1", at(10), "fraud");
        TimerRecord stock = new TimerRecord(SagaId.of("s-1"), TimerKind.TIMEOUT, "reserve-stock", "r#1", at(20), "stock");
        tx(t -> {
            t.setTimer(fraud);
            t.setTimer(stock);
            return null;
        });
        assertThat(theStore().dueTimers(FAR_FUTURE, 10)).containsExactly(fraud, stock);

        TimerRecord fraud2 = new TimerRecord(SagaId.of("s-1"), TimerKind.TIMEOUT, "check-fraud", "f#2", at(30), "fraud");
        tx(t -> {
            t.setTimer(fraud2);
            return null;
        });
        assertThat(theStore().dueTimers(FAR_FUTURE, 10)).containsExactly(stock, fraud2);

        List<TimerRecord> leased = theStore().leaseDueTimers(at(20), EnumSet.of(TimerKind.TIMEOUT), at(40), 10);
        assertThat(leased).containsExactly(stock);
        assertThat(theStore().leaseDueTimers(at(30), EnumSet.of(TimerKind.TIMEOUT), at(35), 10))
                .as("the other step's timer is not under the first one's lease").containsExactly(fraud2);
        boolean claimed = tx(t -> t.claimTimer(stock));
        assertThat(claimed).isTrue();
        assertThat(theStore().dueTimers(FAR_FUTURE, 10)).containsExactly(fraud2);

        tx(t -> {
            t.setTimer(stock);
            t.cancelTimer(SagaId.of("s-1"), TimerKind.TIMEOUT, "check-fraud");
            t.cancelTimer(SagaId.of("s-1"), TimerKind.RETRY, "reserve-stock"); // none: nothing happens
            return null;
        });
        assertThat(theStore().dueTimers(FAR_FUTURE, 10)).as("cancelTimer removes one step's timer only")
                .containsExactly(stock);

        tx(t -> {
            t.setTimer(fraud2);
            t.cancelTimers(SagaId.of("s-1"), EnumSet.of(TimerKind.TIMEOUT));
            return null;
        });
        assertThat(theStore().dueTimers(FAR_FUTURE, 10)).isEmpty();
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
}
