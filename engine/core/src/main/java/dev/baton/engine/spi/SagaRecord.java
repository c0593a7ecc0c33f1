package dev.baton.engine.spi;

import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import java.time.Instant;
import java.util.Objects;

/**
 * A saga instance as stores keep it: queryable columns plus two opaque texts (the user's data and the
 * engine's execution state), both encoded by the engine's {@link Codec}. Stores never interpret the texts.
 *
 * @param version optimistic-lock version: 1 after insert, +1 on every update
 * @param dataType the registered name the data was encoded under (never a class name)
 * @param execution the engine's execution state (cursor, completed steps); opaque to stores
 * @since 0.1
 */
public record SagaRecord(SagaId id, String type, int definitionVersion, SagaStatus status, String pendingState,
                         String currentStep, String businessKey, String dataType, String data, String execution,
                         String reason, long version, Instant createdAt, Instant updatedAt) {
    public SagaRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(dataType, "dataType");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(execution, "execution");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
    }
}
