package dev.baton.engine;

/**
 * The root of every exception the engine throws. Unchecked. Messages name the saga and step but never
 * include saga data, which may hold personal data.
 *
 * @since 0.1
 */
public abstract sealed class SagaException extends RuntimeException
        permits SagaNotFoundException, SagaDefinitionMismatchException, SagaActionRejectedException,
                ConcurrentUpdateException, DuplicateBusinessKeyException, SagaStoreException, SagaCodecException,
                LiveSettingRejectedException {

    protected SagaException(String message) {
        super(message);
    }

    protected SagaException(String message, Throwable cause) {
        super(message, cause);
    }
}
