package dev.baton.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.baton.dsl.Participant;
import dev.baton.dsl.Retry;
import dev.baton.dsl.Saga;
import dev.baton.dsl.SagaDefinition;
import dev.baton.dsl.StepPolicy;
import dev.baton.engine.LiveControls;
import dev.baton.engine.LiveSettingRejectedException;
import dev.baton.engine.Rollout;
import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.VersionReport;
import dev.baton.engine.spi.SettingChange;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Gray release and live policies through the engine: which version new sagas start on, sticky by business key,
 * rolled back by a weight of 0; what an override changes; what is refused; the trail of changes.
 */
class LiveSettingsKitTest {
    record Data(String id) {}
    record Ping(String id) {}
    record Pong(String id) {}

    static final Participant<Ping> PINGER = Participant.named("pinger", Ping.class);
    static final Participant<Pong> PONGER = Participant.named("ponger", Pong.class);
    static final String TYPE = "release";

    static final SagaDefinition<Data> V1 = Saga.define(TYPE, Data.class).version(1)
            .step("ping").invoke(PINGER, d -> new Ping(d.id())).noCompensation().retry(Retry.none())
            .build();
    static final SagaDefinition<Data> V2 = Saga.define(TYPE, Data.class).version(2)
            .step("ping").invoke(PINGER, d -> new Ping(d.id())).noCompensation().retry(Retry.none())
            .step("pong").invoke(PONGER, d -> new Pong(d.id())).noCompensation().retry(Retry.none())
            .build();

    private static SagaTestKit kit() {
        return SagaTestKit.with(V1, V2).when(Ping.class, c -> Answer.success()).when(Pong.class, c -> Answer.success());
    }

    private static int version(SagaTestKit kit, SagaId id) {
        return kit.saga(id).definitionVersion();
    }

    @Test
    void newSagasSplitByWeightStickyByKeyAndARollbackKeepsStartedOnes() {
        try (SagaTestKit kit = kit()) {
            LiveControls live = kit.engine().live();
            // no rollout: the version the caller names
            assertThat(version(kit, kit.start(V1, new Data("a"), "before-1"))).isEqualTo(1);

            Rollout half = live.setRollout(TYPE, Map.of(1, 50, 2, 50), "ops", "try v2 on half the orders");
            assertThat(half.weights()).containsExactly(Map.entry(1, 50), Map.entry(2, 50));
            Map<String, Integer> byKey = new HashMap<>();
            for (int i = 0; i < 400; i++) {
                String key = "order-" + i;
                SagaId id = kit.start(V1, new Data(key), key); // the caller names v1; the rollout decides
                byKey.put(key, version(kit, id));
                assertThat(byKey.get(key)).as(key).isEqualTo(half.versionFor(Rollout.bucket(TYPE, key)));
            }
            Map<Integer, Long> split = byKey.values().stream().collect(Collectors.groupingBy(v -> v, Collectors.counting()));
            assertThat(split.get(1)).isBetween(160L, 240L);
            assertThat(split.get(2)).isBetween(160L, 240L);

            // sticky: the same key starts nothing new, and lands on the same version on every node and restart
            SagaId again = kit.start(V2, new Data("order-7"), "order-7");
            assertThat(version(kit, again)).isEqualTo(byKey.get("order-7"));
            // raising v2's share keeps every key it had
            Rollout more = live.setRollout(TYPE, Map.of(1, 20, 2, 80), "ops", "v2 looks good");
            byKey.forEach((key, v) -> {
                if (v == 2) {
                    assertThat(more.versionFor(Rollout.bucket(TYPE, key))).as(key).isEqualTo(2);
                }
            });
            // a start by type name follows the rollout too
            SagaId byName = kit.engine().start(TYPE, "{\"id\":\"json-1\"}", "json-1").id();
            assertThat(version(kit, byName)).isEqualTo(more.versionFor(Rollout.bucket(TYPE, "json-1")));

            // rollback: v2 at 0 takes no new saga; those started on it keep their version and finish on it
            live.setRollout(TYPE, Map.of(1, 100, 2, 0), "ops", "v2 double-charges, roll back");
            for (int i = 0; i < 50; i++) {
                assertThat(version(kit, kit.start(V2, new Data("after-" + i), "after-" + i))).isEqualTo(1);
            }
            kit.settle();
            List<SagaId> onV2 = kit.started().stream().filter(id -> version(kit, id) == 2).toList();
            assertThat(onV2).hasSizeGreaterThan(150);
            assertThat(onV2).allSatisfy(id -> {
                assertThat(kit.status(id)).isEqualTo(SagaStatus.COMPLETED);
                assertThat(kit.history(id)).anySatisfy(h -> assertThat(h.step()).isEqualTo("pong"));
            });

            // cleared: the caller's version again, the newest by name
            live.clearRollout(TYPE, "ops", "release done");
            assertThat(version(kit, kit.start(V1, new Data("x"), "cleared-1"))).isEqualTo(1);
            assertThat(version(kit, kit.engine().start(TYPE, "{\"id\":\"y\"}", "cleared-2").id())).isEqualTo(2);
            assertThat(live.rollout(TYPE)).isEmpty();

            List<SettingChange> changes = live.changes(10);
            assertThat(changes).extracting(SettingChange::after)
                    .containsExactly(null, "1=100,2=0", "1=20,2=80", "1=50,2=50");
            assertThat(changes.get(0).before()).isEqualTo("1=100,2=0");
            assertThat(changes).allSatisfy(c -> assertThat(c.actor()).isEqualTo("ops"));
            assertThat(changes.get(1).reason()).isEqualTo("v2 double-charges, roll back");
        }
    }

