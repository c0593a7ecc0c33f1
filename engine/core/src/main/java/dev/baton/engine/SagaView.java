package dev.baton.engine;

import java.time.Instant;
import java.util.List;

/**
 * A read-only snapshot of one saga instance.
 *
 * @param pendingState the named pending state while {@link SagaStatus#PENDING}, else null
 * @param reason why the saga is pending, compensating, compensated or failed; null otherwise
 * @param currentStep the step being run or compensated; null once terminal
 * @param data the saga data, decoded into the definition's data type
 * @param completedSteps steps that took effect (or may have), in order
 * @param compensatedSteps steps whose compensation completed, in order
 * @since 0.1
 */
public record SagaView(SagaId id, String type, int definitionVersion, SagaStatus status, String pendingState,
                       String reason, String currentStep, String businessKey, Object data, List<String> completedSteps,
                       List<String> compensatedSteps, long version, Instant createdAt, Instant updatedAt) {

    /**
     * The data, typed.
     *
     * @throws IllegalArgumentException when the data is not a {@code type}, naming both types
     */
    public <D> D data(Class<D> type) {
        if (data != null && !type.isInstance(data)) {
            throw new IllegalArgumentException("saga " + id + " ('" + this.type + "' v" + definitionVersion + ") holds data of type "
                    + data.getClass().getName() + ", not " + type.getName());
        }
        return type.cast(data);
    }

    /**
     * The data, typed by the saga's definition: {@code D data = view.data(ORDER_SAGA)}.
     *
     * @throws IllegalArgumentException when this saga is not of the definition's type
     */
    public <D> D data(dev.baton.dsl.SagaDefinition<D> definition) {
        if (!definition.type().equals(type)) {
            throw new IllegalArgumentException("saga " + id + " is a '" + type + "', not a '" + definition.type() + "'");
        }
        return data(definition.dataType());
    }
}
