package dev.baton.engine;

/**
 * An operator action does not apply to the saga in its present state (for example retry on a COMPLETED
 * saga). Nothing was changed.
 *
 * @since 0.1
 */
public final class SagaActionRejectedException extends SagaException {
    private final SagaId sagaId;
    private final OperatorAction action;

    public SagaActionRejectedException(SagaId sagaId, OperatorAction action, String why) {
        super("cannot " + action.name().toLowerCase(java.util.Locale.ROOT) + " saga " + sagaId + ": " + why);
        this.sagaId = sagaId;
        this.action = action;
    }

    public SagaId sagaId() {
        return sagaId;
    }

    public OperatorAction action() {
        return action;
    }
}
