package dev.baton.testkit;

import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.spi.FlowCount;
import dev.baton.engine.spi.FlowShare;
import dev.baton.engine.spi.HistoryFold;
import dev.baton.engine.spi.HistoryPage;
import dev.baton.engine.spi.HistoryRecord;
import dev.baton.engine.spi.LiveSetting;
import dev.baton.engine.spi.NodeRecord;
import dev.baton.engine.spi.OutboxRecord;
import dev.baton.engine.spi.SagaCount;
import dev.baton.engine.spi.SagaPage;
import dev.baton.engine.spi.SagaQuery;
import dev.baton.engine.spi.SagaRecord;
import dev.baton.engine.spi.SagaStore;
import dev.baton.engine.spi.SettingChange;
import dev.baton.engine.spi.StoreTransaction;
import dev.baton.engine.spi.TimerKind;
import dev.baton.engine.spi.TimerRecord;
import dev.baton.engine.spi.VersionCount;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * A {@link SagaStore} in memory, for tests and the test kit. Transactions are serialised by one lock and
 * rolled back with an undo log, so it honours the same contract as the JDBI store (it passes
 * {@link SagaStoreCompatibilityKit}). Thread-safe.
 *
 * @since 0.1
 */
public final class InMemorySagaStore implements SagaStore {
    private final ReentrantLock lock = new ReentrantLock();
    private final InMemoryTables tables = new InMemoryTables();
    private InMemoryTransaction current;

