package dev.baton.engine;

/** Saga data, a command or a reply could not be encoded or decoded. @since 0.1 */
public final class SagaCodecException extends SagaException {
    public SagaCodecException(String message, Throwable cause) {
        super(message, cause);
    }
}
