package dev.baton.engine.internal;

import dev.baton.dsl.MessageType;
import dev.baton.dsl.SagaDefinition;
import dev.baton.dsl.StepDefinition;
import dev.baton.engine.ConcurrentUpdateException;
import dev.baton.engine.DuplicateBusinessKeyException;
import dev.baton.engine.OperatorAction;
import dev.baton.engine.SagaActionRejectedException;
import dev.baton.engine.SagaCodecException;
import dev.baton.engine.SagaDefinitionMismatchException;
import dev.baton.engine.SagaEngine;
import dev.baton.engine.SagaId;
import dev.baton.engine.SagaNotFoundException;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.SagaView;
import dev.baton.engine.StartResult;
import dev.baton.engine.spi.Codec;
import dev.baton.engine.spi.CommandGate;
import dev.baton.engine.spi.HistoryRecord;
import dev.baton.engine.spi.InboundReply;
import dev.baton.engine.spi.OutboxRecord;
import dev.baton.engine.spi.ReplyOutcome;
import dev.baton.engine.spi.SagaListener;
import dev.baton.engine.spi.SagaRecord;
import dev.baton.engine.spi.SagaStore;
import dev.baton.engine.spi.SagaWrite;
import dev.baton.engine.spi.StoreTransaction;
import dev.baton.engine.spi.TimerKind;
import dev.baton.engine.spi.TimerRecord;
import dev.baton.engine.spi.Transport;
import dev.baton.protocol.CommandKind;
import dev.baton.protocol.Headers;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime: applies each event to a saga in one store transaction (inbox check, state update with a
 * version check, history, outbox, timers), then dispatches the new outbox rows. Thread-safe.
 *
 * <p>Concurrency: events for one saga are serialised in this JVM by a striped lock, and across JVMs by the
 * store's optimistic version check; an event that loses a race is re-applied on fresh state.
 */
public final class DefaultSagaEngine implements SagaEngine {
    private static final Logger log = LoggerFactory.getLogger(DefaultSagaEngine.class);
    private static final int STRIPES = 1024;
    private static final int SWEEP_PAGE = 500;
    private static final Duration OPEN_SWEEP_AGE = Duration.ofSeconds(1);
    /** How often the inbox is purged: often enough that each purge deletes a minute's worth of message ids. */
    private static final Duration INBOX_PURGE_EVERY = Duration.ofMinutes(1);
    private static final Set<TimerKind> ALL_TIMERS = java.util.EnumSet.allOf(TimerKind.class);
    private static final Set<TimerKind> NO_TIMEOUTS = java.util.EnumSet.complementOf(java.util.EnumSet.of(TimerKind.TIMEOUT));

    private final Definitions definitions;
    private final SagaStore store;
    private final Transport transport;
    private final Codec codec;
    private final Clock clock;
    private final Supplier<SagaId> ids;
    private final SagaListener listener;
    private final Duration timerPollInterval;
    private final int timerBatchSize;
    private final Duration sweepInterval;
    private final Duration sweepAge;
    private final int conflictRetries;
    private final Duration timeoutGrace;
    private final CommandGate gate;
    private final Duration lease;
    private final Duration inboxRetention;
    /** Null: ended sagas are kept. */
    private final Duration endedRetention;
    private final AtomicBoolean purgeUnsupportedLogged = new AtomicBoolean();
    private volatile Instant timeoutsHeldUntil;
    private final ReentrantLock[] locks = new ReentrantLock[STRIPES];
    private final AtomicBoolean open = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private ScheduledExecutorService scheduler;
    private ExecutorService acker;
    private final java.util.concurrent.ConcurrentLinkedQueue<String> acked = new java.util.concurrent.ConcurrentLinkedQueue<>();

    public DefaultSagaEngine(Definitions definitions, SagaStore store, Transport transport, Codec codec, Clock clock,
                             Supplier<SagaId> ids, SagaListener listener, Duration timerPollInterval, int timerBatchSize,
                             Duration sweepInterval, Duration sweepAge, int conflictRetries, Duration timeoutGrace,
                             CommandGate gate, Duration lease, Duration inboxRetention, Duration endedRetention) {
        this.definitions = definitions;
        this.store = store;
        this.transport = transport;
        this.codec = codec;
        this.clock = clock;
        this.ids = ids;
        this.listener = listener;
        this.timerPollInterval = timerPollInterval;
        this.timerBatchSize = timerBatchSize;
        this.sweepInterval = sweepInterval;
        this.sweepAge = sweepAge;
        this.conflictRetries = conflictRetries;
        this.timeoutGrace = timeoutGrace;
        this.gate = gate;
        this.lease = lease;
        this.inboxRetention = inboxRetention;
        this.endedRetention = endedRetention;
        for (int i = 0; i < STRIPES; i++) {
            locks[i] = new ReentrantLock();
        }
    }

    // ------------------------------------------------------------------ lifecycle

