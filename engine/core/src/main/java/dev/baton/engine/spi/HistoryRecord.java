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
 * @param payload the message the entry is about, as the codec wrote it: the command of a {@code COMMAND_SENT} or
 *                {@code COMPENSATION_SENT} entry, the reply of a {@code REPLY_RECEIVED} one; null for other entries,
 *                for a reply without payload, and when the engine keeps no payloads
 *                ({@code SagaEngineBuilder#historyPayloads(boolean)})
 * @since 0.1
 */
public record HistoryRecord(long seq, SagaId sagaId, Instant at, HistoryKind kind, String step, String detail,
                            String payload) {
    public HistoryRecord {
        Objects.requireNonNull(kind, "kind");
    }

    /** An entry without payload. */
    public HistoryRecord(long seq, SagaId sagaId, Instant at, HistoryKind kind, String step, String detail) {
        this(seq, sagaId, at, kind, step, detail, null);
    }
}
