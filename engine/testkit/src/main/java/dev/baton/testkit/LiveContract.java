package dev.baton.testkit;

import static dev.baton.testkit.StoreKitFixtures.at;
import static dev.baton.testkit.StoreKitFixtures.saga;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.engine.SagaStatus;
import dev.baton.engine.spi.LiveSetting;
import dev.baton.engine.spi.NodeRecord;
import dev.baton.engine.spi.SettingChange;
import dev.baton.engine.spi.VersionCount;
import dev.baton.engine.spi.SagaRecord;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The {@link dev.baton.engine.spi.SagaStore} contract for what operators change at run time: live settings with
 * their trail of changes, the node list, and the count of unended sagas by definition version. The
 * {@link SagaStoreCompatibilityKit} runs it as a {@code @Nested} group.
 */
abstract class LiveContract extends StoreContract {

    @Test
    @DisplayName("changeLiveSetting: set, replace and remove, each logged with before, after, actor and reason")
    void settingsAndTheirTrail() {
        assertThat(theStore().liveSettings()).isEmpty();
        assertThat(theStore().changeLiveSetting("rollout", "order", "1=90,2=10", "alice", "try v2", at(1))).isNull();
        assertThat(theStore().changeLiveSetting("step-policy", "order/pay", "timeout=PT5S", "bob", "slow", at(2))).isNull();
        assertThat(theStore().changeLiveSetting("rollout", "order", "1=100,2=0", "carol", "roll back", at(3)))
                .isEqualTo("1=90,2=10");

        assertThat(theStore().liveSettings()).containsExactly(
                new LiveSetting("rollout", "order", "1=100,2=0", "carol", "roll back", at(3)),
                new LiveSetting("step-policy", "order/pay", "timeout=PT5S", "bob", "slow", at(2)));

        assertThat(theStore().changeLiveSetting("step-policy", "order/pay", null, "dave", "reset", at(4)))
                .isEqualTo("timeout=PT5S");
        assertThat(theStore().liveSettings()).extracting(LiveSetting::kind).containsExactly("rollout");

        assertThat(theStore().settingChanges(10)).extracting(SettingChange::target, SettingChange::before,
                        SettingChange::after, SettingChange::actor, SettingChange::reason)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("order/pay", "timeout=PT5S", null, "dave", "reset"),
                        org.assertj.core.groups.Tuple.tuple("order", "1=90,2=10", "1=100,2=0", "carol", "roll back"),
                        org.assertj.core.groups.Tuple.tuple("order/pay", null, "timeout=PT5S", "bob", "slow"),
                        org.assertj.core.groups.Tuple.tuple("order", null, "1=90,2=10", "alice", "try v2"));
        assertThat(theStore().settingChanges(2)).extracting(SettingChange::at).containsExactly(at(4), at(3));
        assertThat(theStore().settingChanges(10)).extracting(SettingChange::seq).isSortedAccordingTo((a, b) -> Long.compare(b, a));
    }

    @Test
    @DisplayName("heartbeat, leave and forgetNodes: the node list with each node's definitions and last heartbeat")
    void nodes() {
        theStore().heartbeat("node-b", "order:1", at(0), at(1));
        theStore().heartbeat("node-a", "order:1,2;refund:1", at(0), at(2));
        theStore().heartbeat("node-b", "order:1,2", at(5), at(6));
        assertThat(theStore().nodes()).containsExactly(
                new NodeRecord("node-a", "order:1,2;refund:1", at(0), at(2)),
                new NodeRecord("node-b", "order:1,2", at(5), at(6)));
        theStore().leave("node-a");
        theStore().leave("node-x");
        assertThat(theStore().nodes()).extracting(NodeRecord::node).containsExactly("node-b");
        theStore().heartbeat("node-c", "order:2", at(7), at(8));
        assertThat(theStore().forgetNodes(at(7))).isEqualTo(1);
        assertThat(theStore().nodes()).extracting(NodeRecord::node).containsExactly("node-c");
    }

    @Test
    @DisplayName("unendedByVersion: sagas not COMPLETED or COMPENSATED, by type, version, status, step and pending state")
    void unendedByVersion() {
        SagaRecord base = saga("s-0");
        tx(t -> {
            t.insert(with(base, "s-1", 1, SagaStatus.RUNNING, "pay", null));
            t.insert(with(base, "s-2", 1, SagaStatus.RUNNING, "pay", null));
            t.insert(with(base, "s-3", 1, SagaStatus.PENDING, "pay", "PENDING_PAYMENT"));
            t.insert(with(base, "s-4", 2, SagaStatus.FAILED, "ship", null));
            t.insert(with(base, "s-5", 2, SagaStatus.COMPLETED, null, null));
            t.insert(with(base, "s-6", 1, SagaStatus.COMPENSATED, null, null));
            t.insert(with(base, "s-7", 2, SagaStatus.COMPENSATING, "reserve", null));
            return null;
        });
        assertThat(theStore().unendedByVersion()).containsExactly(
                new VersionCount(base.type(), 1, SagaStatus.PENDING, "pay", "PENDING_PAYMENT", 1),
                new VersionCount(base.type(), 1, SagaStatus.RUNNING, "pay", null, 2),
                new VersionCount(base.type(), 2, SagaStatus.COMPENSATING, "reserve", null, 1),
                new VersionCount(base.type(), 2, SagaStatus.FAILED, "ship", null, 1));
    }

    private static SagaRecord with(SagaRecord s, String id, int version, SagaStatus status, String step, String pending) {
        return new SagaRecord(dev.baton.engine.SagaId.of(id), s.type(), version, status, pending, step, "bk-" + id,
                s.dataType(), s.data(), s.execution(), s.reason(), 1, s.createdAt(), s.updatedAt());
    }
}
