package dev.baton.testkit;

import static dev.baton.testkit.InMemoryTables.key;
import static dev.baton.testkit.InMemoryTables.timerKey;

import dev.baton.engine.ConcurrentUpdateException;
import dev.baton.engine.DuplicateBusinessKeyException;
import dev.baton.engine.SagaId;
import dev.baton.engine.SagaNotFoundException;
import dev.baton.engine.SagaStoreException;
import dev.baton.engine.spi.HistoryFold;
import dev.baton.engine.spi.HistoryFolding;
import dev.baton.engine.spi.HistoryRecord;
import dev.baton.engine.spi.OutboxRecord;
import dev.baton.engine.spi.SagaRecord;
import dev.baton.engine.spi.StoreTransaction;
import dev.baton.engine.spi.TimerKind;
import dev.baton.engine.spi.TimerRecord;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One transaction of an {@link InMemorySagaStore}: applies changes to the tables directly and keeps how to undo them.
 * Used under the store's lock, by the thread holding it, until {@link #end()}.
 */
final class InMemoryTransaction implements StoreTransaction {
    private final InMemoryTables t;
    private final ReentrantLock lock;
    private final Deque<Runnable> undo = new ArrayDeque<>();
    private boolean ended;

    InMemoryTransaction(InMemoryTables tables, ReentrantLock lock) {
        this.t = tables;
        this.lock = lock;
    }

    private void check() {
        if (ended || !lock.isHeldByCurrentThread()) {
            throw new SagaStoreException("transaction used outside inTransaction or on another thread", null);
        }
    }

    /** Undoes every change, newest first. */
    void rollback() {
        while (!undo.isEmpty()) {
            undo.pop().run();
        }
    }

    /** Called when the store's {@code inTransaction} call returns or throws; afterwards every call fails. */
    void end() {
        ended = true;
    }

    @Override
    public boolean markReceived(String messageId, Instant at) {
        check();
        if (t.inbox.containsKey(messageId)) {
            return false;
        }
        t.inbox.put(messageId, at);
        undo.push(() -> t.inbox.remove(messageId));
        return true;
    }

    @Override
    public Optional<SagaRecord> load(SagaId id) {
        check();
        return Optional.ofNullable(t.sagas.get(id));
    }

    @Override
    public Optional<SagaRecord> loadForUpdate(SagaId id) {
        return load(id); // transactions are serialised by the store's lock
    }

    @Override
    public Optional<SagaRecord> loadByBusinessKey(String type, String businessKey) {
        check();
        SagaId id = t.byKey.get(key(type, businessKey));
        return id == null ? Optional.empty() : Optional.ofNullable(t.sagas.get(id));
    }

    @Override
    public void insert(SagaRecord saga) {
        check();
        if (t.sagas.containsKey(saga.id())) {
            throw new SagaStoreException("a saga with id " + saga.id() + " exists already", null);
        }
        if (saga.businessKey() != null) {
            String k = key(saga.type(), saga.businessKey());
            if (t.byKey.containsKey(k)) {
                throw new DuplicateBusinessKeyException(saga.type(), saga.businessKey());
            }
            t.byKey.put(k, saga.id());
            undo.push(() -> t.byKey.remove(k));
        }
        t.sagas.put(saga.id(), saga);
        undo.push(() -> t.sagas.remove(saga.id()));
    }

    @Override
    public void update(SagaRecord saga) {
        check();
        SagaRecord prior = t.sagas.get(saga.id());
        if (prior == null) {
            throw new SagaNotFoundException(saga.id());
        }
        if (prior.version() != saga.version() - 1) {
            throw new ConcurrentUpdateException(saga.id(), saga.version() - 1);
        }
        // id, type, business key and creation time are fixed at insert
        SagaRecord kept = new SagaRecord(prior.id(), prior.type(), saga.definitionVersion(), saga.status(),
                saga.pendingState(), saga.currentStep(), prior.businessKey(), saga.dataType(), saga.data(),
                saga.execution(), saga.reason(), saga.version(), prior.createdAt(), saga.updatedAt());
        t.sagas.put(saga.id(), kept);
        undo.push(() -> t.sagas.put(saga.id(), prior));
    }

