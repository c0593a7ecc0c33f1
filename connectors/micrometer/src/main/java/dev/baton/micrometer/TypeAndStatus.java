package dev.baton.micrometer;

import dev.baton.engine.SagaStatus;
import java.util.Objects;

/**
 * A key of the {@link BatonMeter#SAGAS_ACTIVE} counts: a saga type and a status.
 *
 * @param type the saga type (the definition's name)
 * @param status the status
 * @since 0.1
 */
public record TypeAndStatus(String type, SagaStatus status) {
    public TypeAndStatus {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(status, "status");
    }
}
