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
}
