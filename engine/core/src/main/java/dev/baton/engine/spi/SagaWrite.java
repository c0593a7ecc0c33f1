package dev.baton.engine.spi;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Everything one decision writes for one saga: the saga row, its new history entries, its commands for the outbox
 * and its timer changes. {@link StoreTransaction#writeAll} writes many of them at once, so that a store can send one
 * statement per table instead of one per saga.
 *
 * @param saga the saga's new row: inserted when {@code insert}, else it replaces version {@code saga.version() - 1}
 * @param insert true for a new saga
 * @param history history entries to append, in order
 * @param outbox commands to add to the outbox
 * @param cancelTimers kinds of the saga's timers to remove (of every step); applied before {@code timers} are set
 * @param timers timers to set (each replaces the saga's timer of its kind and step)
 * @since 0.3
 */
public record SagaWrite(SagaRecord saga, boolean insert, List<HistoryRecord> history, List<OutboxRecord> outbox,
                        Set<TimerKind> cancelTimers, List<TimerRecord> timers) {

    public SagaWrite {
        Objects.requireNonNull(saga, "saga");
        history = List.copyOf(history);
        outbox = List.copyOf(outbox);
        cancelTimers = Set.copyOf(cancelTimers);
        timers = List.copyOf(timers);
        for (TimerRecord t : timers) {
            if (!t.sagaId().equals(saga.id())) {
                throw new IllegalArgumentException("a SagaWrite of saga " + saga.id() + " sets a timer of saga " + t.sagaId());
            }
        }
    }
}
