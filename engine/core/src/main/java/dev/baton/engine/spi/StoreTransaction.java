package dev.baton.engine.spi;

import dev.baton.engine.SagaId;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The operations available inside {@link SagaStore#inTransaction}. Valid only during that call, on the
 * calling thread.
 *
 * @since 0.1
 */
public interface StoreTransaction {

    /**
     * Records an inbound message id (the inbox). Returns false when the id was recorded before: the message is a
     * duplicate and must not be applied again.
     */
    boolean markReceived(String messageId, Instant at);

    /** Reads a saga inside the transaction. */
    Optional<SagaRecord> load(SagaId id);

    /**
     * Reads a saga and locks its row until the transaction ends ({@code SELECT ... FOR UPDATE}): a concurrent
     * transaction of another node that changes this saga waits, then loses the version check. The engine takes the
     * saga first when it fires a timer, as every other event does, so that the two never hold each other's rows (a
     * deadlock the database would break only after its detection timeout). Stores without row locks may simply
     * {@link #load}.
     *
     * @since 0.2
     */
    default Optional<SagaRecord> loadForUpdate(SagaId id) {
        return load(id);
    }

    /** Finds the saga of {@code type} started with {@code businessKey}. */
    Optional<SagaRecord> loadByBusinessKey(String type, String businessKey);

    /**
     * Inserts a new saga ({@code version} 1).
     *
     * @throws dev.baton.engine.DuplicateBusinessKeyException when a saga of that type has that business key
     */
    void insert(SagaRecord saga);

    /**
     * Replaces a saga whose stored version is {@code saga.version() - 1}.
     *
     * @throws dev.baton.engine.ConcurrentUpdateException when the stored version differs
     */
    void update(SagaRecord saga);

    /** Appends history entries; the store assigns their {@code seq}. */
    void appendHistory(List<HistoryRecord> entries);

    /** Adds outbox rows. */
    void addOutbox(List<OutboxRecord> messages);

    /**
     * Sets a timer, replacing any timer of the same saga, kind and step (a saga may have timers of one kind for
     * several steps; since 0.7, before which the step was not part of a timer's identity).
     */
    void setTimer(TimerRecord timer);

    /** Removes the saga's timers of these kinds, of every step, if any. */
    void cancelTimers(SagaId sagaId, Set<TimerKind> kinds);

    /**
     * Removes the saga's timer of {@code kind} for {@code step}, if any; its timers of that kind for other steps stay.
     * The engine uses it for the branches of a parallel group. A store written before 0.7 does not have it, and
     * cannot run sagas with parallel groups.
     *
     * @since 0.7
     */
    default void cancelTimer(SagaId sagaId, TimerKind kind, String step) {
        throw new UnsupportedOperationException(getClass().getName() + " cannot cancel one step's timer, which sagas"
                + " with parallel groups need; implement StoreTransaction.cancelTimer");
    }

    /**
     * Claims a due timer by deleting it, provided it is still the one that was read (same token and time).
     * Returns true for exactly one of several concurrent claimers.
     */
    boolean claimTimer(TimerRecord timer);

    // ------------------------------------------------------------------ many at once (since 0.3)
    //
    // The engine applies a poll of replies in one transaction through these. Their defaults call the single
    // operations one by one; a store over a network (PostgreSQL) sends one statement per table instead, which saves
    // a round trip per saga and statement.

    /**
     * Records many inbound message ids (the inbox) and returns those that were new: the others are duplicates. An id
     * given twice counts once. Same semantics as {@link #markReceived} for each id. The ids are recorded in their
     * natural order, so that concurrent calls over the same ids take their locks in one order.
     *
     * @since 0.3
     */
    default Set<String> markReceivedAll(Collection<String> messageIds, Instant at) {
        Set<String> fresh = new HashSet<>();
        for (String id : new TreeSet<>(messageIds)) {
            if (markReceived(id, at)) {
                fresh.add(id);
            }
        }
        return fresh;
    }

    /**
     * Reads many sagas; ids that have no saga are absent from the answer. Same semantics as {@link #load}.
     *
     * @since 0.3
     */
    default Map<SagaId, SagaRecord> loadAll(Collection<SagaId> ids) {
        Map<SagaId, SagaRecord> found = new LinkedHashMap<>();
        for (SagaId id : new LinkedHashSet<>(ids)) {
            load(id).ifPresent(r -> found.put(id, r));
        }
        return found;
    }

    /**
     * Writes the decisions of several sagas, each at most once: for each, {@link #insert} or {@link #update},
     * {@link #appendHistory}, {@link #addOutbox}, {@link #cancelTimers}, {@link #cancelTimer} and then {@link #setTimer}. When one update
     * loses its version check the call throws {@link dev.baton.engine.ConcurrentUpdateException} and the caller
     * must roll the transaction back, as other writes of the call may have happened.
     *
     * @throws IllegalArgumentException when a saga appears twice
     * @since 0.3
     */
    default void writeAll(List<SagaWrite> writes) {
        requireDistinct(writes);
        for (SagaWrite w : writes) {
            if (w.insert()) {
                insert(w.saga());
            } else {
                update(w.saga());
            }
            appendHistory(w.history());
            if (!w.outbox().isEmpty()) {
                addOutbox(w.outbox());
            }
            if (!w.cancelTimers().isEmpty()) {
                cancelTimers(w.saga().id(), w.cancelTimers());
            }
            for (SagaWrite.TimerKey k : w.cancelStepTimers()) {
                cancelTimer(w.saga().id(), k.kind(), k.step());
            }
            for (TimerRecord t : w.timers()) {
                setTimer(t);
            }
        }
    }

    /**
     * Fails when a saga appears twice in {@code writes}: their timer changes could not be reordered by table.
     *
     * @since 0.3
     */
    static void requireDistinct(List<SagaWrite> writes) {
        Set<SagaId> seen = new HashSet<>();
        for (SagaWrite w : writes) {
            if (!seen.add(w.saga().id())) {
                throw new IllegalArgumentException("writeAll got saga " + w.saga().id() + " twice; write each saga"
                        + " once per call (call writeAll again for its next change)");
            }
        }
    }
}
