package dev.baton.engine.internal;

import dev.baton.protocol.ErrorReports;
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
    private final java.util.Set<Decision.StepTimer> cancelSteps = new java.util.LinkedHashSet<>();
    private final List<Decision.Entry> history = new ArrayList<>();
    private final List<Decision.UserError> errors = new ArrayList<>();

    void command(Decision.Command c) {
        commands.add(c);
    }

    void timer(TimerKind kind, String step, String token, Instant at) {
        timer(kind, step, token, at, null);
    }

    /** A timer that names the participant it concerns (TIMEOUT: in flight there; WAIT: waiting for its capacity). */
    void timer(TimerKind kind, String step, String token, Instant at, String participant) {
        timers.removeIf(t -> t.kind() == kind && java.util.Objects.equals(t.step(), step));
        cancelSteps.remove(new Decision.StepTimer(kind, step));
        // a cancel of the kind stays: stores apply cancels before sets, and a timer is one per saga, kind and step,
        // so the cancel is what removes another step's timer of this kind
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

    /** Cancels {@code step}'s timer of {@code kind} only; the same kind's timers of other steps stay. */
    void cancel(TimerKind kind, String step) {
        if (cancel.contains(kind)) {
            return;
        }
        cancelSteps.add(new Decision.StepTimer(kind, step));
        timers.removeIf(t -> t.kind() == kind && java.util.Objects.equals(t.step(), step));
    }

    /** Keeps a step-scoped cancellation of another decision (one rebuilt from it). */
    void cancelSteps(Set<Decision.StepTimer> timers) {
        timers.forEach(t -> cancel(t.kind(), t.step()));
    }

    void history(HistoryKind kind, String step, String detail) {
        history.add(new Decision.Entry(kind, step, detail));
    }

    /** Keeps an entry of another decision as it is (with its payload). */
    void history(Decision.Entry e) {
        history.add(e);
    }

    /** A reply's entry, with the reply's payload as the transport gave it. */
    void replyHistory(String step, SagaEvent.Replied r) {
        history.add(new Decision.Entry(HistoryKind.REPLY_RECEIVED, step,
                r.outcome() + (r.reason() == null ? "" : ": " + r.reason()), r.payload()));
    }

    /**
     * User code threw at {@code place} while the saga's invocation {@code messageId} (attempt {@code attempt}) was
     * decided: notes it for the log and returns what the reason says of it, the class and an error id (derived from
     * the inputs, so that the decision stays a pure function) but not the message, which may hold personal data.
     */
    String error(String place, RuntimeException e, String messageId, int attempt) {
        String id = ErrorReports.idOf(messageId, Integer.toString(attempt), place, e.getClass().getName());
        errors.add(new Decision.UserError(id, place, e));
        return ErrorReports.describe(e, id, false);
    }

    /** Keeps an error noted by another decision (one rebuilt from it). */
    void error(Decision.UserError e) {
        errors.add(e);
    }

    Decision decide(SagaState s) {
        return new Decision(s, commands, timers, cancel, cancelSteps, history, null, null, errors);
    }
}
