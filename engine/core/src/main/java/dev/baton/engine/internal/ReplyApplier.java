package dev.baton.engine.internal;

import dev.baton.dsl.SagaDefinition;
import dev.baton.engine.ConcurrentUpdateException;
import dev.baton.engine.SagaCodecException;
import dev.baton.engine.SagaDefinitionMismatchException;
import dev.baton.engine.SagaId;
import dev.baton.engine.spi.CommandGate;
import dev.baton.engine.spi.InboundReply;
import dev.baton.engine.spi.OutboxRecord;
import dev.baton.engine.spi.ReplyOutcome;
import dev.baton.engine.spi.SagaRecord;
import dev.baton.engine.spi.SagaStore;
import dev.baton.engine.spi.StoreTransaction;
import dev.baton.engine.spi.Transport;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a poll of participants' replies: all in one transaction when possible, with one statement per table for
 * the whole poll (see {@link dev.baton.engine.spi.StoreTransaction#writeAll}); after a lost race, each reply on its
 * own. A reply whose id the inbox has seen is a duplicate and changes nothing. One that can never be applied (no
 * such saga, an unknown definition) is dead-lettered: an outbox row addressed to
 * {@link dev.baton.engine.spi.OutboxRecord#DEAD_LETTERS}, written in the transaction that records the reply in the
 * inbox, so no crash can lose it. A SUCCESS whose payload cannot be read is dead-lettered too, and if it answers the
 * outstanding command its saga fails at once ({@link UnreadableReply}).
 */
final class ReplyApplier {
    private static final Logger log = LoggerFactory.getLogger(ReplyApplier.class);

    private final SagaStore store;
    private final Clock clock;
    private final SagaLocks locks;
    private final SagaRecordMapper mapper;
    private final GateAdvisor gate;
    private final AfterCommit afterCommit;
    private final EventApplier events;
    private final DeadLetters deadLetters;

    ReplyApplier(SagaStore store, Clock clock, SagaLocks locks, SagaRecordMapper mapper, GateAdvisor gate,
                 AfterCommit afterCommit, EventApplier events, DeadLetters deadLetters) {
        this.store = store;
        this.clock = clock;
        this.locks = locks;
        this.mapper = mapper;
        this.gate = gate;
        this.afterCommit = afterCommit;
        this.events = events;
        this.deadLetters = deadLetters;
    }

    /** Applies the replies; returns those that were dead-lettered, with the reason. */
    List<Transport.RejectedReply> accept(List<InboundReply> replies) {
        if (replies.isEmpty()) {
            return List.of();
        }
        if (replies.size() > 1) {
            List<Transport.RejectedReply> rejected = new ArrayList<>();
            Effects fx = new Effects(gate);
            // Hold every saga's stripe, as single events do: a timer of one of these sagas firing meanwhile would
            // take the saga's rows in the opposite order (timer, then saga) and deadlock with this transaction.
            boolean lostRace = false;
            SagaLocks.Held held = locks.lockAll(replies.stream().map(InboundReply::sagaId).toList());
            try {
                store.inTransaction(tx -> {
                    rejected.clear();
                    fx.reset();
                    Instant now = clock.instant();
                    Set<String> fresh = tx.markReceivedAll(replies.stream().map(InboundReply::messageId).toList(), now);
                    Map<SagaId, SagaRecord> current = new HashMap<>(
                            tx.loadAll(replies.stream().map(InboundReply::sagaId).toList()));
                    Writes writes = new Writes(tx, true);
                    Set<String> seen = new HashSet<>();
                    List<OutboxRecord> dead = new ArrayList<>();
                    for (InboundReply r : replies) {
                        // a message id twice in one poll: the second copy is a duplicate
                        boolean isFresh = seen.add(r.messageId()) && fresh.contains(r.messageId());
                        String why = apply(writes, r, isFresh, current.get(r.sagaId()), now, fx);
                        if (why != null) {
                            rejected.add(new Transport.RejectedReply(r, why));
                            dead.add(deadLetters.of(r, why, now));
                        }
                        writes.latest(r.sagaId()).ifPresent(rec -> current.put(r.sagaId(), rec));
                    }
                    writes.flush();
                    deadLetter(tx, dead, fx);
                    return null;
                });
            } catch (ConcurrentUpdateException e) {
                fx.rollback();
                log.debug("reply batch lost a race; applying its {} replies one by one", replies.size());
                lostRace = true;
            } catch (RuntimeException e) {
                fx.rollback();
                throw e;
            } finally {
                held.close();
            }
            if (lostRace) {
                return oneByOne(replies); // with no stripe held: each reply takes its own saga's
            }
            afterCommit.run(fx);
            return List.copyOf(rejected);
        }
        return oneByOne(replies);
    }

    private List<Transport.RejectedReply> oneByOne(List<InboundReply> replies) {
        List<Transport.RejectedReply> rejected = new ArrayList<>();
        for (InboundReply r : replies) {
            String why = events.inTransaction(r.sagaId(), (tx, now, fx) -> {
                boolean isFresh = tx.markReceived(r.messageId(), now);
                String reason = apply(new Writes(tx, false), r, isFresh, isFresh ? tx.load(r.sagaId()).orElse(null) : null,
                        now, fx);
                if (reason != null) {
                    deadLetter(tx, List.of(deadLetters.of(r, reason, now)), fx);
                }
                return reason;
            });
            if (why != null) {
                rejected.add(new Transport.RejectedReply(r, why));
            }
        }
        return rejected;
    }

    /** Writes dead letters as outbox rows of the transaction, sent after it commits; never gated. */
    private static void deadLetter(StoreTransaction tx, List<OutboxRecord> dead, Effects fx) {
        if (!dead.isEmpty()) {
            tx.addOutbox(dead);
            fx.outbox.addAll(dead);
        }
    }

    /**
     * Applies one reply; {@code fresh} says whether the inbox recorded its id just now, {@code current} is its saga
     * as it stands in this transaction (null: none). Returns why the reply is to be dead-lettered, or null: it can
     * never be applied, or its payload cannot be read (the saga then fails if the reply answers its command).
     */
    private String apply(Writes writes, InboundReply r, boolean fresh, SagaRecord current, Instant now, Effects fx) {
        if (!fresh) {
            fx.duplicates.add(r.messageId());
            return null;
        }
        if (current == null) {
            return "no saga with id " + r.sagaId();
        }
        SagaDefinition<?> def;
        SagaState state;
        Object reply;
        try {
            def = mapper.definitionOf(current);
            state = mapper.decode(current, def);
            reply = mapper.decodeReply(state, def, r);
        } catch (SagaDefinitionMismatchException | SagaCodecException e) {
            return e.getMessage();
        }
        Decision d = StateMachine.decide(state, new SagaEvent.Replied(r.correlationId(), r.outcome(), reply, r.reason(),
                r.retryAfter(), r.payload()), def, now);
        String unreadable = reply instanceof UnreadableReply u ? u.reason(state.currentStep()) : null;
        if (d.ignored() != null) {
            fx.ignored.add(Map.entry(r.sagaId(), d.ignored()));
            return unreadable;
        }
        Effects.Mark mark = fx.mark();
        try {
            d = gate.gated(d, def, now, fx);
            writes.add(mapper.encode(current, state, d, def, now, fx));
            fx.changes.set(fx.changes.size() - 1, fx.changes.get(fx.changes.size() - 1).answeredBy(r));
        } catch (SagaCodecException e) {
            fx.rollback(mark);
            // nothing was written yet (encoding comes first): set the reply aside; the saga's timeout re-sends
            return "the new state of saga " + r.sagaId() + " cannot be encoded: " + e.getMessage();
        }
        // the reply answered the outstanding command: the participant's breaker counts it
        boolean erred = state.exec().cursors().stream().anyMatch(c -> c.erred()
                && StateMachine.messageId(state.id(), c).equals(r.correlationId()));
        GateAdvisor.answeredParticipant(state, def, r.correlationId()).ifPresent(p -> fx.outcomes.add(Map.entry(p,
                switch (r.outcome()) {
                    case RETRY_LATER -> CommandGate.Outcome.BUSY;
                    case ERROR -> erred ? CommandGate.Outcome.ERROR_REPEATED : CommandGate.Outcome.ERROR;
                    case SUCCESS, FAILURE -> CommandGate.Outcome.ANSWERED;
                })));
        return unreadable;
    }
}
