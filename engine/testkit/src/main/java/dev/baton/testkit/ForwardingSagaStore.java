package dev.baton.testkit;

import dev.baton.engine.SagaId;
import dev.baton.engine.spi.FlowCount;
import dev.baton.engine.spi.FlowShare;
import dev.baton.engine.spi.HistoryRecord;
import dev.baton.engine.spi.OutboxRecord;
import dev.baton.engine.spi.SagaCount;
import dev.baton.engine.spi.SagaPage;
import dev.baton.engine.spi.SagaQuery;
import dev.baton.engine.spi.SagaRecord;
import dev.baton.engine.spi.SagaStore;
import dev.baton.engine.spi.StoreTransaction;
import dev.baton.engine.spi.TimerRecord;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * A {@link SagaStore} that forwards every call to another store: extend it and override only what a test (or a
 * benchmark) wants to observe or delay, such as {@link #inTransaction}.
 *
 * @since 0.1
 */
public abstract class ForwardingSagaStore implements SagaStore {
    /** The store calls are forwarded to. */
    protected final SagaStore delegate;

    protected ForwardingSagaStore(SagaStore delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    @Override
    public <T> T inTransaction(Function<StoreTransaction, T> work) {
        return delegate.inTransaction(work);
    }

    @Override
    public Optional<SagaRecord> find(SagaId id) {
        return delegate.find(id);
    }

    @Override
    public List<HistoryRecord> history(SagaId id) {
        return delegate.history(id);
    }

    @Override
    public dev.baton.engine.spi.HistoryPage historyPage(SagaId id, long before, int limit) {
        return delegate.historyPage(id, before, limit);
    }

    @Override
    public List<dev.baton.engine.spi.HistoryFold> historyFolds(SagaId id) {
        return delegate.historyFolds(id);
    }

    @Override
    public List<TimerRecord> dueTimers(Instant now, int limit) {
        return delegate.dueTimers(now, limit);
    }

    @Override
    public List<OutboxRecord> outbox(Instant createdBefore, int limit) {
        return delegate.outbox(createdBefore, limit);
    }

    @Override
    public List<TimerRecord> leaseDueTimers(Instant now, java.util.Set<dev.baton.engine.spi.TimerKind> kinds,
                                            Instant leaseUntil, int limit) {
        return delegate.leaseDueTimers(now, kinds, leaseUntil, limit);
    }

    @Override
    public List<OutboxRecord> leaseOutbox(Instant createdBefore, Instant now, Instant leaseUntil, int limit) {
        return delegate.leaseOutbox(createdBefore, now, leaseUntil, limit);
    }

    @Override
    public void deleteOutbox(Collection<String> ids) {
        delegate.deleteOutbox(ids);
    }

    @Override
    public SagaPage query(SagaQuery query) {
        return delegate.query(query);
    }

    @Override
    public List<SagaCount> counts() {
        return delegate.counts();
    }

    @Override
    public long outboxBacklog() {
        return delegate.outboxBacklog();
    }

    @Override
    public long dueTimerCount(Instant now) {
        return delegate.dueTimerCount(now);
    }

    @Override
    public List<FlowCount> flowCounts(Instant now) {
        return delegate.flowCounts(now);
    }

    @Override
    public List<TimerRecord> leaseWaiting(String participant, Instant now, Instant leaseUntil, int limit) {
        return delegate.leaseWaiting(participant, now, leaseUntil, limit);
    }

    @Override
    public FlowShare exchangeFlow(String participant, String node, long answered, long busy, long timedOut,
                                  double initialLimit, Instant now, Instant leaseUntil) {
        return delegate.exchangeFlow(participant, node, answered, busy, timedOut, initialLimit, now, leaseUntil);
    }

    @Override
    public boolean setFlowLimit(String participant, String node, double limit, Instant now) {
        return delegate.setFlowLimit(participant, node, limit, now);
    }

    @Override
    public int purgeInbox(Instant before) {
        return delegate.purgeInbox(before);
    }

    @Override
    public int purgeEnded(Instant endedBefore, int limit) {
        return delegate.purgeEnded(endedBefore, limit);
    }

    @Override
    public int purgeFailed(Instant failedBefore, int limit) {
        return delegate.purgeFailed(failedBefore, limit);
    }

    @Override
    public List<dev.baton.engine.spi.LiveSetting> liveSettings() {
        return delegate.liveSettings();
    }

    @Override
    public String changeLiveSetting(String kind, String target, String value, String actor, String reason, Instant now) {
        return delegate.changeLiveSetting(kind, target, value, actor, reason, now);
    }

    @Override
    public List<dev.baton.engine.spi.SettingChange> settingChanges(int limit) {
        return delegate.settingChanges(limit);
    }

    @Override
    public void heartbeat(String node, String definitions, Instant startedAt, Instant now) {
        delegate.heartbeat(node, definitions, startedAt, now);
    }

    @Override
    public void leave(String node) {
        delegate.leave(node);
    }

    @Override
    public int forgetNodes(Instant seenBefore) {
        return delegate.forgetNodes(seenBefore);
    }

    @Override
    public List<dev.baton.engine.spi.NodeRecord> nodes() {
        return delegate.nodes();
    }

    @Override
    public List<dev.baton.engine.spi.VersionCount> unendedByVersion() {
        return delegate.unendedByVersion();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
