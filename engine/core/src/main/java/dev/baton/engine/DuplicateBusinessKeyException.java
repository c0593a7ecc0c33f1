package dev.baton.engine;

/** A saga of this type with this business key exists already. @since 0.1 */
public final class DuplicateBusinessKeyException extends SagaException {
    public DuplicateBusinessKeyException(String sagaType, String businessKey) {
        super("a saga '" + sagaType + "' with business key '" + businessKey + "' exists already");
    }
}
