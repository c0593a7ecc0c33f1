package dev.baton.engine.internal;

import dev.baton.engine.HistoryKind;
import dev.baton.engine.spi.TimerKind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** Collects the effects of one decision (commands, timers to set and cancel, history) while a rule runs. */
final class DecisionBuilder {
    private final List<Decision.Command> commands = new ArrayList<>();
    private final List<Decision.Timer> timers = new ArrayList<>();
    private final EnumSet<TimerKind> cancel = EnumSet.noneOf(TimerKind.class);
    private final List<Decision.Entry> history = new ArrayList<>();

    void command(Decision.Command c) {
        commands.add(c);
    }

    void timer(TimerKind kind, String step, String token, Instant at) {
        timer(kind, step, token, at, null);
    }

    /** A timer that names the participant it concerns (TIMEOUT: in flight there; WAIT: waiting for its capacity). */
    void timer(TimerKind kind, String step, String token, Instant at, String participant) {
        timers.removeIf(t -> t.kind() == kind);
        cancel.remove(kind);
        timers.add(new Decision.Timer(kind, step, token, at, participant));
    }

    void cancel(TimerKind... kinds) {
        for (TimerKind k : kinds) {
            cancel.add(k);
            timers.removeIf(t -> t.kind() == k);
        }
    }

    void cancel(Set<TimerKind> kinds) {
        cancel(kinds.toArray(TimerKind[]::new));
    }

    void history(HistoryKind kind, String step, String detail) {
        history.add(new Decision.Entry(kind, step, detail));
    }

    Decision decide(SagaState s) {
        return new Decision(s, commands, timers, cancel, history, null, null);
    }
}
