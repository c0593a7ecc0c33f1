package dev.baton.engine.spi;

import dev.baton.engine.SagaId;
import java.time.Instant;

/**
 * One entry of a saga's history, append-only.
 *
 * @param seq assigned by the store on append, increasing per saga; 0 before that
 * @param kind what happened, for example {@code COMMAND_SENT}, {@code STEP_COMPLETED}
 * @param step the step concerned, or null
 * @param detail human-readable detail (no saga data), or null
 * @since 0.1
 */
public record HistoryRecord(long seq, SagaId sagaId, Instant at, String kind, String step, String detail) {}
