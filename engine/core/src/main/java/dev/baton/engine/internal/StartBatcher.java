package dev.baton.engine.internal;

import dev.baton.dsl.SagaDefinition;
import dev.baton.engine.DuplicateBusinessKeyException;
import dev.baton.engine.SagaId;
import dev.baton.engine.StartResult;
import dev.baton.engine.spi.SagaRecord;
import dev.baton.engine.spi.SagaStore;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts sagas with group commit: concurrent {@code start()} calls share one store transaction. Whoever holds the
 * leader lock takes every start queued meanwhile (up to {@value #MAX_BATCH}) and writes them together; the lock is
 * held for the writing only, so starts arriving meanwhile queue up for the next batch. The batch's callers are
 * answered before its commands are sent, and the sends and the listener calls happen with no lock held, so a
 * transport that blocks holds up neither the next batch nor the batch's other callers.
 */
final class StartBatcher {
    private static final Logger log = LoggerFactory.getLogger(StartBatcher.class);
    /** Most starts written in one transaction. */
    private static final int MAX_BATCH = 100;

    /** A start waiting for its transaction; {@code taken} once a leader has it in a batch. */
    private record Pending(SagaDefinition<?> definition, Object data, String businessKey, SagaId id,
                           CompletableFuture<StartResult> result, AtomicBoolean taken) {}

    private final SagaStore store;
    private final Clock clock;
    private final SagaRecordMapper mapper;
    private final GateAdvisor gate;
    private final AfterCommit afterCommit;
    private final int conflictRetries;
    private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
    private final ReentrantLock leader = new ReentrantLock();

    StartBatcher(SagaStore store, Clock clock, SagaRecordMapper mapper, GateAdvisor gate, AfterCommit afterCommit,
                 int conflictRetries) {
        this.store = store;
        this.clock = clock;
        this.mapper = mapper;
        this.gate = gate;
        this.afterCommit = afterCommit;
        this.conflictRetries = conflictRetries;
    }

    /** Starts one saga (validated by the caller), possibly in a transaction with others. */
    StartResult start(SagaDefinition<?> definition, Object data, String businessKey, SagaId id) {
        Pending p = new Pending(definition, data, businessKey, id, new CompletableFuture<>(), new AtomicBoolean());
        queue.add(p);
        while (!p.taken().get()) {
            List<Pending> batch = new ArrayList<>();
            List<Written> written = new ArrayList<>();
            leader.lock();
            try {
                for (Pending q; batch.size() < MAX_BATCH && (q = queue.poll()) != null; ) {
                    q.taken().set(true);
                    batch.add(q);
                }
                write(batch, written);
            } catch (RuntimeException | Error e) {
                batch.forEach(q -> q.result().completeExceptionally(e)); // never leave a waiting caller without an answer
                throw e;
            } finally {
                leader.unlock();
            }
            // answered before the sends, with no lock held: a transport that blocks holds up no other caller
            for (Written w : written) {
                afterCommit.notify(w.effects());
            }
            for (Written w : written) {
                if (w.error() != null) {
                    w.start().result().completeExceptionally(w.error());
                } else {
                    w.start().result().complete(w.result());
                }
            }
            for (Written w : written) {
                afterCommit.send(w.effects());
            }
        }
        try {
            return p.result().join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    /** One start's outcome: its result or its error, and what its transaction did. */
    private record Written(Pending start, StartResult result, RuntimeException error, Effects effects) {}

    /** Writes a batch, in one transaction when it can; else each start alone, so one start's failure is its own. */
    private void write(List<Pending> batch, List<Written> out) {
        if (batch.size() > 1) {
            Effects fx = new Effects(gate);
            try {
                List<StartResult> results = writeBatch(batch, fx);
                for (int i = 0; i < batch.size(); i++) {
                    // the batch's effects ride on its first start; the others have none of their own
                    out.add(new Written(batch.get(i), results.get(i), null, i == 0 ? fx : new Effects(gate)));
                }
                return;
            } catch (RuntimeException e) {
                fx.rollback();
                log.debug("a batch of {} starts failed ({}); starting each alone", batch.size(), e.toString());
            }
        }
        for (Pending q : batch) {
            Effects fx = new Effects(gate);
            try {
                out.add(new Written(q, writeAlone(q, fx), null, fx));
            } catch (RuntimeException e) {
                out.add(new Written(q, null, e, new Effects(gate)));
            }
        }
    }

    /**
     * Writes several starts in one transaction; when it fails (a business key taken meanwhile, a datum that cannot
     * be encoded) the caller tries each start alone, so that one start's failure is its own.
     */
    private List<StartResult> writeBatch(List<Pending> batch, Effects fx) {
        return store.inTransaction(tx -> {
            fx.reset();
            Instant now = clock.instant();
            Writes writes = new Writes(tx, true);
            Map<String, SagaId> keysInBatch = new HashMap<>();
            List<StartResult> out = new ArrayList<>(batch.size());
            for (Pending p : batch) {
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
                Decision d = gate.gated(StateMachine.start(p.id(), definitionOf(p), p.data(), p.businessKey(), now),
                        p.definition(), now, fx);
                writes.add(mapper.encode(null, null, d, p.definition(), now, fx));
                fx.started.add(new Effects.Started(p.id(), p.definition().type(), p.definition().version()));
                out.add(new StartResult(p.id(), true));
            }
            writes.flush();
            return out;
        });
    }

    private StartResult writeAlone(Pending p, Effects fx) {
        SagaDefinition<Object> definition = definitionOf(p);
        String businessKey = p.businessKey();
        SagaId id = p.id();
        for (int attempt = 0; ; attempt++) {
            Instant now = clock.instant();
            Decision first = StateMachine.start(id, definition, p.data(), businessKey, now);
            try {
                return store.inTransaction(tx -> {
                    fx.reset();
                    if (businessKey != null) {
                        Optional<SagaRecord> existing = tx.loadByBusinessKey(definition.type(), businessKey);
                        if (existing.isPresent()) {
                            return new StartResult(existing.get().id(), false);
                        }
                    }
                    Decision d = gate.gated(first, definition, now, fx);
                    tx.writeAll(List.of(mapper.encode(null, null, d, definition, now, fx)));
                    fx.started.add(new Effects.Started(id, definition.type(), definition.version()));
                    return new StartResult(id, true);
                });
            } catch (RuntimeException e) {
                fx.rollback();
                if (!(e instanceof DuplicateBusinessKeyException) || attempt >= conflictRetries) {
                    throw e;
                }
                // lost a race with a concurrent start of the same key: the next attempt finds the winner
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static SagaDefinition<Object> definitionOf(Pending p) {
        return (SagaDefinition<Object>) p.definition();
    }
}
