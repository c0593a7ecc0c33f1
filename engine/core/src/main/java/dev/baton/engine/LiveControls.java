package dev.baton.engine;

import dev.baton.dsl.StepPolicy;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What operators change while the engine runs, without a release: which version new sagas start on (gray release),
 * step policies and participants' gate settings. Every change is checked, stored with who made it and why, and
 * followed by every node sharing the store within {@link SagaEngineBuilder#liveSettingsPoll} (this node at once).
 * Get it from {@link SagaEngine#live()}.
 *
 * <p>What a change does to sagas already waiting: a step's new timeout applies to commands sent from then on (a
 * command in flight keeps the timer set when it was sent); a new retry policy decides the next retry, counting the
 * attempts already made (a lower maximum can end the retries at the next failure); a new park interval applies from
 * the next re-send, and a new give-up limit to sagas that park from then on (a parked saga keeps its deadline).
 *
 * @since 0.8
 */
public interface LiveControls {

    /** Every type's rollout, by type. */
    List<Rollout> rollouts();

    /** The rollout of {@code type}, if one is set. */
    Optional<Rollout> rollout(String type);

    /**
     * Sets the weights by which new sagas of {@code type} pick a version.
     *
     * @param weights version → percent, 0 to 100, summing to 100; every version must be registered here
     * @throws LiveSettingRejectedException when the weights are not valid, or (a conflict) a live node lacks a version
     *     given a weight above 0: that node could not apply the replies of sagas started on it
     */
    Rollout setRollout(String type, Map<Integer, Integer> weights, String actor, String reason);

    /** Removes the rollout of {@code type}: new sagas start on the newest version again, or on the one the caller names. */
    void clearRollout(String type, String actor, String reason);

    /** Every version of every type registered here or on a live node, with where its unended sagas are. */
    List<VersionReport> versions();

    /** The engine nodes sharing the store. */
    List<EngineNode> nodes();

    /**
     * The versions that have sagas not ended but are not registered on this node: this node cannot apply their
     * replies or fire their timers. Empty when all is well. Checked at open and every half minute.
     */
    List<VersionReport> missingVersions();

    /** Every policy override in force. */
    List<PolicyOverride> policies();

    /**
     * Overrides a step's policy on every version of {@code type} that has the step, replacing an earlier override of
     * that step. Checked as {@code build()} checks a definition.
     *
     * @throws LiveSettingRejectedException naming the step and the fix
     */
    PolicyOverride setStepPolicy(String type, String step, StepPolicy policy, String actor, String reason);

    /** Removes a step's override: the step runs with its definition's values again. */
    void resetStepPolicy(String type, String step, String actor, String reason);

    /**
     * Gives a participant settings of the command gate (the circuit breaker's thresholds), replacing earlier ones.
     *
     * @throws LiveSettingRejectedException when the gate refuses them
     */
    PolicyOverride setParticipantPolicy(String participant, Map<String, String> settings, String actor, String reason);

    /** Removes a participant's settings: it runs with the gate's configured settings again. */
    void resetParticipantPolicy(String participant, String actor, String reason);

    /** The latest {@code limit} changes of rollouts and policies, newest first: what was changed, by whom, why. */
    List<dev.baton.engine.spi.SettingChange> changes(int limit);

    /** Reads the shared settings and the node list now, instead of at the next poll. */
    void refresh();
}
