package dev.baton.engine;

import java.util.List;

/**
 * One definition version of a saga type, as an operator retiring it needs to see it: whether this node has it,
 * which live nodes have it and which do not, its rollout weight, and where its sagas not yet ended are.
 *
 * @param registeredHere whether this node registered the version
 * @param weight its weight in the type's rollout, or null when the type has no rollout (new sagas start on the
 *               newest version, or the one the caller names)
 * @param nodesWith live nodes that registered it
 * @param nodesWithout live nodes that did not: they cannot apply its sagas' replies
 * @param unended its sagas not ended (RUNNING, PENDING, COMPENSATING, FAILED); 0: it can be retired
 * @param places where those are
 * @since 0.8
 */
public record VersionReport(String type, int version, boolean registeredHere, Integer weight, List<String> nodesWith,
                            List<String> nodesWithout, long unended, List<Place> places) {

    /** How many sagas of the version are in a status, at a step, in a pending state (null when none). */
    public record Place(SagaStatus status, String step, String pendingState, long count) {}
}
