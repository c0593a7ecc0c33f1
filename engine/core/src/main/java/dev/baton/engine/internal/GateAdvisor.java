package dev.baton.engine.internal;

import dev.baton.dsl.SagaDefinition;
import dev.baton.engine.spi.CommandGate;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks flow control and the {@link CommandGate} (a participant's breaker, say) about each command a decision sends,
 * and keeps their books: room and permits taken in a transaction are given back if it does not commit; answers,
 * timeouts and commands made moot are reported once it did. A command with no room, or not permitted, is not sent:
 * its saga waits in line for the participant ({@link Transitions#holdBack}). A gate that throws is logged and
 * ignored: it must never stop a saga.
 */
final class GateAdvisor {
    private static final Logger log = LoggerFactory.getLogger(GateAdvisor.class);
    private final CommandGate gate;
    private final FlowControl flow;

    GateAdvisor(CommandGate gate, FlowControl flow) {
        this.gate = gate;
        this.flow = flow;
    }

    void prepare(Set<String> participants) {
        gate.prepare(participants);
        flow.prepare(participants);
    }

    CommandGate gate() {
        return gate;
    }

    FlowControl flow() {
        return flow;
    }

    /** A permit (and the room) taken for a command that will not be sent or answered after all. */
    void release(String participant) {
        safely(() -> gate.release(participant));
        flow.release(participant);
    }

    /** Room taken with {@link FlowControl#tryAdmit} for a command that was not committed. */
    void releaseRoom(String participant) {
        flow.release(participant);
    }

    /** A permit taken from the gate for a command that was not committed. */
    void releasePermit(String participant) {
        safely(() -> gate.release(participant));
    }

    void onOutcome(String participant, CommandGate.Outcome outcome) {
        safely(() -> gate.onOutcome(participant, outcome));
        flow.onOutcome(participant, outcome);
    }

    /** A saga was put in line for {@code participant}, and its transaction committed. */
    void queued(String participant) {
        flow.queued(participant);
    }

    /**
     * The decision as flow control and the gate let it go out. A command with no room at its participant (others
     * wait before it, or the participant's limit is in flight) or that the gate does not permit is not sent: the
     * decision is changed to wait in line for the participant ({@link Transitions#holdBack}), written in the
     * caller's transaction (no outbox row for an unsent command, and the saga's WAIT timer with it). A command to
     * {@code effects.admitted} was released from the line with its room and permit already taken, and goes out.
     * Room and permits taken are noted in {@code effects}.
     */
    Decision gated(Decision d, SagaDefinition<?> def, Instant now, Effects effects) {
        if (!d.changed() || d.commands().isEmpty() || (gate == CommandGate.OPEN && !flow.enabled())) {
            return d;
        }
        Decision acc = d;
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (Decision.Command c = nextUnseen(acc, seen); c != null; c = nextUnseen(acc, seen)) {
            String p = c.participant();
            if (p.equals(effects.admitted) && effects.admittedUsed < effects.admittedSlots) {
                effects.admittedUsed++;
                continue;
            }
            if (!flow.tryAdmit(p)) {
                acc = Transitions.holdBack(acc, def, c, now, flow.whyHeld(p));
                effects.queued.add(p);
                continue;
            }
            effects.room.add(p);
            boolean ok;
            try {
                ok = gate.permit(p);
            } catch (RuntimeException e) {
                log.warn("a CommandGate threw; the command to {} goes out", p, e);
                ok = true;
            }
            if (ok) {
                effects.permits.add(p);
            } else {
                effects.room.remove(effects.room.size() - 1);
                flow.release(p);
                if (c.direction() == Execution.Direction.FORWARD && def.step(c.step()).map(st -> st.hasFallback())
                        .orElse(false)) {
                    // the step's answer is one the saga can do without: degrade it rather than wait for the breaker
                    acc = Transitions.fallBack(acc, def, c, now, "circuit open for participant " + p);
                } else {
                    acc = Transitions.holdBack(acc, def, c, now, "circuit open for participant " + p);
                    effects.queued.add(p);
                }
            }
        }
        return acc;
    }

    /** The first command of {@code d} not yet looked at (a fallback adds the next step's), marked as looked at. */
    private static Decision.Command nextUnseen(Decision d, java.util.Set<String> seen) {
        for (Decision.Command c : d.commands()) {
            if (seen.add(c.messageId() + "#" + c.attempt())) {
                return c;
            }
        }
        return null;
    }

    /** The participant of the saga's outstanding (awaited) command, if any; none for a saga in a parallel group. */
    static Optional<String> outstandingParticipant(SagaState s, SagaDefinition<?> def) {
        return participantAwaited(s.exec().cursor(), def);
    }

    /** The participant of the awaited command that {@code correlationId} answers, if any (a branch's, in a group). */
    static Optional<String> answeredParticipant(SagaState s, SagaDefinition<?> def, String correlationId) {
        return participantAwaited(s.exec().cursors().stream()
                .filter(c -> StateMachine.messageId(s.id(), c).equals(correlationId)).findFirst().orElse(null), def);
    }

    /** The participant of the awaited command of {@code step}, if any. */
    static Optional<String> awaitedParticipant(SagaState s, SagaDefinition<?> def, String step) {
        return participantAwaited(s.exec().cursorOf(step).orElse(null), def);
    }

    private static Optional<String> participantAwaited(Execution.Cursor c, SagaDefinition<?> def) {
        if (c == null || !c.awaiting()) {
            return Optional.empty();
        }
        return def.step(c.step()).map(st -> c.direction() == Execution.Direction.FORWARD ? st.participant().name()
                : st.compensationParticipant().map(p -> p.name()).orElse(null));
    }

    private static void safely(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            log.warn("a CommandGate threw; ignored", e);
        }
    }
}
