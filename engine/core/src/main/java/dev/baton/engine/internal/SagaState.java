package dev.baton.engine.internal;

import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import java.time.Instant;

/** A saga instance as the state machine sees it: decoded data and execution state. Immutable. */
public record SagaState(SagaId id, String type, int definitionVersion, String businessKey, SagaStatus status,
                        String pendingState, String reason, Object data, Execution exec, long version,
                        Instant createdAt, Instant updatedAt) {

    SagaState with(SagaStatus s, String pending, String why, Object d, Execution e) {
        return new SagaState(id, type, definitionVersion, businessKey, s, pending, why, d, e, version, createdAt, updatedAt);
    }

    SagaState withExec(Execution e) {
        return with(status, pendingState, reason, data, e);
    }

    /** The step the saga is at: the cursor's step, or null once terminal. */
    public String currentStep() {
        if (exec.cursor() != null) {
            return exec.cursor().step();
        }
        if (exec.group() != null) {
            int i = GroupRules.focus(this);
            return i < 0 ? null : exec.group().lanes().get(i).cursor().step();
        }
        return null;
    }
}
