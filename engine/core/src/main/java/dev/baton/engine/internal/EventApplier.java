package dev.baton.engine.internal;

import dev.baton.dsl.SagaDefinition;
import dev.baton.engine.ConcurrentUpdateException;
import dev.baton.engine.SagaId;
import dev.baton.engine.spi.SagaRecord;
import dev.baton.engine.spi.SagaStore;
import dev.baton.engine.spi.StoreTransaction;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies one event to one saga: load, decide, ask the gate, write, in one store transaction with the saga's lock
 * held; a transaction that loses a race with another node (a version conflict) is re-run on fresh state, up to
 * the configured number of times. The after-commit work runs once the lock is released.
 */
final class EventApplier {
    private static final Logger log = LoggerFactory.getLogger(EventApplier.class);
    /** Work done in one saga's transaction. */
    @FunctionalInterface
    interface Work<T> {
        T apply(StoreTransaction tx, Instant now, Effects effects);
    }

    /** The result of applying an event: the decision (null when nothing was decided) or that the saga is missing. */
    record Applied(Decision decision, boolean missing) {}

    private final SagaStore store;
    private final Clock clock;
    private final SagaLocks locks;
    private final SagaRecordMapper mapper;
    private final GateAdvisor gate;
    private final AfterCommit afterCommit;
    private final int conflictRetries;

    EventApplier(SagaStore store, Clock clock, SagaLocks locks, SagaRecordMapper mapper, GateAdvisor gate,
                 AfterCommit afterCommit, int conflictRetries) {
        this.store = store;
        this.clock = clock;
        this.locks = locks;
        this.mapper = mapper;
        this.gate = gate;
        this.afterCommit = afterCommit;
        this.conflictRetries = conflictRetries;
    }

    /** Applies {@code event} to saga {@code id}. */
    Applied apply(SagaId id, SagaEvent event) {
        return inTransaction(id, (tx, now, fx) -> {
            Optional<SagaRecord> rec = tx.load(id);
            if (rec.isEmpty()) {
                return new Applied(null, true);
            }
            SagaDefinition<?> def = mapper.definitionOf(rec.get());
            SagaState before = mapper.decode(rec.get(), def);
            Decision d = StateMachine.decide(before, event, def, now);
            if (d.changed()) {
                write(tx, rec.get(), before, gate.gated(d, def, now, fx), def, now, fx);
                if (event instanceof SagaEvent.Operator) {
                    // an operator moved the saga past a command awaiting its answer (abort): that answer will be
                    // ignored, so the command's permit (a half-open probe, say) is given back
                    GateAdvisor.outstandingParticipant(before, def).ifPresent(fx.moot::add);
                }
            }
            return new Applied(d, false);
        });
    }

    /**
     * Runs {@code work} in one transaction with saga {@code id}'s lock held, re-running it on a version conflict;
     * once it committed and the lock is released, its effects are sent and notified.
     */
    <T> T inTransaction(SagaId id, Work<T> work) {
        for (int attempt = 0; ; attempt++) {
            Effects fx = new Effects(gate);
            T result;
            SagaLocks.Held held = locks.lock(id);
            try {
                result = store.inTransaction(tx -> {
                    fx.reset();
                    return work.apply(tx, clock.instant(), fx);
                });
            } catch (RuntimeException e) {
                fx.rollback();
                if (!(e instanceof ConcurrentUpdateException) || attempt >= conflictRetries) {
                    throw e;
                }
                log.debug("an event of saga {} lost a race; re-running it on fresh state", id);
                continue;
            } finally {
                held.close();
            }
            afterCommit.run(fx);
            return result;
        }
    }

    /**
     * As {@link #inTransaction(SagaId, Work)} for several sagas at once: every saga's stripe held (in ascending
     * order), one transaction, no re-run (a lost race is the caller's to handle: it is thrown).
     */
    <T> T inTransactionAll(List<SagaId> ids, Work<T> work) {
        Effects fx = new Effects(gate);
        T result;
        SagaLocks.Held held = locks.lockAll(ids);
        try {
            result = store.inTransaction(tx -> {
                fx.reset();
                return work.apply(tx, clock.instant(), fx);
            });
        } catch (RuntimeException e) {
            fx.rollback();
            throw e;
        } finally {
            held.close();
        }
        afterCommit.run(fx);
        return result;
    }

    /** Writes a decision's state and effects in {@code tx}; {@code before} is null for a new saga. */
    void write(StoreTransaction tx, SagaRecord before, SagaState beforeState, Decision d, SagaDefinition<?> def,
               Instant now, Effects fx) {
        tx.writeAll(List.of(mapper.encode(before, beforeState, d, def, now, fx)));
    }
}
