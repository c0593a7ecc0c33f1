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
 * @param cancelStepTimers single steps' timers to remove (kind and step: a branch of a parallel group's, the other
 *                         branches' timers of that kind staying); applied before {@code timers} are set (since 0.7)
 * @since 0.3
 */
public record SagaWrite(SagaRecord saga, boolean insert, List<HistoryRecord> history, List<OutboxRecord> outbox,
                        Set<TimerKind> cancelTimers, List<TimerRecord> timers, List<TimerKey> cancelStepTimers) {

    /** A write that cancels timers by kind only. */
    public SagaWrite(SagaRecord saga, boolean insert, List<HistoryRecord> history, List<OutboxRecord> outbox,
                     Set<TimerKind> cancelTimers, List<TimerRecord> timers) {
        this(saga, insert, history, outbox, cancelTimers, timers, List.of());
    }

    /** A timer's identity within its saga: its kind and step. @since 0.7 */
    public record TimerKey(TimerKind kind, String step) {
        public TimerKey {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(step, "step");
        }
    }

    public SagaWrite {
        Objects.requireNonNull(saga, "saga");
        history = List.copyOf(history);
        outbox = List.copyOf(outbox);
        cancelTimers = Set.copyOf(cancelTimers);
        cancelStepTimers = List.copyOf(cancelStepTimers);
        timers = List.copyOf(timers);
        for (TimerRecord t : timers) {
            if (!t.sagaId().equals(saga.id())) {
                throw new IllegalArgumentException("a SagaWrite of saga " + saga.id() + " sets a timer of saga " + t.sagaId());
            }
        }
    }
}
