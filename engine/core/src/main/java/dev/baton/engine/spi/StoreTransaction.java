package dev.baton.engine.spi;

import dev.baton.engine.SagaId;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

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

    /** Sets a timer, replacing any timer of the same saga and kind. */
    void setTimer(TimerRecord timer);

    /** Removes the saga's timers of these kinds, if any. */
    void cancelTimers(SagaId sagaId, Set<TimerKind> kinds);

    /**
     * Claims a due timer by deleting it, provided it is still the one that was read (same token and time).
     * Returns true for exactly one of several concurrent claimers.
     */
    boolean claimTimer(TimerRecord timer);
}
