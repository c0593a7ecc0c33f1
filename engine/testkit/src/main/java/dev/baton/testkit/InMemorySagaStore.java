package dev.baton.testkit;

import dev.baton.engine.ConcurrentUpdateException;
import dev.baton.engine.DuplicateBusinessKeyException;
import dev.baton.engine.SagaId;
import dev.baton.engine.SagaNotFoundException;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.SagaStoreException;
import dev.baton.engine.spi.HistoryRecord;
import dev.baton.engine.spi.OutboxRecord;
import dev.baton.engine.spi.SagaCount;
import dev.baton.engine.spi.SagaPage;
import dev.baton.engine.spi.SagaQuery;
import dev.baton.engine.spi.SagaRecord;
import dev.baton.engine.spi.SagaStore;
import dev.baton.engine.spi.StoreTransaction;
import dev.baton.engine.spi.TimerKind;
import dev.baton.engine.spi.TimerRecord;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A {@link SagaStore} in memory, for tests and the test kit. Transactions are serialised by one lock and
 * rolled back with an undo log, so it honours the same contract as the JDBI store (it passes
 * {@link SagaStoreCompatibilityKit}). Thread-safe.
 *
 * @since 0.1
 */
public final class InMemorySagaStore implements SagaStore {
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<SagaId, SagaRecord> sagas = new HashMap<>();
    private final Map<String, SagaId> byKey = new HashMap<>();
    private final Map<SagaId, List<HistoryRecord>> history = new HashMap<>();
    private final Map<String, OutboxRecord> outbox = new LinkedHashMap<>();
    private final Map<String, Instant> inbox = new HashMap<>();
    private final Map<String, TimerRecord> timers = new HashMap<>();
    /** Leases of timers (by timer key) and outbox rows (by id): when each ends. */
    private final Map<String, Instant> timerLeases = new HashMap<>();
    private final Map<String, Instant> outboxLeases = new HashMap<>();
    private long seq;
    private Tx current;