    @Override
    public void appendHistory(List<HistoryRecord> entries) {
        check();
        Set<SagaId> touched = new java.util.LinkedHashSet<>();
        for (HistoryRecord e : entries) {
            long s = ++t.seq;
            List<HistoryRecord> list = t.history.computeIfAbsent(e.sagaId(), id -> new ArrayList<>());
            list.add(new HistoryRecord(s, e.sagaId(), e.at(), e.kind(), e.step(), e.detail(), e.payload()));
            undo.push(() -> list.remove(list.size() - 1));
            touched.add(e.sagaId());
        }
        touched.forEach(this::fold);
    }

    /** Folds the saga's repeated entries at once: memory is cheap to scan, so this store folds on every append. */
    private void fold(SagaId id) {
        List<HistoryRecord> list = t.history.get(id);
        HistoryFolding.Plan plan = HistoryFolding.plan(list);
        if (plan.isEmpty()) {
            return;
        }
        List<HistoryRecord> before = List.copyOf(list);
        List<HistoryFold> foldsBefore = t.folds.get(id);
        Set<Long> removed = new java.util.HashSet<>(plan.removed());
        list.removeIf(h -> removed.contains(h.seq()));
        t.folds.put(id, HistoryFolding.merge(foldsBefore == null ? List.of() : foldsBefore, plan.folds()));
        undo.push(() -> {
            list.clear();
            list.addAll(before);
            if (foldsBefore == null) {
                t.folds.remove(id);
            } else {
                t.folds.put(id, foldsBefore);
            }
        });
    }

    @Override
    public void addOutbox(List<OutboxRecord> messages) {
        check();
        for (OutboxRecord m : messages) {
            if (t.outbox.containsKey(m.id())) {
                throw new SagaStoreException("outbox row " + m.id() + " exists already", null);
            }
            t.outbox.put(m.id(), m);
            undo.push(() -> t.outbox.remove(m.id()));
        }
    }

    @Override
    public void setTimer(TimerRecord timer) {
        check();
        String k = timerKey(timer);
        TimerRecord prior = t.timers.put(k, timer);
        Instant priorLease = t.timerLeases.remove(k); // a new timer is not leased
        undo.push(() -> {
            restore(k, prior);
            if (priorLease != null) {
                t.timerLeases.put(k, priorLease);
            }
        });
    }

    @Override
    public void cancelTimers(SagaId sagaId, Set<TimerKind> kinds) {
        check();
        for (TimerKind kind : kinds) {
            String prefix = InMemoryTables.timerKindPrefix(sagaId, kind);
            for (String k : List.copyOf(t.timers.subMap(prefix, true, prefix + '\uffff', false).keySet())) {
                TimerRecord prior = t.timers.remove(k);
                Instant priorLease = t.timerLeases.remove(k);
                undo.push(() -> {
                    t.timers.put(k, prior);
                    if (priorLease != null) {
                        t.timerLeases.put(k, priorLease);
                    }
                });
            }
        }
    }

    @Override
    public void cancelTimer(SagaId sagaId, TimerKind kind, String step) {
        check();
        String k = timerKey(sagaId, kind, step);
        TimerRecord prior = t.timers.remove(k);
        Instant priorLease = t.timerLeases.remove(k);
        if (prior != null) {
            undo.push(() -> {
                t.timers.put(k, prior);
                if (priorLease != null) {
                    t.timerLeases.put(k, priorLease);
                }
            });
        }
    }

    @Override
    public boolean claimTimer(TimerRecord timer) {
        check();
        String k = timerKey(timer);
        TimerRecord stored = t.timers.get(k);
        if (stored == null || !stored.token().equals(timer.token()) || !stored.fireAt().equals(timer.fireAt())) {
            return false;
        }
        t.timers.remove(k);
        undo.push(() -> t.timers.put(k, stored));
        return true;
    }

    private void restore(String k, TimerRecord prior) {
        if (prior == null) {
            t.timers.remove(k);
        } else {
            t.timers.put(k, prior);
        }
    }
}