    @Override
    public void open() {
        if (!open.compareAndSet(false, true)) {
            return;
        }
        acker = Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().name("baton-outbox-ack").factory());
        scheduler = Executors.newScheduledThreadPool(2, Thread.ofPlatform().daemon().name("baton-engine-", 0).factory());
        Set<String> destinations = participants();
        transport.prepare(destinations);
        gate.prepare(destinations);
        timeoutsHeldUntil = clock.instant().plus(timeoutGrace);
        // Rows left by a previous run (a crash between commit and acknowledgement) go out first. Not the newest:
        // with several nodes, those are other nodes' commands still being sent.
        sweepOutbox(sweepAge.compareTo(OPEN_SWEEP_AGE) < 0 ? sweepAge : OPEN_SWEEP_AGE);
        transport.start(new Transport.ReplySink() {
            @Override
            public List<Transport.RejectedReply> accept(List<InboundReply> replies) {
                return acceptReplies(replies);
            }

            @Override
            public void takingOver() {
                holdTimeouts();
            }
        });
        scheduler.scheduleWithFixedDelay(this::pollTimersSafely, 0, timerPollInterval.toMillis(), TimeUnit.MILLISECONDS);
        scheduler.scheduleWithFixedDelay(this::purgeInboxSafely, INBOX_PURGE_EVERY.toMillis(), INBOX_PURGE_EVERY.toMillis(),
                TimeUnit.MILLISECONDS);
        if (endedRetention != null) {
            scheduler.scheduleWithFixedDelay(this::purgeEndedSafely, INBOX_PURGE_EVERY.toMillis(), INBOX_PURGE_EVERY.toMillis(),
                    TimeUnit.MILLISECONDS);
        }
        scheduler.scheduleWithFixedDelay(() -> sweepOutboxSafely(sweepAge), sweepInterval.toMillis(),
                sweepInterval.toMillis(), TimeUnit.MILLISECONDS);
        log.info("Baton engine open: {} saga definition(s): {}", definitions.all().size(),
                definitions.all().stream().map(d -> d.type() + " v" + d.version()).toList());
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (scheduler != null) {
            // Let a running timer poll or sweep finish its transaction rather than interrupt it: an interrupt in the
            // middle of a write can close an embedded database's file channel (H2) and lose what followed.
            scheduler.shutdown();
            awaitQuietly(scheduler);
            if (!scheduler.isTerminated()) {
                scheduler.shutdownNow();
                awaitQuietly(scheduler);
            }
        }
        try {
            transport.close();
        } finally {
            if (acker != null) {
                acker.shutdown();
                awaitQuietly(acker);
            }
            store.close();
        }
    }

    private static void awaitQuietly(ExecutorService ex) {
        try {
            ex.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Holds back reply timeouts for the grace period from now: replies of the share this node takes over (after
     * another node died, say) may be waiting unread, and should be read before their commands are deemed lost.
     */
    private void holdTimeouts() {
        Instant now = clock.instant();
        Instant until = now.plus(timeoutGrace);
        Instant held = timeoutsHeldUntil;
        if (held == null || until.isAfter(held)) {
            timeoutsHeldUntil = until;
            if (held == null || !held.isAfter(now)) {
                log.info("reply timeouts held for {} (taking over a share of the replies)", timeoutGrace);
            }
        }
    }

        /** Every participant the registered definitions send commands or compensations to, sorted. */
    public Set<String> participants() {
        Set<String> destinations = new TreeSet<>();
        for (SagaDefinition<?> d : definitions.all()) {
            for (StepDefinition<?> st : d.steps()) {
                destinations.add(st.participant().name());
                st.compensationParticipant().ifPresent(p -> destinations.add(p.name()));
            }
        }
        return destinations;
    }

    // ------------------------------------------------------------------ start

    @Override
    public <D> StartResult start(SagaDefinition<D> definition, D data) {
        return start(definition, data, null);
    }

    @Override
    public <D> StartResult start(SagaDefinition<D> definition, D data, String businessKey) {
        SagaDefinition<?> registered = definitions.get(definition.type(), definition.version(), null);
        if (registered != definition) {
            throw new IllegalArgumentException("the definition of saga '" + definition.type() + "' v" + definition.version()
                    + " passed to start() is not the instance registered with the engine; pass the registered one");
        }
        definition.cast(data);
        if (businessKey != null && (businessKey.isBlank() || businessKey.length() > 200)) {
            throw new IllegalArgumentException("businessKey must be 1 to 200 non-blank characters, or null");
        }
        PendingStart p = new PendingStart(definition, data, businessKey, ids.get(), new CompletableFuture<>());
        startQueue.add(p);
        // Group commit: whoever holds startLeader writes every start queued meanwhile in one transaction. A leader
        // completes each start it took before it lets go, so a caller that gets the lock and is not done yet finds
        // its own start still queued. One caller alone leads a batch of one.
        while (!p.result().isDone()) {
            startLeader.lock();
            try {
                if (!p.result().isDone()) {
                    List<PendingStart> batch = new ArrayList<>();
                    for (PendingStart q; batch.size() < MAX_START_BATCH && (q = startQueue.poll()) != null; ) {
                        batch.add(q);
                    }
                    try {
                        startBatch(batch);
                    } catch (Throwable t) {
                        // never leave a waiting caller without an answer
                        batch.forEach(q -> q.result().completeExceptionally(t));
                    }
                }
            } finally {
                startLeader.unlock();
            }
        }
        try {
            return p.result().join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    /** A start waiting for its transaction. */
    private record PendingStart(SagaDefinition<?> definition, Object data, String businessKey, SagaId id,
                                CompletableFuture<StartResult> result) {}

    /** Most starts written in one transaction. */
    private static final int MAX_START_BATCH = 100;
    private final java.util.concurrent.ConcurrentLinkedQueue<PendingStart> startQueue = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final ReentrantLock startLeader = new ReentrantLock();

    /**
     * Writes several starts in one transaction and completes each one's result. When that fails (a business key
     * taken meanwhile, a datum that cannot be encoded), each start is tried alone, so that one start's failure is
     * its own.
     */
    private void startBatch(List<PendingStart> batch) {
        if (batch.size() > 1) {
            Applied applied = new Applied();
            try {
                List<StartResult> results = store.inTransaction(tx -> {
                    applied.reset();
                    Instant now = clock.instant();
                    Writes writes = new Writes(tx, true);
                    Map<String, SagaId> keysInBatch = new HashMap<>();
                    List<StartResult> out = new ArrayList<>(batch.size());
                    for (PendingStart p : batch) {
                        if (p.businessKey() != null) {
                            String key = p.definition().type() + '\0' + p.businessKey();
                            SagaId earlier = keysInBatch.get(key);
                            Optional<SagaRecord> existing = earlier != null ? Optional.empty()
                                    : tx.loadByBusinessKey(p.definition().type(), p.businessKey());
                            if (earlier != null || existing.isPresent()) {
                                out.add(new StartResult(earlier != null ? earlier : existing.get().id(), false));
                                continue;
                            }
                            keysInBatch.put(key, p.id());
                        }
                        Decision d = gated(StateMachine.start(p.id(), castDefinition(p), p.data(), p.businessKey(), now),
                                p.definition(), now, applied);
                        writes.add(encode(null, null, d, p.definition(), now, applied));
                        out.add(new StartResult(p.id(), true));
                    }
                    writes.flush();
                    return out;
                });
                for (int i = 0; i < batch.size(); i++) {
                    if (results.get(i).created()) {
                        SagaDefinition<?> def = batch.get(i).definition();
                        SagaId id = batch.get(i).id();
                        safely(() -> listener.onStarted(id, def.type()));
                    }
                }
                afterCommit(applied);
                for (int i = 0; i < batch.size(); i++) {
                    batch.get(i).result().complete(results.get(i));
                }
                return;
            } catch (RuntimeException e) {
                applied.rollback();
                log.debug("a batch of {} starts failed ({}); starting each alone", batch.size(), e.toString());
            }
        }
        for (PendingStart p : batch) {
            try {
                p.result().complete(startAlone(p));
            } catch (RuntimeException e) {
                p.result().completeExceptionally(e);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static SagaDefinition<Object> castDefinition(PendingStart p) {
        return (SagaDefinition<Object>) p.definition();
    }

    private StartResult startAlone(PendingStart p) {
        SagaDefinition<Object> definition = castDefinition(p);
        String businessKey = p.businessKey();
        SagaId id = p.id();
        for (int attempt = 0; ; attempt++) {
            Instant now = clock.instant();
            Decision first = StateMachine.start(id, definition, p.data(), businessKey, now);
            Applied applied = new Applied();
            try {
                StartResult r = store.inTransaction(tx -> {
                    applied.reset();
                    if (businessKey != null) {
                        Optional<SagaRecord> existing = tx.loadByBusinessKey(definition.type(), businessKey);
                        if (existing.isPresent()) {
                            return new StartResult(existing.get().id(), false);
                        }
                    }
                    Decision d = gated(first, definition, now, applied);
                    write(tx, null, null, d, definition, now, applied);
                    return new StartResult(id, true);
                });
                if (r.created()) {
                    safely(() -> listener.onStarted(id, definition.type()));
                    afterCommit(applied);
                }
                return r;
            } catch (RuntimeException e) {
                applied.rollback();
                if (!(e instanceof DuplicateBusinessKeyException) || attempt >= conflictRetries) {
                    throw e;
                }
                // lost a race with a concurrent start of the same key: the next attempt finds the winner
            }
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public StartResult start(String sagaType, String dataJson, String businessKey) {
        SagaDefinition<Object> def = (SagaDefinition<Object>) definitions.latest(sagaType)
                .orElseThrow(() -> SagaDefinitionMismatchException.unknownType(sagaType,
                        definitions.all().stream().map(SagaDefinition::type).toList()));
        if (dataJson == null || dataJson.isBlank()) {
            throw new SagaCodecException("saga '" + sagaType + "' needs data (a JSON object), but got none", null);
        }
        Object data = codec.decode(dataJson, def.dataType());
        return start(def, data, businessKey);
    }

    // ------------------------------------------------------------------ queries

    /** The registered definitions. */
    public Definitions definitions() {
        return definitions;
    }

    @Override
    public Optional<SagaView> find(SagaId id) {
        return store.find(id).map(this::view);
    }

    @Override
    public List<HistoryRecord> history(SagaId id) {
        return store.history(id);
    }

    /** A snapshot from a stored record (decoding data and execution state). */
    public SagaView view(SagaRecord r) {
        SagaDefinition<?> def = definitions.get(r.type(), r.definitionVersion(), r.id().value());
        Execution e = codec.decode(r.execution(), Execution.class);
        Object data = codec.decode(r.data(), def.dataType());
        return new SagaView(r.id(), r.type(), r.definitionVersion(), r.status(), r.pendingState(), r.reason(), r.currentStep(),
                r.businessKey(), data, e.completed(), e.compensated(), r.version(), r.createdAt(), r.updatedAt());
    }

    // ------------------------------------------------------------------ operator actions

    @Override
    public SagaView act(SagaId id, OperatorAction action, String actor, String reason) {
        if (actor == null || actor.isBlank() || reason == null || reason.isBlank()) {
            throw new IllegalArgumentException("an operator action needs an actor and a reason");
        }
        SagaEvent.Operator event = new SagaEvent.Operator(action, actor, reason);
        Outcome o = applyWithRetries(id, event, null);
        if (o.missing) {
            throw new SagaNotFoundException(id);
        }
        if (o.decision != null && o.decision.rejected() != null) {
            throw new SagaActionRejectedException(id, action, o.decision.rejected());
        }
        return find(id).orElseThrow(() -> new SagaNotFoundException(id));
    }

    // ------------------------------------------------------------------ replies

    /**
     * Applies a batch of replies, all in one transaction when possible; after a lost race, each reply on its own.
     * Returns the replies that can never be applied.
     */
    public List<Transport.RejectedReply> acceptReplies(List<InboundReply> replies) {
        if (replies.isEmpty()) {
            return List.of();
        }
        if (replies.size() > 1) {
            List<Transport.RejectedReply> rejected = new ArrayList<>();
            Applied applied = new Applied();
            // Hold every saga's stripe, as single events do: a timer of one of these sagas firing meanwhile would
            // take the saga's rows in the opposite order (timer, then saga) and deadlock with this transaction.
            List<ReentrantLock> held = lockAll(replies);
            try {
                store.inTransaction(tx -> {
                    rejected.clear();
                    applied.reset();
                    Instant now = clock.instant();
                    // one statement per table for the whole poll, not one per reply (see StoreTransaction.writeAll)
                    Set<String> fresh = tx.markReceivedAll(replies.stream().map(InboundReply::messageId).toList(), now);
                    Map<SagaId, SagaRecord> current = new HashMap<>(
                            tx.loadAll(replies.stream().map(InboundReply::sagaId).toList()));
                    Writes writes = new Writes(tx, true);
                    Set<String> seen = new HashSet<>();
                    for (InboundReply r : replies) {
                        // a message id twice in one poll: the second copy is a duplicate
                        boolean isFresh = seen.add(r.messageId()) && fresh.contains(r.messageId());
                        String why = applyReply(writes, r, isFresh, current.get(r.sagaId()), now, applied);
                        if (why != null) {
                            rejected.add(new Transport.RejectedReply(r, why));
                        }
                        writes.latest(r.sagaId()).ifPresent(rec -> current.put(r.sagaId(), rec));
                    }
                    writes.flush();
                    return null;
                });
                afterCommit(applied);
                return List.copyOf(rejected);
            } catch (ConcurrentUpdateException e) {
                applied.rollback();
                log.debug("reply batch lost a race; applying its {} replies one by one", replies.size());
            } catch (RuntimeException e) {
                applied.rollback();
                throw e;
            } finally {
                for (int i = held.size() - 1; i >= 0; i--) {
                    held.get(i).unlock();
                }
            }
        }
        List<Transport.RejectedReply> rejected = new ArrayList<>();
        for (InboundReply r : replies) {
            String[] why = new String[1];
            Outcome o = applyWithRetries(r.sagaId(), null, (tx, now, applied) -> {
                boolean isFresh = tx.markReceived(r.messageId(), now);
                why[0] = applyReply(new Writes(tx, false), r, isFresh, isFresh ? tx.load(r.sagaId()).orElse(null) : null,
                        now, applied);
                return null;
            });
            if (why[0] != null) {
                rejected.add(new Transport.RejectedReply(r, why[0]));
            }
            if (o.missing) {
                rejected.add(new Transport.RejectedReply(r, "no saga with id " + r.sagaId()));
            }
        }
        return rejected;
    }

    /**
     * Applies one reply; {@code fresh} says whether the inbox recorded its id just now, {@code current} is its saga
     * as it stands in this transaction (null: none). Returns why the reply can never be applied, or null.
     */
    private String applyReply(Writes writes, InboundReply r, boolean fresh, SagaRecord current, Instant now,
                              Applied applied) {
        if (!fresh) {
            applied.duplicates.add(r.messageId());
            return null;
        }
        Optional<SagaRecord> rec = Optional.ofNullable(current);
        if (rec.isEmpty()) {
            return "no saga with id " + r.sagaId();
        }
        SagaDefinition<?> def;
        SagaState state;
        Object reply;
        try {
            def = definitions.get(rec.get().type(), rec.get().definitionVersion(), r.sagaId().value());
            state = decode(rec.get(), def);
            reply = decodeReply(state, def, r);
        } catch (SagaDefinitionMismatchException | SagaCodecException e) {
            return e.getMessage();
        }
        Decision d = StateMachine.decide(state, new SagaEvent.Replied(r.correlationId(), r.outcome(), reply, r.reason()), def, now);
        if (d.ignored() != null) {
            applied.ignored.add(Map.entry(r.sagaId(), d.ignored()));
            return null;
        }
        int permits = applied.permits.size();
        try {
            d = gated(d, def, now, applied);
            writes.add(encode(rec.get(), state, d, def, now, applied));
        } catch (SagaCodecException e) {
            applied.rollback(permits);
            // nothing was written yet (encoding comes first): set the reply aside; the saga's timeout re-sends
            return "the new state of saga " + r.sagaId() + " cannot be encoded: " + e.getMessage();
        }
        // the reply answered the outstanding command: the participant's breaker counts it
        outstandingParticipant(state, def).ifPresent(p -> applied.outcomes.add(Map.entry(p,
                r.outcome() == ReplyOutcome.RETRY_LATER ? CommandGate.Outcome.BUSY : CommandGate.Outcome.ANSWERED)));
        return null;
    }

    private Object decodeReply(SagaState state, SagaDefinition<?> def, InboundReply r) {
        if (r.payload() == null || r.payloadType() == null || state.exec().cursor() == null) {
            return null;
        }
        Optional<? extends StepDefinition<?>> step = def.step(state.exec().cursor().step());
        if (step.isEmpty()) {
            return null;
        }
        Class<?> type = step.get().replyTypes().get(r.payloadType());
        return type == null ? null : codec.decode(r.payload(), type);
    }

    // ------------------------------------------------------------------ timers

    private void pollTimersSafely() {
        try {
            while (fireDueTimers() >= timerBatchSize && !closed.get()) {
                // a full batch: there may be more due
            }
        } catch (RuntimeException e) {
            log.warn("timer poll failed; retrying in {}", timerPollInterval, e);
        }
    }

    /**
     * Fires the timers due now (at most one batch), leasing them first so that several nodes polling together fire
     * disjoint timers. Public for test kits, which drive time by hand.
     *
     * @return how many due timers were leased
     */
    public int fireDueTimers() {
        Instant now = clock.instant();
        // replies that arrived while this node did not read them (a start, a take-over) may still be unread: give
        // them a chance before deeming their commands lost
        boolean graceful = timeoutsHeldUntil != null && now.isBefore(timeoutsHeldUntil);
        List<TimerRecord> due = store.leaseDueTimers(now, graceful ? NO_TIMEOUTS : ALL_TIMERS, now.plus(lease), timerBatchSize);
        for (TimerRecord t : due) {
            fireTimer(t);
        }
        return due.size();
    }

    /**
     * Fires one leased timer: claims it (so it fires once whatever other nodes do) and applies it, in one
     * transaction. A lost race with another event of the saga is retried at once on fresh state; a timer that cannot
     * be fired (unknown definition, unreadable state) stays, and is leased and tried again when its lease ends.
     */
    private void fireTimer(TimerRecord t) {
        SagaEvent.TimerFired event = new SagaEvent.TimerFired(t.kind(), t.token());
        ReentrantLock lock = lockFor(t.sagaId());
        lock.lock();
        try {
            for (int attempt = 0; ; attempt++) {
                Applied applied = new Applied();
                try {
                    store.inTransaction(tx -> {
                        applied.reset();
                        // the saga's row first, then its timer's, as replies take them: two nodes, one firing the
                        // timer and one applying a reply, then queue instead of deadlocking
                        Optional<SagaRecord> rec = tx.loadForUpdate(t.sagaId());
                        if (!tx.claimTimer(t)) {
                            return null; // another node (or a replacement timer) got there first
                        }
                        if (rec.isEmpty()) {
                            return null;
                        }
                        SagaDefinition<?> def = definitions.get(rec.get().type(), rec.get().definitionVersion(), t.sagaId().value());
                        Instant now = clock.instant();
                        SagaState before = decode(rec.get(), def);
                        Decision d = StateMachine.decide(before, event, def, now);
                        if (d.changed()) {
                            write(tx, rec.get(), before, gated(d, def, now, applied), def, now, applied);
                            if (t.kind() == TimerKind.TIMEOUT) {
                                outstandingParticipant(before, def).ifPresent(p -> applied.outcomes.add(Map.entry(p,
                                        CommandGate.Outcome.TIMED_OUT)));
                            }
                        }
                        return null;
                    });
                    afterCommit(applied);
                    return;
                } catch (ConcurrentUpdateException e) {
                    applied.rollback();
                    if (attempt >= conflictRetries) {
                        log.warn("timer {} of saga {} lost {} races in a row; it is tried again when its lease ends",
                                t.kind(), t.sagaId(), attempt + 1);
                        return;
                    }
                    log.debug("timer {} of saga {} lost a race; firing it on fresh state", t.kind(), t.sagaId());
                } catch (SagaDefinitionMismatchException | SagaCodecException e) {
                    applied.rollback();
                    log.error("cannot fire timer {} of saga {} (tried again in {}): {}", t.kind(), t.sagaId(), lease,
                            e.getMessage());
                    return;
                } catch (RuntimeException e) {
                    applied.rollback();
                    throw e;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------ inbox

    private void purgeInboxSafely() {
        try {
            purgeInbox();
        } catch (RuntimeException e) {
            log.warn("inbox purge failed; retrying in {}", INBOX_PURGE_EVERY, e);
        }
    }

    /**
     * Deletes inbox entries (message ids of applied replies) older than the retention. A reply redelivered after its
     * entry is gone is still checked against its saga's outstanding command, like any late reply: the saga has moved
     * past the command it answered, so it changes nothing. Public for test kits.
     *
     * @return how many entries were deleted
     */
    public int purgeInbox() {
        int n = store.purgeInbox(clock.instant().minus(inboxRetention));
        if (n > 0) {
            log.debug("purged {} inbox entries older than {}", n, inboxRetention);
        }
        return n;
    }

    // ------------------------------------------------------------------ ended sagas

    /** Most sagas deleted in one purge transaction, and most transactions per purge run. */
    private static final int PURGE_BATCH = 1000;
    private static final int PURGE_BATCHES_PER_RUN = 100;

    private void purgeEndedSafely() {
        try {
            purgeEnded();
        } catch (UnsupportedOperationException e) {
            if (purgeUnsupportedLogged.compareAndSet(false, true)) {
                log.warn("endedRetention is set but the store cannot purge ended sagas; they are kept: {}", e.getMessage());
            }
        } catch (RuntimeException e) {
            log.warn("purge of ended sagas failed; retrying in {}", INBOX_PURGE_EVERY, e);
        }
    }

    /**
     * Deletes ended sagas (COMPLETED, COMPENSATED) last changed longer ago than the retention, with their history, in
     * batches of 1,000 (at most 100 batches per call). Does nothing when no retention is set. Public for test kits.
     *
     * @return how many sagas were deleted
     */
    public int purgeEnded() {
        if (endedRetention == null) {
            return 0;
        }
        Instant before = clock.instant().minus(endedRetention);
        int total = 0;
        for (int i = 0; i < PURGE_BATCHES_PER_RUN; i++) {
            int n = store.purgeEnded(before, PURGE_BATCH);
            total += n;
            if (n < PURGE_BATCH) {
                break;
            }
        }
        if (total > 0) {
            log.info("purged {} ended saga(s) last changed before {} (retention {})", total, before, endedRetention);
        }
        return total;
    }

    // ------------------------------------------------------------------ outbox

    private void sweepOutboxSafely(Duration age) {
        try {
            sweepOutbox(age);
        } catch (RuntimeException e) {
            log.warn("outbox sweep failed; retrying in {}", sweepInterval, e);
        }
    }

    /**
     * Re-sends outbox rows older than {@code age} that no acknowledgement removed (left by a crash, a failed send, or
     * a node that died). Rows are leased first, so the sweepers of several nodes re-send disjoint rows; a row whose
     * re-send fails again goes out once its lease ends. Public for test kits.
     *
     * @return how many rows were re-sent
     */
    public int sweepOutbox(Duration age) {
        int total = 0;
        Instant now = clock.instant();
        Instant before = now.minus(age).plusMillis(1); // "at least age old", inclusive
        for (int page = 0; page < 100; page++) {
            List<OutboxRecord> rows = store.leaseOutbox(before, now, now.plus(lease), SWEEP_PAGE);
            if (rows.isEmpty()) {
                break;
            }
            log.debug("re-sending {} outbox row(s) older than {}", rows.size(), age);
            int n = rows.size();
            safely(() -> listener.onOutboxResent(n));
            dispatch(rows);
            total += n;
            if (n < SWEEP_PAGE || closed.get()) {
                break;
            }
        }
        return total;
    }

    private void dispatch(List<OutboxRecord> rows) {
        if (rows.isEmpty()) {
            return;
        }
        List<String> outboxIds = rows.stream().map(OutboxRecord::id).toList();
        CompletableFuture<Void> sent;
        try {
            sent = transport.send(rows);
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        sent.whenComplete((ok, error) -> {
            if (error != null) {
                log.warn("sending {} message(s) failed; the outbox sweeper will re-send them: {}", rows.size(), error.toString());
                return;
            }
            ExecutorService a = acker;
            if (a == null || a.isShutdown()) {
                deleteAcknowledged(outboxIds);
            } else {
                acked.addAll(outboxIds);
                ackedCount.addAndGet(outboxIds.size());
                if (drainPending.compareAndSet(false, true)) {
                    try {
                        a.execute(this::drainAcknowledged);
                    } catch (RejectedExecutionException closing) {
                        drainPending.set(false); // the engine is closing: the sweeper re-sends them after a restart
                    }
                }
            }
        });
    }

    /** At most how long an acknowledged outbox row waits for others to be deleted with it. */
    private static final long ACK_COALESCE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /** This many acknowledged rows are deleted at once, without waiting for more. */
    private static final int ACK_COALESCE_ROWS = 500;
    /** Acknowledged outbox ids not deleted yet (a cheap size for {@link #acked}). */
    private final AtomicInteger ackedCount = new AtomicInteger();
    /** True while a drain is queued or waiting on the acker thread; new acknowledgements then just join its batch. */
    private final AtomicBoolean drainPending = new AtomicBoolean();

    /**
     * Deletes the acknowledged rows queued so far in one transaction: one commit for many acknowledgements. It first
     * waits up to {@link #ACK_COALESCE_NANOS} for {@link #ACK_COALESCE_ROWS} to gather, so that under load a delete
     * commit takes hundreds of rows rather than the few acknowledged since the last one. A row waiting here is still
     * in the outbox; the sweeper only re-sends rows far older than this wait.
     */
    private void drainAcknowledged() {
        long deadline = System.nanoTime() + ACK_COALESCE_NANOS;
        while (ackedCount.get() < ACK_COALESCE_ROWS && System.nanoTime() < deadline && !closed.get()) {
            LockSupport.parkNanos(500_000);
        }
        drainPending.set(false); // acknowledgements from now on queue a new drain (which may find nothing: fine)
        List<String> batch = new ArrayList<>();
        String id;
        while ((id = acked.poll()) != null) {
            batch.add(id);
            if (batch.size() == 5_000) {
                ackedCount.addAndGet(-batch.size());
                deleteAcknowledged(batch);
                batch = new ArrayList<>();
            }
        }
        if (!batch.isEmpty()) {
            ackedCount.addAndGet(-batch.size());
            deleteAcknowledged(batch);
        }
    }

    private void deleteAcknowledged(List<String> outboxIds) {
        try {
            store.deleteOutbox(outboxIds);
        } catch (RuntimeException e) {
            log.warn("deleting {} acknowledged outbox row(s) failed; they will be re-sent", outboxIds.size(), e);
        }
    }

    // ------------------------------------------------------------------ core apply

    @FunctionalInterface
    private interface Work {
        Decision apply(StoreTransaction tx, Instant now, Applied applied);
    }

    private record Outcome(Decision decision, boolean missing) {}

    /** Applies an event (or custom work) to one saga with the stripe lock held, retrying lost races. */
    private Outcome applyWithRetries(SagaId id, SagaEvent event, Work custom) {
        ReentrantLock lock = lockFor(id);
        lock.lock();
        try {
            for (int attempt = 0; ; attempt++) {
                Applied applied = new Applied();
                Decision[] decision = new Decision[1];
                boolean[] missing = new boolean[1];
                try {
                    store.inTransaction(tx -> {
                        applied.reset();
                        missing[0] = false;
                        Instant now = clock.instant();
                        if (custom != null) {
                            decision[0] = custom.apply(tx, now, applied);
                            return null;
                        }
                        Optional<SagaRecord> rec = tx.load(id);
                        if (rec.isEmpty()) {
                            missing[0] = true;
                            return null;
                        }
                        SagaDefinition<?> def = definitions.get(rec.get().type(), rec.get().definitionVersion(), id.value());
                        SagaState before = decode(rec.get(), def);
                        Decision d = StateMachine.decide(before, event, def, now);
                        decision[0] = d;
                        if (d.changed()) {
                            write(tx, rec.get(), before, gated(d, def, now, applied), def, now, applied);
                            if (event instanceof SagaEvent.Operator) {
                                // an operator moved the saga past a command awaiting its answer (abort): that answer
                                // will be ignored, so the command's permit (a half-open probe, say) is given back
                                outstandingParticipant(before, def).ifPresent(applied.moot::add);
                            }
                        }
                        return null;
                    });
                    afterCommit(applied);
                    return new Outcome(decision[0], missing[0]);
                } catch (RuntimeException e) {
                    applied.rollback();
                    if (!(e instanceof ConcurrentUpdateException) || attempt >= conflictRetries) {
                        throw e;
                    }
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private ReentrantLock lockFor(SagaId id) {
        return locks[Math.floorMod(id.hashCode(), STRIPES)];
    }

    /** Locks the stripes of the replies' sagas in ascending order (so two batches never deadlock); returns them. */
    private List<ReentrantLock> lockAll(List<InboundReply> replies) {
        java.util.BitSet stripes = new java.util.BitSet(STRIPES);
        for (InboundReply r : replies) {
            stripes.set(Math.floorMod(r.sagaId().hashCode(), STRIPES));
        }
        List<ReentrantLock> held = new ArrayList<>(stripes.cardinality());
        for (int i = stripes.nextSetBit(0); i >= 0; i = stripes.nextSetBit(i + 1)) {
            locks[i].lock();
            held.add(locks[i]);
        }
        return held;
    }

    private SagaState decode(SagaRecord r, SagaDefinition<?> def) {
        if (!def.dataTypeName().equals(r.dataType())) {
            throw new SagaCodecException("saga " + r.id() + " stores data of type '" + r.dataType() + "' but '" + def.type()
                    + "' v" + def.version() + " expects '" + def.dataTypeName() + "'", null);
        }
        Object data = codec.decode(r.data(), def.dataType());
        Execution e = codec.decode(r.execution(), Execution.class);
        return new SagaState(r.id(), r.type(), r.definitionVersion(), r.businessKey(), r.status(), r.pendingState(), r.reason(),
                data, e, r.version(), r.createdAt(), r.updatedAt());
    }

    /** Writes a decision's state and effects in {@code tx}; {@code before} is null for a new saga. */
    private void write(StoreTransaction tx, SagaRecord before, SagaState beforeState, Decision d, SagaDefinition<?> def,
                       Instant now, Applied applied) {
        tx.writeAll(List.of(encode(before, beforeState, d, def, now, applied)));
    }

    /**
     * Encodes a decision's state and effects for writing and notes them in {@code applied}; {@code before} is null
     * for a new saga. Nothing is noted when encoding fails, and nothing has been written yet.
     */
    private SagaWrite encode(SagaRecord before, SagaState beforeState, Decision d, SagaDefinition<?> def, Instant now,
                             Applied applied) {
        SagaState s = d.state();
        SagaRecord after = new SagaRecord(s.id(), s.type(), s.definitionVersion(), s.status(), s.pendingState(), s.currentStep(),
                s.businessKey(), def.dataTypeName(), codec.encode(s.data()), codec.encode(s.exec()), s.reason(),
                before == null ? 1 : before.version() + 1, s.createdAt(), now);
        List<OutboxRecord> out = new ArrayList<>(d.commands().size());
        for (Decision.Command c : d.commands()) {
            String type = MessageType.Names.of(c.payload().getClass());
            String payload = codec.encode(c.payload());
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put(Headers.MESSAGE_ID, c.messageId());
            headers.put(Headers.SAGA_ID, s.id().value());
            headers.put(Headers.SAGA_TYPE, s.type());
            headers.put(Headers.STEP, c.step());
            headers.put(Headers.ATTEMPT, Integer.toString(c.attempt()));
            headers.put(Headers.MESSAGE_TYPE, type);
            headers.put(Headers.KIND, (c.direction() == Execution.Direction.FORWARD ? CommandKind.COMMAND : CommandKind.COMPENSATION).wireValue());
            headers.put(Headers.TRACEPARENT, traceparent(s.id(), c.messageId(), c.attempt()));
            out.add(new OutboxRecord(ids.get().value(), s.id(), c.participant(), c.messageId(), type, headers, payload, now));
        }
        List<HistoryRecord> history = new ArrayList<>(d.history().size());
        for (Decision.Entry e : d.history()) {
            history.add(new HistoryRecord(0, s.id(), now, e.kind().name(), e.step(), e.detail()));
        }

        List<TimerRecord> timers = new ArrayList<>(d.timers().size());
        for (Decision.Timer t : d.timers()) {
            timers.add(new TimerRecord(s.id(), t.kind(), t.step(), t.token(), t.fireAt()));
        }
        SagaWrite write = new SagaWrite(after, before == null, history, out, d.cancelTimers(), timers);
        applied.outbox.addAll(out);
        applied.changes.add(new Change(before == null ? null : before.status(), beforeState == null ? null : beforeState.exec(),
                s, d, now));
        return write;
    }

    /**
     * Where the decisions of one transaction go: straight to the store, or gathered and written with one
     * {@link StoreTransaction#writeAll} (a poll of replies). A saga written twice flushes what was gathered first,
     * so each call names a saga once and its changes stay in order.
     */
    private static final class Writes {
        private final StoreTransaction tx;
        private final boolean gather;
        private final List<SagaWrite> pending = new ArrayList<>();
        private final Set<SagaId> pendingIds = new HashSet<>();
        private final Map<SagaId, SagaRecord> latest = new HashMap<>();

        Writes(StoreTransaction tx, boolean gather) {
            this.tx = tx;
            this.gather = gather;
        }

        void add(SagaWrite w) {
            if (!gather) {
                tx.writeAll(List.of(w));
                return;
            }
            if (!pendingIds.add(w.saga().id())) {
                flush();
                pendingIds.add(w.saga().id());
            }
            pending.add(w);
            latest.put(w.saga().id(), w.saga());
        }

        /** The saga's row as last written through this object, if it was. */
        Optional<SagaRecord> latest(SagaId id) {
            return Optional.ofNullable(latest.get(id));
        }

        void flush() {
            if (!pending.isEmpty()) {
                tx.writeAll(List.copyOf(pending));
                pending.clear();
                pendingIds.clear();
            }
        }
    }

    /**
     * A W3C trace context for a command: the trace id is derived from the saga id (a saga is one trace), the span
     * id from the message id and attempt. Deterministic, so a re-sent outbox row carries the same context.
     */
    static String traceparent(SagaId id, String messageId, int attempt) {
        String hex = id.value().replace("-", "").toLowerCase(java.util.Locale.ROOT);
        String traceId = hex.length() == 32 && hex.chars().allMatch(ch -> Character.digit(ch, 16) >= 0)
                ? hex : String.format("%016x%016x", (long) id.value().hashCode() * 0x9E3779B97F4A7C15L, (long) id.value().length() ^ 0x5DEECE66DL);
        long span = messageId.hashCode() * 0x9E3779B97F4A7C15L + attempt;
        if (span == 0) {
            span = 1;
        }
        return "00-" + traceId + "-" + String.format("%016x", span) + "-01";
    }

    private record Change(SagaStatus from, Execution beforeExec, SagaState after, Decision decision, Instant at) {}

    /** What a committed transaction did, for the work done after commit. */
    private final class Applied {
        final List<OutboxRecord> outbox = new ArrayList<>();
        final List<Change> changes = new ArrayList<>();
        final List<String> duplicates = new ArrayList<>();
        final List<Map.Entry<SagaId, String>> ignored = new ArrayList<>();
        /** Participants whose gate permitted a command in this transaction: released if it does not commit. */
        final List<String> permits = new ArrayList<>();
        /** How participants answered, for their gates once the transaction committed. */
        final List<Map.Entry<String, CommandGate.Outcome>> outcomes = new ArrayList<>();
        /** Participants of sent commands whose answers no longer matter (an operator moved on): released after commit. */
        final List<String> moot = new ArrayList<>();

        /** Starts a (re-)run of the transaction: whatever an earlier run took is given back. */
        void reset() {
            rollback();
            outbox.clear();
            changes.clear();
            duplicates.clear();
            ignored.clear();
            outcomes.clear();
            moot.clear();
        }

        /** The transaction did not commit: its permits were not used. */
        void rollback() {
            rollback(0);
        }

        /** Gives back the permits taken from index {@code from} on. */
        void rollback(int from) {
            while (permits.size() > from) {
                String p = permits.remove(permits.size() - 1);
                safelyGate(() -> gate.release(p));
            }
        }
    }

    private static void safelyGate(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            log.warn("a CommandGate threw; ignored", e);
        }
    }

    /** The participant of the saga's outstanding (awaited) command, if any. */
    private static Optional<String> outstandingParticipant(SagaState s, SagaDefinition<?> def) {
        Execution.Cursor c = s.exec().cursor();
        if (c == null || !c.awaiting()) {
            return Optional.empty();
        }
        return def.step(c.step()).map(st -> c.direction() == Execution.Direction.FORWARD ? st.participant().name()
                : st.compensationParticipant().map(p -> p.name()).orElse(null));
    }

    /**
     * Asks the {@link CommandGate} about each command of the decision. A command it does not permit is not sent: the
     * decision is continued with a RETRY_LATER answer to that command ("circuit open for participant X"), so the
     * saga parks or backs off exactly as if the participant had said it is busy, and no outbox row is written for it.
     * The combined decision is written in the caller's transaction: no outbox row for an unsent command, no parked
     * saga without its retry timer.
     */
    private Decision gated(Decision d, SagaDefinition<?> def, Instant now, Applied applied) {
        if (gate == CommandGate.OPEN || !d.changed() || d.commands().isEmpty()) {
            return d;
        }
        Decision acc = d;
        List<Decision.Command> toCheck = d.commands();
        for (int round = 0; round < 32 && !toCheck.isEmpty(); round++) {
            Decision.Command blocked = null;
            for (Decision.Command c : toCheck) {
                boolean ok;
                try {
                    ok = gate.permit(c.participant());
                } catch (RuntimeException e) {
                    log.warn("a CommandGate threw; the command to {} goes out", c.participant(), e);
                    continue;
                }
                if (ok) {
                    applied.permits.add(c.participant());
                } else if (blocked == null) {
                    blocked = c;
                } else {
                    throw new IllegalStateException("a decision with two commands: " + toCheck);
                }
            }
            if (blocked == null) {
                return acc;
            }
            String why = "circuit open for participant " + blocked.participant();
            Decision next = StateMachine.decide(acc.state(),
                    new SagaEvent.Replied(blocked.messageId(), ReplyOutcome.RETRY_LATER, null, why), def, now);
            if (!next.changed()) {
                // cannot happen for a command just decided; sending it is the safe way out
                log.warn("saga {}: a held-back command to {} could not be treated as busy ({}); sending it",
                        acc.state().id(), blocked.participant(), next.ignored());
                return acc;
            }
            acc = compose(acc, blocked, next, why);
            toCheck = next.commands();
        }
        return acc;
    }

    /** {@code first} then {@code then} as one decision, without {@code blocked} (which was never sent). */
    private static Decision compose(Decision first, Decision.Command blocked, Decision then, String why) {
        List<Decision.Command> commands = new ArrayList<>(first.commands());
        commands.remove(blocked);
        commands.addAll(then.commands());
        java.util.EnumSet<TimerKind> cancel = java.util.EnumSet.noneOf(TimerKind.class);
        cancel.addAll(first.cancelTimers());
        cancel.addAll(then.cancelTimers());
        List<Decision.Timer> timers = new ArrayList<>();
        for (Decision.Timer t : first.timers()) {
            if (!then.cancelTimers().contains(t.kind()) && then.timers().stream().noneMatch(x -> x.kind() == t.kind())) {
                timers.add(t);
            }
        }
        timers.addAll(then.timers());
        for (Decision.Timer t : timers) {
            cancel.remove(t.kind());
        }
        List<Decision.Entry> history = new ArrayList<>();
        String sentPrefix = "attempt " + blocked.attempt() + " to ";
        for (Decision.Entry e : first.history()) {
            boolean sentEntry = (e.kind() == HistoryKind.COMMAND_SENT || e.kind() == HistoryKind.COMPENSATION_SENT)
                    && blocked.step().equals(e.step()) && e.detail() != null && e.detail().startsWith(sentPrefix);
            history.add(sentEntry ? new Decision.Entry(HistoryKind.NOT_SENT, e.step(), e.detail() + " held back: " + why) : e);
        }
        for (Decision.Entry e : then.history()) {
            if (e.kind() != HistoryKind.REPLY_RECEIVED) {
                history.add(e);
            }
        }
        return new Decision(then.state(), commands, timers, cancel, history, null, null);
    }

    private void afterCommit(Applied applied) {
        applied.permits.clear(); // committed: each is settled by the command's answer or timeout
        for (Map.Entry<String, CommandGate.Outcome> o : applied.outcomes) {
            safelyGate(() -> gate.onOutcome(o.getKey(), o.getValue()));
        }
        applied.outcomes.clear();
        for (String p : applied.moot) {
            safelyGate(() -> gate.release(p));
        }
        applied.moot.clear();
        dispatch(List.copyOf(applied.outbox));
        for (String m : applied.duplicates) {
            safely(() -> listener.onDuplicateMessage(m));
        }
        for (Map.Entry<SagaId, String> e : applied.ignored) {
            safely(() -> listener.onIgnoredReply(e.getKey(), e.getValue()));
        }
        for (Change c : applied.changes) {
            notifyListener(c);
        }
    }

    /** Listeners observe; they must never break the engine. */
    private static void safely(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            log.warn("a SagaListener threw; ignored", e);
        }
    }

    private void notifyListener(Change c) {
        try {
            SagaState s = c.after();
            SagaStatus from = c.from();
            Execution prev = c.beforeExec();
            if (prev != null) {
                if (prev.cursor() != null && prev.cursor().firstSentAt() != null) {
                    for (Decision.Entry e : c.decision().history()) {
                        if (e.kind() == HistoryKind.STEP_COMPLETED && prev.cursor().step().equals(e.step())) {
                            listener.onStepCompleted(s.id(), s.type(), e.step(), Duration.between(prev.cursor().firstSentAt(), c.at()));
                        }
                    }
                }
            }
            if (from != s.status()) {
                listener.onStatusChanged(s.id(), s.type(), from, s.status(), s.reason());
                if (s.status().isTerminal()) {
                    listener.onEnded(s.id(), s.type(), s.status(), Duration.between(s.createdAt(), c.at()));
                }
            }
        } catch (RuntimeException e) {
            log.warn("a SagaListener threw; ignored", e);
        }
    }
}
