package dev.baton.engine.spi;

import dev.baton.engine.SagaId;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Where saga instances, their history, outbox, inbox and timers live. Every change the engine makes to a
 * saga goes through one {@link #inTransaction} call, so it is all-or-nothing.
 *
 * <p>Implementations must pass {@code SagaStoreCompatibilityKit} from {@code baton-testkit}. Thread-safe.
 *
 * @since 0.1
 */
public interface SagaStore extends AutoCloseable {

    /**
     * Runs {@code work} in one transaction: commits when it returns, rolls back when it throws (and rethrows).
     * Exceptions from the store are {@link dev.baton.engine.SagaException}s.
     */
    <T> T inTransaction(Function<StoreTransaction, T> work);

    /** Reads one saga outside any transaction. */
    Optional<SagaRecord> find(SagaId id);

    /**
     * A saga's history, oldest first, as the store keeps it: entries of repeated park and retry cycles may have been
     * folded into {@link #historyFolds} ({@link HistoryFolding}).
     */
    List<HistoryRecord> history(SagaId id);

    /**
     * One page of a saga's history: of the entries with {@code seq < before}, the newest {@code limit}, oldest first.
     * Pass {@link Long#MAX_VALUE} for the latest page and the page's {@link HistoryPage#nextBefore} for the one before
     * it. The default reads the whole history.
     *
     * @throws IllegalArgumentException when {@code limit < 1}
     * @since 0.5
     */
    default HistoryPage historyPage(SagaId id, long before, int limit) {
        return HistoryPage.of(history(id), before, limit);
    }

    /**
     * The counters of history entries folded away ({@link HistoryFolding}), by step and kind; empty when none were.
     * The default: a store that does not fold has none.
     *
     * @since 0.5
     */
    default List<HistoryFold> historyFolds(SagaId id) {
        return List.of();
    }

    /** Timers due at {@code now}, soonest first, at most {@code limit}. Peeking does not claim them. */
    List<TimerRecord> dueTimers(Instant now, int limit);

    /** Outbox rows created before {@code createdBefore}, oldest first, at most {@code limit}. */
    List<OutboxRecord> outbox(Instant createdBefore, int limit);

    /**
     * Leases timers for firing: up to {@code limit} timers of the given kinds, due at {@code now} ({@code fireAt <=
     * now}) and under no lease at {@code now} (never leased, or the lease ended at or before {@code now}), marked as
     * leased until {@code leaseUntil} and returned soonest first.
     *
     * <p>Concurrent callers, such as several engine nodes polling together, get disjoint timers and do not wait for
     * each other (on SQL databases: {@code FOR UPDATE SKIP LOCKED}). A lease only spreads the work: whoever fires a
     * timer still claims it with {@link StoreTransaction#claimTimer}, so it fires once even when a lease ended early
     * (a slow node, clocks apart). A node that dies holding leases delays those timers until the leases end.
     * Replacing a timer ({@link StoreTransaction#setTimer}) clears its lease.
     *
     * @since 0.2
     */
    List<TimerRecord> leaseDueTimers(Instant now, Set<TimerKind> kinds, Instant leaseUntil, int limit);

    /**
     * Leases outbox rows for re-sending: up to {@code limit} rows created before {@code createdBefore} and under no
     * lease at {@code now}, marked as leased until {@code leaseUntil} and returned oldest first. Concurrent callers
     * get disjoint rows without waiting for each other, so the sweepers of several nodes do not re-send the same
     * rows; a row whose lease ended and that is still there (its send failed, or its node died) is leased again.
     *
     * @since 0.2
     */
    List<OutboxRecord> leaseOutbox(Instant createdBefore, Instant now, Instant leaseUntil, int limit);

    /** Deletes acknowledged outbox rows. Unknown ids are ignored. */
    void deleteOutbox(Collection<String> ids);

    /**
     * One page of sagas matching {@code query}, in its {@linkplain SagaQuery#order() order}: newest first (creation
     * time, then id, both descending) or oldest first (both ascending).
     *
     * @throws IllegalArgumentException when the query's cursor is not one this store issued
     */
    SagaPage query(SagaQuery query);

    /** Counts of sagas by type, status and pending state (rows with a zero count are left out). */
    List<SagaCount> counts();

    /** The number of outbox rows not yet acknowledged (the dispatch backlog). */
    long outboxBacklog();

    /** The number of timers due at {@code now} and not yet fired. */
    long dueTimerCount(Instant now);

    /** Deletes inbox entries received before {@code before}; returns how many. */
    int purgeInbox(Instant before);

    /**
     * Deletes up to {@code limit} ended sagas (COMPLETED or COMPENSATED) last changed before {@code endedBefore}, the
     * oldest first, with their history (folded counters included) and any timers left; returns how many sagas. Sagas
     * in any other status are kept (a FAILED saga waits for an operator; see {@link #purgeFailed}). The default
     * throws: a store that cannot purge keeps everything.
     *
     * @throws UnsupportedOperationException when the store cannot purge
     * @since 0.3
     */
    default int purgeEnded(Instant endedBefore, int limit) {
        throw new UnsupportedOperationException(getClass().getName() + " cannot purge ended sagas");
    }

    /**
     * Deletes up to {@code limit} FAILED sagas last changed before {@code failedBefore}, the oldest first, with their
     * history and any timers left; returns how many sagas. The engine calls it only when a retention for FAILED
     * sagas is set (by default they wait for an operator forever). The default throws.
     *
     * @throws UnsupportedOperationException when the store cannot purge
     * @since 0.5
     */
    default int purgeFailed(Instant failedBefore, int limit) {
        throw new UnsupportedOperationException(getClass().getName() + " cannot purge failed sagas");
    }

    /**
     * Per participant with commands in flight or waiting: how many ({@link FlowCount}). Counts
     * {@link TimerKind#TIMEOUT} and {@link TimerKind#WAIT} timers that name a participant. The engine's flow
     * control calls it a few times a second.
     *
     * @since 0.4
     */
    default List<FlowCount> flowCounts(Instant now) {
        throw new UnsupportedOperationException(getClass().getName() + " has no flow control");
    }

    /**
     * Leases up to {@code limit} {@link TimerKind#WAIT} timers of {@code participant} whose wait may end ({@code fireAt
     * <= now}) and that are under no lease, earliest {@code fireAt} first, as {@link #leaseDueTimers} does.
     *
     * @since 0.4
     */
    default List<TimerRecord> leaseWaiting(String participant, Instant now, Instant leaseUntil, int limit) {
        throw new UnsupportedOperationException(getClass().getName() + " has no flow control");
    }

    /**
     * Adds one node's outcomes to a participant's shared flow state, and takes or renews the lease on adjusting its
     * limit when it is free, ended, or {@code node}'s already; in one transaction. Creates the participant's row with
     * {@code initialLimit} when there is none.
     *
     * @return the shared state after the call
     * @since 0.4
     */
    default FlowShare exchangeFlow(String participant, String node, long answered, long busy, long timedOut,
                                   double initialLimit, Instant now, Instant leaseUntil) {
        throw new UnsupportedOperationException(getClass().getName() + " has no flow control");
    }

    /**
     * Sets a participant's shared limit, if {@code node} holds its lease at {@code now}.
     *
     * @return whether it was set
     * @since 0.4
     */
    default boolean setFlowLimit(String participant, String node, double limit, Instant now) {
        throw new UnsupportedOperationException(getClass().getName() + " has no flow control");
    }

    /**
     * Every {@link LiveSetting}: what operators set at run time. Every node reads them every few seconds.
     *
     * @since 0.8
     */
    default List<LiveSetting> liveSettings() {
        throw new UnsupportedOperationException(getClass().getName() + " keeps no live settings");
    }

    /**
     * Sets ({@code value} not null) or removes ({@code value} null) a live setting, and records the change with its
     * previous value, {@code actor} and {@code reason} in the audit trail, in one transaction.
     *
     * @return the previous value, or null when there was none
     * @since 0.8
     */
    default String changeLiveSetting(String kind, String target, String value, String actor, String reason, Instant now) {
        throw new UnsupportedOperationException(getClass().getName() + " keeps no live settings");
    }

    /** The latest {@code limit} changes of live settings, newest first. @since 0.8 */
    default List<SettingChange> settingChanges(int limit) {
        throw new UnsupportedOperationException(getClass().getName() + " keeps no live settings");
    }

    /** Records that {@code node} is alive, with the definitions it registered. @since 0.8 */
    default void heartbeat(String node, String definitions, Instant startedAt, Instant now) {
        throw new UnsupportedOperationException(getClass().getName() + " keeps no node list");
    }

    /** Removes {@code node} from the node list (it closed). @since 0.8 */
    default void leave(String node) {
        throw new UnsupportedOperationException(getClass().getName() + " keeps no node list");
    }

    /** Removes the nodes whose last heartbeat is before {@code seenBefore} (they died); how many. @since 0.8 */
    default int forgetNodes(Instant seenBefore) {
        throw new UnsupportedOperationException(getClass().getName() + " keeps no node list");
    }

    /** Every node in the list, live or not ({@link NodeRecord#seenAt} tells). @since 0.8 */
    default List<NodeRecord> nodes() {
        throw new UnsupportedOperationException(getClass().getName() + " keeps no node list");
    }

    /**
     * Sagas not ended (RUNNING, PENDING, COMPENSATING, FAILED) by type, definition version, status, current step and
     * pending state. One scan of the sagas not ended.
     *
     * @since 0.8
     */
    default List<VersionCount> unendedByVersion() {
        throw new UnsupportedOperationException(getClass().getName() + " cannot count by version");
    }

    @Override
    void close();
}
