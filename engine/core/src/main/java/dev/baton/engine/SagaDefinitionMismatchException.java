package dev.baton.engine;

import java.util.Collection;

/**
 * The engine has no definition for a saga's type and version: it refuses to run the instance rather than
 * guess. Register the missing version (keep old versions registered until their instances end).
 *
 * @since 0.1
 */
public final class SagaDefinitionMismatchException extends SagaException {
    public SagaDefinitionMismatchException(String sagaType, int version, Collection<Integer> registered, String sagaId) {
        super("saga '" + sagaType + "'" + (sagaId == null ? "" : " #" + sagaId) + " needs definition v" + version
                + (registered.isEmpty() ? ", but no version of it is registered" : "; registered versions: " + registered)
                + "; register that version with the engine");
    }

    private SagaDefinitionMismatchException(String message) {
        super(message);
    }

    /**
     * No version of {@code sagaType} is registered at all: a start names a type the engine does not know.
     *
     * @since 0.3
     */
    public static SagaDefinitionMismatchException unknownType(String sagaType, Collection<String> knownTypes) {
        return new SagaDefinitionMismatchException("no saga type '" + sagaType + "' is registered; known types: "
                + new java.util.TreeSet<>(knownTypes));
    }
}
