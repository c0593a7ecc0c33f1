package dev.baton.engine.internal;

import dev.baton.engine.HistoryKind;
import dev.baton.engine.spi.TimerKind;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * What the state machine decided for one event: the new state and its effects. An {@code ignored}
 * decision changes nothing; a {@code rejected} one is an operator action that does not apply.
 */
public record Decision(SagaState state, List<Command> commands, List<Timer> timers, Set<TimerKind> cancelTimers,
                       Set<StepTimer> cancelStepTimers, List<Entry> history, String ignored, String rejected,
                       List<UserError> errors) {

    public Decision {
        errors = List.copyOf(errors);
        commands = List.copyOf(commands);
        timers = List.copyOf(timers);
        cancelTimers = Set.copyOf(cancelTimers);
        cancelStepTimers = Set.copyOf(cancelStepTimers);
        history = List.copyOf(history);
    }

    /** A decision that cancels timers by kind only (of every step). */
    public Decision(SagaState state, List<Command> commands, List<Timer> timers, Set<TimerKind> cancelTimers,
                    List<Entry> history, String ignored, String rejected, List<UserError> errors) {
        this(state, commands, timers, cancelTimers, Set.of(), history, ignored, rejected, errors);
    }

    /** A timer of one step, to cancel without touching the same kind's timers of other steps (a parallel group's). */
    public record StepTimer(TimerKind kind, String step) {}

    static Decision ignore(SagaState s, String why) {
        return new Decision(s, List.of(), List.of(), Set.of(), List.of(), why, null, List.of());
    }

    static Decision reject(SagaState s, String why) {
        return new Decision(s, List.of(), List.of(), Set.of(), List.of(), null, why, List.of());
    }

    public boolean changed() {
        return ignored == null && rejected == null;
    }

    /** A command to send. {@code payload} is the user's command object. */
    public record Command(String messageId, String step, Execution.Direction direction, int attempt,
                          String participant, Object payload) {}

    /** A timer to set; {@code participant} as in {@link dev.baton.engine.spi.TimerRecord}, null when none. */
    public record Timer(TimerKind kind, String step, String token, Instant fireAt, String participant) {
        public Timer(TimerKind kind, String step, String token, Instant fireAt) {
            this(kind, step, token, fireAt, null);
        }
    }

    /**
     * A history entry; {@code payload} is the encoded reply of a {@code REPLY_RECEIVED} entry, null otherwise (a sent
     * command's payload is added when the decision is encoded).
     */
    public record Entry(HistoryKind kind, String step, String detail, String payload) {
        public Entry(HistoryKind kind, String step, String detail) {
            this(kind, step, detail, null);
        }

        Entry withKindAndDetail(HistoryKind k, String d) {
            return new Entry(k, step, d, payload);
        }
    }

    /**
     * User code (a reply handler, a command builder) threw while deciding: the reason names its class and {@code id}
     * only; the runtime logs the exception with the id once the decision committed.
     *
     * @param place where it was thrown, for example {@code onReply of step 'reserve-credit'}
     */
    public record UserError(String id, String place, Throwable error) {
        /** Equal when the id, the place and the exception's class and message are: decisions compare by value. */
        @Override
        public boolean equals(Object o) {
            return o instanceof UserError u && id.equals(u.id) && place.equals(u.place)
                    && error.getClass() == u.error.getClass() && java.util.Objects.equals(error.getMessage(), u.error.getMessage());
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(id, place, error.getClass());
        }
    }
}
