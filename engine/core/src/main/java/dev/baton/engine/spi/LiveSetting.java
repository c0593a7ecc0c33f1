package dev.baton.engine.spi;

import java.time.Instant;
import java.util.Objects;

/**
 * One setting operators change at run time, shared by every engine node through the store: a version rollout of a
 * saga type, a step's policy, a participant's breaker thresholds. The engine encodes {@code value}; the store keeps
 * it as text.
 *
 * @param kind what is set, for example {@code rollout}, {@code step-policy}, {@code participant-policy}
 * @param target what it is set on: a saga type, {@code type/step}, a participant
 * @param value the setting, encoded by the engine
 * @param changedBy who changed it last
 * @param reason why
 * @param changedAt when
 * @since 0.8
 */
public record LiveSetting(String kind, String target, String value, String changedBy, String reason,
                          Instant changedAt) {
    public LiveSetting {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(changedAt, "changedAt");
    }
}
