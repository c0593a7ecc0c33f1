package dev.baton.engine;

/** No saga instance has the given id. @since 0.1 */
public final class SagaNotFoundException extends SagaException {
    private final SagaId sagaId;

    public SagaNotFoundException(SagaId sagaId) {
        super("no saga with id " + sagaId);
        this.sagaId = sagaId;
    }

    public SagaId sagaId() {
        return sagaId;
    }
}
