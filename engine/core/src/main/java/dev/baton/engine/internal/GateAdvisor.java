package dev.baton.engine.internal;

import dev.baton.engine.HistoryKind;
import dev.baton.dsl.SagaDefinition;
import dev.baton.engine.spi.CommandGate;
import dev.baton.engine.spi.ReplyOutcome;
import dev.baton.engine.spi.TimerKind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the {@link CommandGate} (a participant's breaker, say) about each command a decision sends, and keeps its
 * books: permits taken in a transaction are given back if it does not commit; answers, timeouts and commands made
 * moot are reported once it did. A gate that throws is logged and ignored: it must never stop a saga.
 */
final class GateAdvisor {
    private static final Logger log = LoggerFactory.getLogger(GateAdvisor.class);
    private final CommandGate gate;

    GateAdvisor(CommandGate gate) {
        this.gate = gate;
    }

    void prepare(Set<String> participants) {
        gate.prepare(participants);
    }

    void release(String participant) {
        safely(() -> gate.release(participant));
    }

    void onOutcome(String participant, CommandGate.Outcome outcome) {
        safely(() -> gate.onOutcome(participant, outcome));
    }

    /**
     * The decision as the gate lets it go out. A command it does not permit is not sent: the decision is continued
     * with a RETRY_LATER answer to that command ("circuit open for participant X"), so the saga parks or backs off
     * exactly as if the participant had said it is busy, and no outbox row is written for it. The combined decision
     * is written in the caller's transaction: no outbox row for an unsent command, no parked saga without its retry
     * timer. Permits taken are noted in {@code effects}.
     */
    Decision gated(Decision d, SagaDefinition<?> def, Instant now, Effects effects) {
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
                    effects.permits.add(c.participant());
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
        EnumSet<TimerKind> cancel = EnumSet.noneOf(TimerKind.class);
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

    /** The participant of the saga's outstanding (awaited) command, if any. */
    static Optional<String> outstandingParticipant(SagaState s, SagaDefinition<?> def) {
        Execution.Cursor c = s.exec().cursor();
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