    @Test
    void invalidWeightsAndVersionsANodeLacksAreRefused() {
        InMemorySagaStore store = new InMemorySagaStore();
        try (SagaTestKit kit = SagaTestKit.on(store, V1, V2)) {
            LiveControls live = kit.engine().live();
            assertThat(refused(() -> live.setRollout(TYPE, Map.of(1, 50, 2, 40), "ops", "r")))
                    .hasMessageContaining("add up to 100").hasMessageContaining("90");
            assertThat(refused(() -> live.setRollout(TYPE, Map.of(1, 50, 3, 50), "ops", "r")))
                    .hasMessageContaining("version 3").hasMessageContaining("[1, 2]");
            assertThat(refused(() -> live.setRollout(TYPE, Map.of(1, 150, 2, -50), "ops", "r")))
                    .hasMessageContaining("0 to 100");
            assertThat(refused(() -> live.setRollout("nope", Map.of(1, 100), "ops", "r")))
                    .hasMessageContaining("'nope'").hasMessageContaining("release");
            assertThat(refused(() -> live.setRollout(TYPE, Map.of(1, 100), "ops", " "))).hasMessageContaining("reason");

            // another live node has only v1: it could not apply the replies of v2 sagas
            store.heartbeat("old-node", "release:1", kit.clock().instant(), kit.clock().instant());
            LiveSettingRejectedException conflict = refused(() -> live.setRollout(TYPE, Map.of(1, 90, 2, 10), "ops", "r"));
            assertThat(conflict.conflict()).isTrue();
            assertThat(conflict).hasMessageContaining("old-node").hasMessageContaining("lacks v2");
            // v2 at 0 is fine; and once the node is gone (no heartbeat for a while), so is v2
            live.setRollout(TYPE, Map.of(1, 100, 2, 0), "ops", "r");
            kit.advance(Duration.ofMinutes(1));
            live.setRollout(TYPE, Map.of(1, 90, 2, 10), "ops", "r");
            assertThat(live.changes(10)).hasSize(2); // refusals store nothing
        }
    }