    @Override
    public <T> T inTransaction(Function<StoreTransaction, T> work) {
        lock.lock();
        try {
            if (current != null) {
                return work.apply(current); // nested: join the outer transaction
            }
            InMemoryTransaction tx = new InMemoryTransaction(tables, lock);
            current = tx;
            try {
                return work.apply(tx);
            } catch (RuntimeException | Error e) {
                tx.rollback();
                throw e;
            } finally {
                tx.end();
                current = null;
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Optional<SagaRecord> find(SagaId id) {
        lock.lock();
        try {
            return Optional.ofNullable(tables.sagas.get(id));
        } finally {
            lock.unlock();
        }
    }

    /** Every saga, in no particular order. */
    public List<SagaRecord> all() {
        lock.lock();
        try {
            return List.copyOf(tables.sagas.values());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public HistoryPage historyPage(SagaId id, long before, int limit) {
        return HistoryPage.of(history(id), before, limit);
    }

    @Override
    public List<HistoryFold> historyFolds(SagaId id) {
        lock.lock();
        try {
            return List.copyOf(tables.folds.getOrDefault(id, List.of()));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<HistoryRecord> history(SagaId id) {
        lock.lock();
        try {
            return List.copyOf(tables.history.getOrDefault(id, List.of()));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<TimerRecord> dueTimers(Instant now, int limit) {
        lock.lock();
        try {
            return tables.timers.values().stream().filter(t -> t.kind() != TimerKind.WAIT && !t.fireAt().isAfter(now))
                    .sorted(Comparator.comparing(TimerRecord::fireAt)).limit(limit).toList();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<OutboxRecord> outbox(Instant createdBefore, int limit) {
        lock.lock();
        try {
            return tables.outbox.values().stream().filter(o -> o.createdAt().isBefore(createdBefore))
                    .sorted(Comparator.comparing(OutboxRecord::createdAt)).limit(limit).toList();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<TimerRecord> leaseDueTimers(Instant now, Set<TimerKind> kinds, Instant leaseUntil, int limit) {
        lock.lock();
        try {
            List<TimerRecord> leased = tables.timers.values().stream()
                    .filter(t -> !t.fireAt().isAfter(now) && kinds.contains(t.kind()))
                    .filter(t -> free(tables.timerLeases.get(InMemoryTables.timerKey(t)), now))
                    .sorted(Comparator.comparing(TimerRecord::fireAt).thenComparing(t -> t.sagaId().value())
                            .thenComparing(TimerRecord::kind))
                    .limit(limit).toList();
            leased.forEach(t -> tables.timerLeases.put(InMemoryTables.timerKey(t), leaseUntil));
            return leased;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<OutboxRecord> leaseOutbox(Instant createdBefore, Instant now, Instant leaseUntil, int limit) {
        lock.lock();
        try {
            List<OutboxRecord> leased = tables.outbox.values().stream()
                    .filter(o -> o.createdAt().isBefore(createdBefore) && free(tables.outboxLeases.get(o.id()), now))
                    .sorted(Comparator.comparing(OutboxRecord::createdAt)).limit(limit).toList();
            leased.forEach(o -> tables.outboxLeases.put(o.id(), leaseUntil));
            return leased;
        } finally {
            lock.unlock();
        }
    }

    private static boolean free(Instant leaseEnds, Instant now) {
        return leaseEnds == null || !leaseEnds.isAfter(now);
    }

    @Override
    public void deleteOutbox(Collection<String> ids) {
        lock.lock();
        try {
            for (String id : ids) {
                tables.outbox.remove(id);
                tables.outboxLeases.remove(id);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Scans every saga. The cursor is base64url of {@code "<createdAt epoch second>:<nano>:<id>"} of the page's
     * last saga: this store keeps instants to the nanosecond.
     */
    @Override
    public SagaPage query(SagaQuery query) {
        Objects.requireNonNull(query, "query");
        InMemoryQueries.Position after = InMemoryQueries.after(query);
        List<SagaRecord> rows;
        lock.lock();
        try {
            rows = InMemoryQueries.select(tables.sagas.values(), query, after);
        } finally {
            lock.unlock();
        }
        return InMemoryQueries.page(rows, query.limit());
    }

    @Override
    public List<SagaCount> counts() {
        Map<InMemoryQueries.Group, Long> groups;
        lock.lock();
        try {
            groups = InMemoryQueries.group(tables.sagas.values());
        } finally {
            lock.unlock();
        }
        return InMemoryQueries.counts(groups);
    }

    // ------------------------------------------------------------------ live settings, nodes

    private final Map<String, LiveSetting> settings = new TreeMap<>();
    private final List<SettingChange> settingLog = new ArrayList<>();
    private final Map<String, NodeRecord> nodes = new TreeMap<>();

    @Override
    public List<LiveSetting> liveSettings() {
        lock.lock();
        try {
            return List.copyOf(settings.values());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String changeLiveSetting(String kind, String target, String value, String actor, String reason, Instant now) {
        lock.lock();
        try {
            String key = kind + "\u0000" + target;
            LiveSetting before = value == null ? settings.remove(key)
                    : settings.put(key, new LiveSetting(kind, target, value, actor, reason, now));
            String prior = before == null ? null : before.value();
            settingLog.add(new SettingChange(settingLog.size() + 1, now, kind, target, prior, value, actor, reason));
            return prior;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<SettingChange> settingChanges(int limit) {
        lock.lock();
        try {
            List<SettingChange> newestFirst = new ArrayList<>(settingLog).reversed();
            return List.copyOf(newestFirst.subList(0, Math.min(limit, newestFirst.size())));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void heartbeat(String node, String definitions, Instant startedAt, Instant now) {
        lock.lock();
        try {
            nodes.put(node, new NodeRecord(node, definitions, startedAt, now));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void leave(String node) {
        lock.lock();
        try {
            nodes.remove(node);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int forgetNodes(Instant seenBefore) {
        lock.lock();
        try {
            int before = nodes.size();
            nodes.values().removeIf(n -> n.seenAt().isBefore(seenBefore));
            return before - nodes.size();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<NodeRecord> nodes() {
        lock.lock();
        try {
            return List.copyOf(nodes.values());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<VersionCount> unendedByVersion() {
        record Where(String type, int version, SagaStatus status, String step, String pendingState) {}
        Map<Where, Long> counts = new HashMap<>();
        lock.lock();
        try {
            for (SagaRecord r : tables.sagas.values()) {
                if (!r.status().isTerminal()) {
                    counts.merge(new Where(r.type(), r.definitionVersion(), r.status(), r.currentStep(),
                            r.pendingState()), 1L, Long::sum);
                }
            }
        } finally {
            lock.unlock();
        }
        Comparator<Where> order = Comparator.comparing(Where::type).thenComparingInt(Where::version)
                .thenComparing(w -> w.status().name()).thenComparing(Where::step, Comparator.nullsFirst(Comparator.naturalOrder()))
                .thenComparing(Where::pendingState, Comparator.nullsFirst(Comparator.naturalOrder()));
        return counts.entrySet().stream().sorted(Map.Entry.comparingByKey(order))
                .map(e -> new VersionCount(e.getKey().type(), e.getKey().version(), e.getKey().status(),
                        e.getKey().step(), e.getKey().pendingState(), e.getValue()))
                .toList();
    }

    @Override
    public long outboxBacklog() {
        lock.lock();
        try {
            return tables.outbox.size();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long dueTimerCount(Instant now) {
        Objects.requireNonNull(now, "now");
        lock.lock();
        try {
            return tables.timers.values().stream().filter(t -> t.kind() != TimerKind.WAIT && !t.fireAt().isAfter(now))
                    .count();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<FlowCount> flowCounts(Instant now) {
        lock.lock();
        try {
            Map<String, long[]> counts = new TreeMap<>();
            Map<String, Instant> oldest = new HashMap<>();
            for (TimerRecord t : tables.timers.values()) {
                if (t.participant() == null || (t.kind() != TimerKind.TIMEOUT && t.kind() != TimerKind.WAIT)) {
                    continue;
                }
                long[] c = counts.computeIfAbsent(t.participant(), p -> new long[3]);
                if (t.kind() == TimerKind.TIMEOUT) {
                    c[0]++;
                } else {
                    c[1]++;
                    if (!t.fireAt().isAfter(now)) {
                        c[2]++;
                    }
                    oldest.merge(t.participant(), t.fireAt(), (a, b) -> a.isBefore(b) ? a : b);
                }
            }
            List<FlowCount> out = new ArrayList<>();
            counts.forEach((p, c) -> out.add(new FlowCount(p, c[0], c[1], c[2], oldest.get(p))));
            return out;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<TimerRecord> leaseWaiting(String participant, Instant now, Instant leaseUntil, int limit) {
        lock.lock();
        try {
            List<TimerRecord> leased = tables.timers.values().stream()
                    .filter(t -> t.kind() == TimerKind.WAIT && participant.equals(t.participant())
                            && !t.fireAt().isAfter(now))
                    .filter(t -> free(tables.timerLeases.get(InMemoryTables.timerKey(t)), now))
                    .sorted(Comparator.comparing(TimerRecord::fireAt).thenComparing(t -> t.sagaId().value()))
                    .limit(limit).toList();
            leased.forEach(t -> tables.timerLeases.put(InMemoryTables.timerKey(t), leaseUntil));
            return leased;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public FlowShare exchangeFlow(String participant, String node, long answered, long busy, long timedOut,
                                  double initialLimit, Instant now, Instant leaseUntil) {
        lock.lock();
        try {
            FlowShare f = tables.flows.getOrDefault(participant,
                    new FlowShare(participant, initialLimit, 0, 0, 0, null, null));
            boolean mine = f.leader() == null || f.leader().equals(node) || f.leaseUntil() == null
                    || !f.leaseUntil().isAfter(now);
            FlowShare next = new FlowShare(participant, f.limit(), f.answered() + answered, f.busy() + busy,
                    f.timedOut() + timedOut, mine ? node : f.leader(), mine ? leaseUntil : f.leaseUntil());
            tables.flows.put(participant, next);
            return next;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean setFlowLimit(String participant, String node, double limit, Instant now) {
        lock.lock();
        try {
            FlowShare f = tables.flows.get(participant);
            if (f == null || !node.equals(f.leader()) || f.leaseUntil() == null || !f.leaseUntil().isAfter(now)) {
                return false;
            }
            tables.flows.put(participant, new FlowShare(participant, limit, f.answered(), f.busy(), f.timedOut(),
                    f.leader(), f.leaseUntil()));
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int purgeInbox(Instant before) {
        lock.lock();
        try {
            int n = tables.inbox.size();
            tables.inbox.values().removeIf(at -> at.isBefore(before));
            return n - tables.inbox.size();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int purgeEnded(Instant endedBefore, int limit) {
        return purge(SagaStatus::isTerminal, endedBefore, limit);
    }

    @Override
    public int purgeFailed(Instant failedBefore, int limit) {
        return purge(s -> s == SagaStatus.FAILED, failedBefore, limit);
    }

    private int purge(java.util.function.Predicate<SagaStatus> status, Instant before, int limit) {
        Objects.requireNonNull(before, "before");
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1, but was " + limit);
        }
        lock.lock();
        try {
            List<SagaRecord> ended = tables.sagas.values().stream()
                    .filter(r -> status.test(r.status()) && r.updatedAt().isBefore(before))
                    .sorted(java.util.Comparator.comparing(SagaRecord::updatedAt).thenComparing(r -> r.id().value()))
                    .limit(limit).toList();
            for (SagaRecord r : ended) {
                tables.sagas.remove(r.id());
                tables.history.remove(r.id());
                tables.folds.remove(r.id());
                if (r.businessKey() != null) {
                    tables.byKey.remove(InMemoryTables.key(r.type(), r.businessKey()));
                }
                tables.timers.entrySet().removeIf(e -> {
                    boolean gone = e.getValue().sagaId().equals(r.id());
                    if (gone) {
                        tables.timerLeases.remove(e.getKey());
                    }
                    return gone;
                });
            }
            return ended.size();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        // nothing to release
    }
}
