package dev.baton.engine;

/** The saga store failed (database unreachable, constraint broken, ...). @since 0.1 */
public final class SagaStoreException extends SagaException {
    public SagaStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
