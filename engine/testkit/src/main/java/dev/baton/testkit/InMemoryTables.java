package dev.baton.testkit;

import dev.baton.engine.SagaId;
import dev.baton.engine.spi.HistoryRecord;
import dev.baton.engine.spi.OutboxRecord;
import dev.baton.engine.spi.SagaRecord;
import dev.baton.engine.spi.TimerKind;
import dev.baton.engine.spi.TimerRecord;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The rows of an {@link InMemorySagaStore}: what the JDBI store keeps in its tables. Not thread-safe: read and
 * written only under the store's lock.
 */
final class InMemoryTables {
    final Map<SagaId, SagaRecord> sagas = new HashMap<>();
    final Map<String, SagaId> byKey = new HashMap<>();
    final Map<SagaId, List<HistoryRecord>> history = new HashMap<>();
    /** Counters of history entries folded away, per saga ({@link dev.baton.engine.spi.HistoryFolding}). */
    final Map<SagaId, List<dev.baton.engine.spi.HistoryFold>> folds = new HashMap<>();
    final Map<String, OutboxRecord> outbox = new LinkedHashMap<>();
    final Map<String, Instant> inbox = new HashMap<>();
    /** By {@link #timerKey}, sorted so that a saga's timers of one kind are a range ({@link #timerKindPrefix}). */
    final java.util.NavigableMap<String, TimerRecord> timers = new java.util.TreeMap<>();
    /** Leases of timers (by timer key) and outbox rows (by id): when each ends. */
    final Map<String, Instant> timerLeases = new HashMap<>();
    final Map<String, Instant> outboxLeases = new HashMap<>();
    /** Shared flow control state by participant. */
    final Map<String, dev.baton.engine.spi.FlowShare> flows = new HashMap<>();
    /** The last history sequence number handed out. */
    long seq;

    /** The key of {@link #byKey}: a saga type and a business key. */
    static String key(String type, String businessKey) {
        return type + '\u0000' + businessKey;
    }

    /** The key of {@link #timers} and {@link #timerLeases}: one timer per saga, kind and step. */
    static String timerKey(SagaId id, TimerKind kind, String step) {
        return timerKindPrefix(id, kind) + (step == null ? "" : step);
    }

    static String timerKey(TimerRecord t) {
        return timerKey(t.sagaId(), t.kind(), t.step());
    }

    /** What every {@link #timerKey} of the saga's timers of {@code kind} starts with. */
    static String timerKindPrefix(SagaId id, TimerKind kind) {
        return id.value() + '\u0000' + kind + '\u0000';
    }
}
