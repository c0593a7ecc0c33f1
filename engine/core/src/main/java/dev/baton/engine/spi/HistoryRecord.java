package dev.baton.engine.spi;

import dev.baton.engine.HistoryKind;
import dev.baton.engine.SagaId;
import java.util.Objects;
import java.time.Instant;

/**
 * One entry of a saga's history, append-only.
 *
 * @param seq assigned by the store on append, increasing per saga; 0 before that
 * @param kind what happened, for example {@link HistoryKind#COMMAND_SENT}; stores keep its {@code name()}
 * @param step the step concerned, or null
 * @param detail human-readable detail (no saga data), or null
 * @since 0.1
 */
public record HistoryRecord(long seq, SagaId sagaId, Instant at, HistoryKind kind, String step, String detail) {
    public HistoryRecord {
        Objects.requireNonNull(kind, "kind");
    }
}
