package dev.baton.testkit;

import static dev.baton.testkit.StoreKitFixtures.at;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.engine.SagaId;
import dev.baton.engine.spi.FlowCount;
import dev.baton.engine.spi.FlowShare;
import dev.baton.engine.spi.TimerKind;
import dev.baton.engine.spi.TimerRecord;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The {@link dev.baton.engine.spi.SagaStore} contract for flow control: what is in flight and waiting per
 * participant, the lease on a participant's line, and the limit the engine nodes share. The
 * {@link SagaStoreCompatibilityKit} runs it as a {@code @Nested} group.
 */
abstract class FlowContract extends StoreContract {

    private static TimerRecord timer(String saga, TimerKind kind, long at, String participant) {
        return new TimerRecord(SagaId.of(saga), kind, "step", saga + "#" + kind, at(at), participant);
    }

    @Test
    @DisplayName("flowCounts: TIMEOUT timers naming a participant are in flight, WAIT timers wait (ready from fireAt on)")
    void counts() {
        tx(t -> {
            t.setTimer(timer("s-1", TimerKind.TIMEOUT, 50, "payment"));
            t.setTimer(timer("s-2", TimerKind.TIMEOUT, 60, "payment"));
            t.setTimer(timer("s-3", TimerKind.WAIT, 5, "payment"));
            t.setTimer(timer("s-4", TimerKind.WAIT, 20, "payment"));
            t.setTimer(timer("s-5", TimerKind.WAIT, 1, "inventory"));
            t.setTimer(timer("s-6", TimerKind.RETRY, 1, null));
            t.setTimer(timer("s-7", TimerKind.TIMEOUT, 1, null));
            return null;
        });

        assertThat(theStore().flowCounts(at(10))).containsExactly(
                new FlowCount("inventory", 0, 1, 1, at(1)),
                new FlowCount("payment", 2, 2, 1, at(5)));
        assertThat(theStore().dueTimers(at(100), 10)).as("WAIT timers are not due by time")
                .extracting(TimerRecord::kind).doesNotContain(TimerKind.WAIT);
        assertThat(theStore().dueTimerCount(at(100))).isEqualTo(4);
        assertThat(theStore().dueTimers(at(100), 10)).filteredOn(t -> t.kind() == TimerKind.TIMEOUT)
                .extracting(TimerRecord::participant).containsExactlyInAnyOrder(null, "payment", "payment");
    }

    @Test
    @DisplayName("leaseWaiting: a participant's ready WAIT timers, earliest first, at most limit; leased ones are skipped until the lease ends")
    void leaseWaiting() {
        tx(t -> {
            t.setTimer(timer("s-1", TimerKind.WAIT, 3, "payment"));
            t.setTimer(timer("s-2", TimerKind.WAIT, 1, "payment"));
            t.setTimer(timer("s-3", TimerKind.WAIT, 2, "payment"));
            t.setTimer(timer("s-4", TimerKind.WAIT, 30, "payment"));
            t.setTimer(timer("s-5", TimerKind.WAIT, 1, "inventory"));
            return null;
        });

        assertThat(theStore().leaseWaiting("payment", at(10), at(20), 2)).extracting(t -> t.sagaId().value())
                .containsExactly("s-2", "s-3");
        assertThat(theStore().leaseWaiting("payment", at(10), at(20), 10)).extracting(t -> t.sagaId().value())
                .as("s-2 and s-3 are leased, s-4 not ready").containsExactly("s-1");
        assertThat(theStore().leaseWaiting("payment", at(20), at(40), 10)).extracting(t -> t.sagaId().value())
                .as("leases ended at 20 s").containsExactly("s-2", "s-3", "s-1");
        List<TimerRecord> inventory = theStore().leaseWaiting("inventory", at(10), at(20), 10);
        assertThat(inventory).extracting(TimerRecord::participant).containsExactly("inventory");
        boolean claimed = tx(t -> t.claimTimer(inventory.get(0)));
        assertThat(claimed).as("a leased WAIT timer is claimed like any").isTrue();
        assertThat(theStore().flowCounts(at(10))).extracting(FlowCount::participant).containsExactly("payment");
    }

    @Test
    @DisplayName("exchangeFlow and setFlowLimit: outcomes add up across nodes, one node holds the lease, only it sets the limit")
    void sharedLimit() {
        FlowShare a = theStore().exchangeFlow("payment", "node-a", 5, 1, 0, 50, at(0), at(2));
        assertThat(a).isEqualTo(new FlowShare("payment", 50, 5, 1, 0, "node-a", at(2)));
        FlowShare b = theStore().exchangeFlow("payment", "node-b", 3, 0, 2, 10, at(1), at(3));
        assertThat(b).as("the first node's lease holds; node-b's initial limit is not used")
                .isEqualTo(new FlowShare("payment", 50, 8, 1, 2, "node-a", at(2)));

        assertThat(theStore().setFlowLimit("payment", "node-b", 7, at(1))).isFalse();
        assertThat(theStore().setFlowLimit("payment", "node-a", 45.5, at(1))).isTrue();
        assertThat(theStore().exchangeFlow("payment", "node-a", 0, 0, 0, 50, at(1), at(4)))
                .isEqualTo(new FlowShare("payment", 45.5, 8, 1, 2, "node-a", at(4)));

        FlowShare taken = theStore().exchangeFlow("payment", "node-b", 0, 0, 0, 50, at(4), at(6));
        assertThat(taken.leader()).as("node-a's lease ended at 4 s").isEqualTo("node-b");
        assertThat(theStore().setFlowLimit("payment", "node-a", 1, at(4))).isFalse();
        assertThat(theStore().exchangeFlow("inventory", "node-a", 0, 0, 0, 20, at(4), at(6)).limit()).isEqualTo(20);
    }
}
