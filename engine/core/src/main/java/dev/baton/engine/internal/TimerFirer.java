package dev.baton.engine.internal;

import dev.baton.dsl.SagaDefinition;
import dev.baton.engine.ConcurrentUpdateException;
import dev.baton.engine.SagaCodecException;
import dev.baton.engine.SagaDefinitionMismatchException;
import dev.baton.engine.spi.CommandGate;
import dev.baton.engine.spi.SagaRecord;
import dev.baton.engine.spi.SagaStore;
import dev.baton.engine.spi.TimerKind;
import dev.baton.engine.spi.TimerRecord;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fires due timers (timeouts, retries, a parked saga's re-send and give-up): leases a batch so that several nodes
 * fire disjoint timers, then claims and applies each in its saga's transaction. Reply timeouts are held back for a
 * grace period after the node opens or takes over a share of the replies, whose answers may still be unread, and
 * while the transport cannot read replies at all (its broker down, say) and for the grace period after it can again.
 */
final class TimerFirer {
    private static final Logger log = LoggerFactory.getLogger(TimerFirer.class);
    /** Timers fired by time when flow control releases the WAIT timers; all of them when it does not. */
    private static final Set<TimerKind> TIMED = EnumSet.of(TimerKind.TIMEOUT, TimerKind.RETRY, TimerKind.GIVE_UP);
    private static final Set<TimerKind> TIMED_NO_TIMEOUTS = EnumSet.of(TimerKind.RETRY, TimerKind.GIVE_UP);
    private static final Set<TimerKind> ALL_TIMERS = EnumSet.allOf(TimerKind.class);
    private static final Set<TimerKind> NO_TIMEOUTS = EnumSet.complementOf(EnumSet.of(TimerKind.TIMEOUT));

    private final SagaStore store;
    private final Clock clock;
    private final SagaRecordMapper mapper;
    private final GateAdvisor gate;
    private final EventApplier events;
    private final Duration lease;
    private final int batchSize;
    private final int conflictRetries;
    private final Duration timeoutGrace;
    private volatile Instant timeoutsHeldUntil;
    private volatile boolean readingStalled;

    TimerFirer(SagaStore store, Clock clock, SagaRecordMapper mapper, GateAdvisor gate, EventApplier events,
               Duration lease, int batchSize, int conflictRetries, Duration timeoutGrace) {
        this.store = store;
        this.clock = clock;
        this.mapper = mapper;
        this.gate = gate;
        this.events = events;
        this.lease = lease;
        this.batchSize = batchSize;
        this.conflictRetries = conflictRetries;
        this.timeoutGrace = timeoutGrace;
    }

    /**
     * Holds back reply timeouts for the grace period from now: replies of the share this node takes over (after
     * another node died, say, or at start) may be waiting unread, and should be read before their commands are
     * deemed lost.
     */
    void holdTimeouts(boolean announce) {
        Instant now = clock.instant();
        Instant until = now.plus(timeoutGrace);
        Instant held = timeoutsHeldUntil;
        if (held == null || until.isAfter(held)) {
            timeoutsHeldUntil = until;
            if (announce && (held == null || !held.isAfter(now))) {
                log.info("reply timeouts held for {} (taking over a share of the replies)", timeoutGrace);
            }
        }
    }

    /**
     * While the transport cannot read replies, reply timeouts are held: the answers may be waiting unread. When it can
     * again, they stay held for the grace period, so that what waited is read before any command is deemed lost.
     */
    void readingStalled(boolean stalled) {
        if (stalled) {
            if (!readingStalled) {
                log.warn("reply timeouts held: the transport cannot read replies");
            }
            readingStalled = true;
            return;
        }
        if (readingStalled) {
            holdTimeouts(false); // before clearing the flag: no instant without either hold
            readingStalled = false;
            log.info("the transport reads replies again; reply timeouts held for {} more", timeoutGrace);
        }
    }

    /** Fires due timers until a batch comes back short. */
    void fireAllDue(java.util.function.BooleanSupplier closed) {
        while (fireDue() >= batchSize && !closed.getAsBoolean()) {
            // a full batch: there may be more due
        }
    }

    /**
     * Fires the timers due now (at most one batch).
     *
     * @return how many due timers were leased
     */
    int fireDue() {
        Instant now = clock.instant();
        Instant held = timeoutsHeldUntil;
        boolean graceful = readingStalled || (held != null && now.isBefore(held));
        Set<TimerKind> kinds = gate.flow().enabled() ? (graceful ? TIMED_NO_TIMEOUTS : TIMED)
                : (graceful ? NO_TIMEOUTS : ALL_TIMERS);
        List<TimerRecord> due = store.leaseDueTimers(now, kinds, now.plus(lease), batchSize);
        for (TimerRecord t : due) {
            fire(t, null);
        }
        return due.size();
    }

    /**
     * Fires a WAIT timer that flow control released to {@code participant}, with the participant's room and the
     * gate's permit already taken: the saga's command goes out without asking again. If it does not go out (the
     * timer was stale, the saga moved on), the room and permit are given back.
     */
    void fireAdmitted(TimerRecord t, String participant) {
        boolean used = false;
        try {
            used = Boolean.TRUE.equals(fire(t, participant));
        } finally {
            if (!used) {
                gate.release(participant);
            }
        }
    }

    /**
     * Fires WAIT timers flow control released to {@code participant}, all in one transaction (one commit for the lot,
     * as a poll of replies is applied), each saga's row loaded for update before its timer is claimed. Room and
     * permits of commands that do not go out are given back. A lost race fires them one by one.
     */
    void fireAdmittedAll(List<TimerRecord> released, String participant, FlowControl.Spacing spacing) {
        if (released.size() == 1 && spacing == null) {
            fireAdmitted(released.get(0), participant);
            return;
        }
        List<TimerRecord> sorted = released.stream()
                .sorted(java.util.Comparator.comparing(t -> t.sagaId().value())).toList();
        int used = 0;
        boolean lostRace = false;
        try {
            used = events.inTransactionAll(sorted.stream().map(TimerRecord::sagaId).toList(), (tx, now, fx) -> {
                fx.admitted = participant;
                fx.admittedSlots = sorted.size();
                fx.spacing = spacing;
                Writes writes = new Writes(tx, true);
                for (TimerRecord t : sorted) {
                    Optional<SagaRecord> rec = tx.loadForUpdate(t.sagaId());
                    if (!tx.claimTimer(t) || rec.isEmpty()) {
                        continue;
                    }
                    SagaDefinition<?> def = mapper.definitionOf(rec.get());
                    SagaState before = mapper.decode(rec.get(), def);
                    Decision d = StateMachine.decide(before, new SagaEvent.TimerFired(t.kind(), t.token()), def, now);
                    if (d.changed()) {
                        writes.add(mapper.encode(rec.get(), before, gate.gated(d, def, now, fx), def, now, fx));
                    }
                }
                writes.flush();
                return fx.admittedUsed;
            });
        } catch (ConcurrentUpdateException e) {
            lostRace = true;
        } catch (SagaDefinitionMismatchException | SagaCodecException e) {
            log.error("cannot release {} waiting sagas to {} together ({}); one by one", sorted.size(), participant,
                    e.getMessage());
            lostRace = true;
        } finally {
            if (!lostRace) {
                for (int i = used; i < sorted.size(); i++) {
                    gate.release(participant);
                }
            }
        }
        if (lostRace) {
            for (TimerRecord t : sorted) {
                fireAdmitted(t, participant);
            }
        }
    }

    /**
     * Fires one leased timer: claims it (so it fires once whatever other nodes do) and applies it, in one
     * transaction. A lost race with another event of the saga is retried at once on fresh state; a timer that cannot
     * be fired (unknown definition, unreadable state) stays, and is leased and tried again when its lease ends.
     */
    private Boolean fire(TimerRecord t, String admitted) {
        SagaEvent.TimerFired event = new SagaEvent.TimerFired(t.kind(), t.token());
        try {
            return events.inTransaction(t.sagaId(), (tx, now, fx) -> {
                fx.admitted = admitted;
                fx.admittedSlots = admitted == null ? 0 : 1;
                // the saga's row first, then its timer's, as replies take them: two nodes, one firing the timer and
                // one applying a reply, then queue instead of deadlocking
                Optional<SagaRecord> rec = tx.loadForUpdate(t.sagaId());
                if (!tx.claimTimer(t) || rec.isEmpty()) {
                    return false; // another node (or a replacement timer) got there first, or the saga is gone
                }
                SagaDefinition<?> def = mapper.definitionOf(rec.get());
                SagaState before = mapper.decode(rec.get(), def);
                Decision d = StateMachine.decide(before, event, def, now);
                if (d.changed()) {
                    events.write(tx, rec.get(), before, gate.gated(d, def, now, fx), def, now, fx);
                    if (t.kind() == TimerKind.TIMEOUT) {
                        GateAdvisor.awaitedParticipant(before, def, t.step()).ifPresent(p -> fx.outcomes.add(Map.entry(p,
                                CommandGate.Outcome.TIMED_OUT)));
                    }
                }
                return fx.admittedUsed > 0;
            });
        } catch (ConcurrentUpdateException e) {
            log.warn("timer {} of saga {} lost {} races in a row; it is tried again when its lease ends",
                    t.kind(), t.sagaId(), conflictRetries + 1);
        } catch (SagaDefinitionMismatchException | SagaCodecException e) {
            log.error("cannot fire timer {} of saga {} (tried again in {}): {}", t.kind(), t.sagaId(), lease,
                    e.getMessage());
        }
        return false;
    }
}