    @Override
    public <T> T inTransaction(Function<StoreTransaction, T> work) {
        lock.lock();
        try {
            if (current != null) {
                return work.apply(current); // nested: join the outer transaction
            }
            Tx tx = new Tx();
            current = tx;
            try {
                T result = work.apply(tx);
                tx.done = true;
                return result;
            } catch (RuntimeException | Error e) {
                tx.rollback();
                throw e;
            } finally {
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
            return Optional.ofNullable(sagas.get(id));
        } finally {
            lock.unlock();
        }
    }

    /** Every saga, in no particular order. */
    public List<SagaRecord> all() {
        lock.lock();
        try {
            return List.copyOf(sagas.values());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<HistoryRecord> history(SagaId id) {
        lock.lock();
        try {
            return List.copyOf(history.getOrDefault(id, List.of()));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<TimerRecord> dueTimers(Instant now, int limit) {
        lock.lock();
        try {
            return timers.values().stream().filter(t -> !t.fireAt().isAfter(now))
                    .sorted(Comparator.comparing(TimerRecord::fireAt)).limit(limit).toList();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<OutboxRecord> outbox(Instant createdBefore, int limit) {
        lock.lock();
        try {
            return outbox.values().stream().filter(o -> o.createdAt().isBefore(createdBefore))
                    .sorted(Comparator.comparing(OutboxRecord::createdAt)).limit(limit).toList();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<TimerRecord> leaseDueTimers(Instant now, Set<TimerKind> kinds, Instant leaseUntil, int limit) {
        lock.lock();
        try {
            List<TimerRecord> leased = timers.values().stream()
                    .filter(t -> !t.fireAt().isAfter(now) && kinds.contains(t.kind()))
                    .filter(t -> free(timerLeases.get(timerKey(t.sagaId(), t.kind())), now))
                    .sorted(Comparator.comparing(TimerRecord::fireAt).thenComparing(t -> t.sagaId().value())
                            .thenComparing(TimerRecord::kind))
                    .limit(limit).toList();
            leased.forEach(t -> timerLeases.put(timerKey(t.sagaId(), t.kind()), leaseUntil));
            return leased;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<OutboxRecord> leaseOutbox(Instant createdBefore, Instant now, Instant leaseUntil, int limit) {
        lock.lock();
        try {
            List<OutboxRecord> leased = outbox.values().stream()
                    .filter(o -> o.createdAt().isBefore(createdBefore) && free(outboxLeases.get(o.id()), now))
                    .sorted(Comparator.comparing(OutboxRecord::createdAt)).limit(limit).toList();
            leased.forEach(o -> outboxLeases.put(o.id(), leaseUntil));
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
                outbox.remove(id);
                outboxLeases.remove(id);
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
        Position after = query.after() == null ? null : Position.decode(query.after());
        List<SagaRecord> rows;
        lock.lock();
        try {
            rows = sagas.values().stream().filter(s -> matches(query, s))
                    .filter(s -> after == null || after.precedes(s))
                    .sorted(NEWEST_FIRST).limit(query.limit() + 1L).toList();
        } finally {
            lock.unlock();
        }
        if (rows.size() <= query.limit()) {
            return new SagaPage(rows, null);
        }
        List<SagaRecord> items = rows.subList(0, query.limit());
        return new SagaPage(items, Position.of(items.get(items.size() - 1)).encode());
    }

    private static boolean matches(SagaQuery q, SagaRecord s) {
        return (q.type() == null || q.type().equals(s.type()))
                && (q.status() == null || q.status() == s.status())
                && (q.pendingState() == null || q.pendingState().equals(s.pendingState()))
                && (q.businessKey() == null || q.businessKey().equals(s.businessKey()))
                && (q.createdFrom() == null || !s.createdAt().isBefore(q.createdFrom()))
                && (q.createdTo() == null || s.createdAt().isBefore(q.createdTo()))
                && (q.updatedFrom() == null || !s.updatedAt().isBefore(q.updatedFrom()))
                && (q.updatedTo() == null || s.updatedAt().isBefore(q.updatedTo()))
                && (q.stuckBefore() == null || !s.status().isTerminal() && s.updatedAt().isBefore(q.stuckBefore()));
    }

    @Override
    public List<SagaCount> counts() {
        record Group(String type, SagaStatus status, String pendingState) {}
        Map<Group, Long> groups;
        lock.lock();
        try {
            groups = sagas.values().stream().collect(Collectors.groupingBy(
                    s -> new Group(s.type(), s.status(), s.status() == SagaStatus.PENDING ? s.pendingState() : null),
                    Collectors.counting()));
        } finally {
            lock.unlock();
        }
        return groups.entrySet().stream()
                .map(e -> new SagaCount(e.getKey().type(), e.getKey().status(), e.getKey().pendingState(),
                        e.getValue()))
                .toList();
    }

    @Override
    public long outboxBacklog() {
        lock.lock();
        try {
            return outbox.size();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long dueTimerCount(Instant now) {
        Objects.requireNonNull(now, "now");
        lock.lock();
        try {
            return timers.values().stream().filter(t -> !t.fireAt().isAfter(now)).count();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int purgeInbox(Instant before) {
        lock.lock();
        try {
            int n = inbox.size();
            inbox.values().removeIf(at -> at.isBefore(before));
            return n - inbox.size();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int purgeEnded(Instant endedBefore, int limit) {
        Objects.requireNonNull(endedBefore, "endedBefore");
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1, but was " + limit);
        }
        lock.lock();
        try {
            List<SagaRecord> ended = sagas.values().stream()
                    .filter(r -> r.status().isTerminal() && r.updatedAt().isBefore(endedBefore))
                    .sorted(java.util.Comparator.comparing(SagaRecord::updatedAt).thenComparing(r -> r.id().value()))
                    .limit(limit).toList();
            for (SagaRecord r : ended) {
                sagas.remove(r.id());
                history.remove(r.id());
                if (r.businessKey() != null) {
                    byKey.remove(key(r.type(), r.businessKey()));
                }
                timers.entrySet().removeIf(e -> {
                    boolean gone = e.getValue().sagaId().equals(r.id());
                    if (gone) {
                        timerLeases.remove(e.getKey());
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

    /** Query order: creation time, then id, both descending. */
    private static final Comparator<SagaRecord> NEWEST_FIRST = Comparator.comparing(SagaRecord::createdAt)
            .thenComparing(s -> s.id().value()).reversed();

    /** A query cursor: the creation time and id of the last saga on a page. */
    private record Position(Instant createdAt, SagaId id) {
        private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

        static Position of(SagaRecord s) {
            return new Position(s.createdAt(), s.id());
        }

        String encode() {
            String text = createdAt.getEpochSecond() + ":" + createdAt.getNano() + ":" + id.value();
            return ENCODER.encodeToString(text.getBytes(StandardCharsets.UTF_8));
        }

        static Position decode(String token) {
            try {
                String[] parts = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8)
                        .split(":", 3);
                if (parts.length != 3) {
                    throw new IllegalArgumentException("expected seconds:nanos:id");
                }
                int nanos = Integer.parseInt(parts[1]);
                if (nanos < 0 || nanos > 999_999_999) {
                    throw new IllegalArgumentException("nanos out of range");
                }
                return new Position(Instant.ofEpochSecond(Long.parseLong(parts[0]), nanos), SagaId.of(parts[2]));
            } catch (IllegalArgumentException | DateTimeException e) {
                throw new IllegalArgumentException("invalid cursor: pass the nextCursor of a previous page unchanged",
                        e);
            }
        }

        /** True when {@code s} comes after this position in {@link #NEWEST_FIRST} order. */
        boolean precedes(SagaRecord s) {
            int byTime = s.createdAt().compareTo(createdAt);
            return byTime < 0 || byTime == 0 && s.id().value().compareTo(id.value()) < 0;
        }
    }

    private static String key(String type, String businessKey) {
        return type + '\u0000' + businessKey;
    }

    private static String timerKey(SagaId id, TimerKind kind) {
        return id.value() + '\u0000' + kind;
    }

    /** One transaction: applies changes directly and keeps how to undo them. Used under the store lock. */
    private final class Tx implements StoreTransaction {
        private final Deque<Runnable> undo = new ArrayDeque<>();
        private boolean done;

        private void check() {
            if (done || current != this || !lock.isHeldByCurrentThread()) {
                throw new SagaStoreException("transaction used outside inTransaction or on another thread", null);
            }
        }

        void rollback() {
            while (!undo.isEmpty()) {
                undo.pop().run();
            }
        }

        @Override
        public boolean markReceived(String messageId, Instant at) {
            check();
            if (inbox.containsKey(messageId)) {
                return false;
            }
            inbox.put(messageId, at);
            undo.push(() -> inbox.remove(messageId));
            return true;
        }

        @Override
        public Optional<SagaRecord> load(SagaId id) {
            check();
            return Optional.ofNullable(sagas.get(id));
        }

        @Override
        public Optional<SagaRecord> loadForUpdate(SagaId id) {
            return load(id); // transactions are serialised by the store's lock
        }

        @Override
        public Optional<SagaRecord> loadByBusinessKey(String type, String businessKey) {
            check();
            SagaId id = byKey.get(key(type, businessKey));
            return id == null ? Optional.empty() : Optional.ofNullable(sagas.get(id));
        }

        @Override
        public void insert(SagaRecord saga) {
            check();
            if (sagas.containsKey(saga.id())) {
                throw new SagaStoreException("a saga with id " + saga.id() + " exists already", null);
            }
            if (saga.businessKey() != null) {
                String k = key(saga.type(), saga.businessKey());
                if (byKey.containsKey(k)) {
                    throw new DuplicateBusinessKeyException(saga.type(), saga.businessKey());
                }
                byKey.put(k, saga.id());
                undo.push(() -> byKey.remove(k));
            }
            sagas.put(saga.id(), saga);
            undo.push(() -> sagas.remove(saga.id()));
        }

        @Override
        public void update(SagaRecord saga) {
            check();
            SagaRecord prior = sagas.get(saga.id());
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
            sagas.put(saga.id(), kept);
            undo.push(() -> sagas.put(saga.id(), prior));
        }

        @Override
        public void appendHistory(List<HistoryRecord> entries) {
            check();
            for (HistoryRecord e : entries) {
                long s = ++seq;
                List<HistoryRecord> list = history.computeIfAbsent(e.sagaId(), id -> new ArrayList<>());
                list.add(new HistoryRecord(s, e.sagaId(), e.at(), e.kind(), e.step(), e.detail()));
                undo.push(() -> list.remove(list.size() - 1));
            }
        }

        @Override
        public void addOutbox(List<OutboxRecord> messages) {
            check();
            for (OutboxRecord m : messages) {
                if (outbox.containsKey(m.id())) {
                    throw new SagaStoreException("outbox row " + m.id() + " exists already", null);
                }
                outbox.put(m.id(), m);
                undo.push(() -> outbox.remove(m.id()));
            }
        }

        @Override
        public void setTimer(TimerRecord timer) {
            check();
            String k = timerKey(timer.sagaId(), timer.kind());
            TimerRecord prior = timers.put(k, timer);
            Instant priorLease = timerLeases.remove(k); // a new timer is not leased
            undo.push(() -> {
                restore(k, prior);
                if (priorLease != null) {
                    timerLeases.put(k, priorLease);
                }
            });
        }

        @Override
        public void cancelTimers(SagaId sagaId, Set<TimerKind> kinds) {
            check();
            for (TimerKind kind : kinds) {
                String k = timerKey(sagaId, kind);
                TimerRecord prior = timers.remove(k);
                if (prior != null) {
                    undo.push(() -> timers.put(k, prior));
                }
            }
        }

        @Override
        public boolean claimTimer(TimerRecord timer) {
            check();
            String k = timerKey(timer.sagaId(), timer.kind());
            TimerRecord stored = timers.get(k);
            if (stored == null || !stored.token().equals(timer.token()) || !stored.fireAt().equals(timer.fireAt())) {
                return false;
            }
            timers.remove(k);
            undo.push(() -> timers.put(k, stored));
            return true;
        }

        private void restore(String k, TimerRecord prior) {
            if (prior == null) {
                timers.remove(k);
            } else {
                timers.put(k, prior);
            }
        }
    }
}
