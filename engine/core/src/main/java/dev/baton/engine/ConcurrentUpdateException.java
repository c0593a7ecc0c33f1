package dev.baton.engine;

/**
 * Another writer changed the saga since it was read (optimistic version check). The engine retries the
 * event on fresh state; users see it only when retries run out.
 *
 * @since 0.1
 */
public final class ConcurrentUpdateException extends SagaException {
    public ConcurrentUpdateException(SagaId sagaId, long expectedVersion) {
        super("saga " + sagaId + " was changed concurrently (expected version " + expectedVersion + ")");
    }

    /**
     * The database aborted the transaction because it conflicted with another one (a deadlock between engine nodes
     * touching the same rows in different orders, or a serialization failure): like a lost version check, the event
     * is applied again on fresh state.
     *
     * @since 0.2
     */
    public ConcurrentUpdateException(String message, Throwable cause) {
        super(message, cause);
    }
}