    @Test
    void aStepPolicyChangesWhatTheEngineDoesNextAndAResetRestoresTheDefinition() {
        try (SagaTestKit kit = SagaTestKit.with(V1, V2).when(Ping.class, c -> Answer.silence())) {
            LiveControls live = kit.engine().live();
            live.setStepPolicy(TYPE, "ping", new StepPolicy(Duration.ofSeconds(2), null, null, null, null), "ops",
                    "the pinger answers within a second or not at all");
            SagaId fast = kit.start(V1, new Data("fast"));
            kit.advance(Duration.ofSeconds(3));
            // one attempt, timed out after 2 s instead of the definition's 30 s: nothing to undo
            assertThat(kit.status(fast)).isEqualTo(SagaStatus.COMPENSATED);
            assertThat(live.policies()).singleElement().satisfies(o -> {
                assertThat(o.type()).isEqualTo(TYPE);
                assertThat(o.step()).isEqualTo("ping");
                assertThat(o.policy().timeout()).isEqualTo(Duration.ofSeconds(2));
                assertThat(o.changedBy()).isEqualTo("ops");
            });

            live.resetStepPolicy(TYPE, "ping", "ops", "back to the definition");
            SagaId slow = kit.start(V1, new Data("slow"));
            kit.advance(Duration.ofSeconds(3));
            assertThat(kit.status(slow)).isEqualTo(SagaStatus.RUNNING);
            kit.advance(Duration.ofSeconds(30));
            assertThat(kit.status(slow)).isEqualTo(SagaStatus.COMPENSATED);
            assertThat(live.policies()).isEmpty();
        }
    }

    @Test
    void aPolicyIsCheckedAgainstEveryVersionThatHasTheStep() {
        try (SagaTestKit kit = kit()) {
            LiveControls live = kit.engine().live();
            assertThat(refused(() -> live.setStepPolicy(TYPE, "pong", new StepPolicy(Duration.ofSeconds(-1), null, null,
                    null, null), "ops", "r"))).hasMessageContaining("v2 step 'pong'").hasMessageContaining("positive");
            assertThat(refused(() -> live.setStepPolicy(TYPE, "ping", new StepPolicy(null, null, null,
                    Duration.ofSeconds(5), null), "ops", "r"))).hasMessageContaining("v1 step 'ping'")
                    .hasMessageContaining("does not park");
            assertThat(refused(() -> live.setStepPolicy(TYPE, "pang", new StepPolicy(Duration.ofSeconds(1), null, null,
                    null, null), "ops", "r"))).hasMessageContaining("'pang'").hasMessageContaining("[ping, pong]");
            assertThat(refused(() -> live.setStepPolicy(TYPE, "ping", StepPolicy.NONE, "ops", "r")))
                    .hasMessageContaining("sets nothing");
            assertThat(refused(() -> live.setParticipantPolicy("pinger", Map.of("failure-rate", "20"), "ops", "r")))
                    .hasMessageContaining("no settings to change"); // the open gate has none
            assertThat(refused(() -> live.setParticipantPolicy("nobody", Map.of("failure-rate", "20"), "ops", "r")))
                    .hasMessageContaining("'nobody'").hasMessageContaining("pinger");
            assertThat(live.policies()).isEmpty();
        }
    }

    @Test
    void theVersionReportSaysWhereEachVersionsSagasAre() {
        try (SagaTestKit kit = SagaTestKit.with(V1, V2).when(Ping.class, c -> Answer.success())
                .when(Pong.class, c -> Answer.silence())) {
            List<SagaId> ids = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                ids.add(kit.start(V1, new Data("one-" + i)));
                ids.add(kit.start(V2, new Data("two-" + i)));
            }
            kit.runFor(Duration.ofSeconds(1)); // pong's 30 s timeout not reached
            List<VersionReport> versions = kit.engine().live().versions();
            assertThat(versions).extracting(VersionReport::version).containsExactly(1, 2);
            assertThat(versions.get(0).unended()).isZero(); // v1 sagas completed: v1 can be retired
            VersionReport two = versions.get(1);
            assertThat(two.unended()).isEqualTo(3);
            assertThat(two.registeredHere()).isTrue();
            assertThat(two.weight()).isNull();
            assertThat(two.places()).singleElement().satisfies(p -> {
                assertThat(p.status()).isEqualTo(SagaStatus.RUNNING);
                assertThat(p.step()).isEqualTo("pong");
                assertThat(p.count()).isEqualTo(3);
            });
            assertThat(kit.engine().live().missingVersions()).isEmpty();
        }
    }

    private static LiveSettingRejectedException refused(Runnable r) {
        LiveSettingRejectedException e = catchThrowableOfType(LiveSettingRejectedException.class, r::run);
        assertThat(e).as("refused").isNotNull();
        return e;
    }
}
