package dev.baton.engine.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The engine's execution state of one saga, persisted (encoded by the codec) beside the user's data.
 *
 * @param completed keys of forward steps that took effect (or may have: a step given up on without a final
 *                  answer, or aborted after it was sent, is added before it is compensated), in the order they
 *                  completed
 * @param compensated keys of steps whose compensation completed
 * @param cursor the command the saga is waiting on or about to (re-)send; null once terminal
 * @param parkDeadline while parked: when the saga gives up on the step; null otherwise
 */
public record Execution(List<String> completed, List<String> compensated, Cursor cursor, Instant parkDeadline) {

    public Execution {
        completed = List.copyOf(completed);
        compensated = List.copyOf(compensated);
    }

    static Execution initial() {
        return new Execution(List.of(), List.of(), null, null);
    }

    Execution withCursor(Cursor c) {
        return new Execution(completed, compensated, c, parkDeadline);
    }

    Execution withParkDeadline(Instant deadline) {
        return new Execution(completed, compensated, cursor, deadline);
    }

    Execution complete(String step) {
        if (completed.contains(step)) {
            return this;
        }
        List<String> c = new ArrayList<>(completed);
        c.add(step);
        return new Execution(c, compensated, cursor, parkDeadline);
    }

    Execution compensate(String step) {
        if (compensated.contains(step)) {
            return this;
        }
        List<String> c = new ArrayList<>(compensated);
        c.add(step);
        return new Execution(completed, c, cursor, parkDeadline);
    }

    /** Which way a command goes. */
    public enum Direction { FORWARD, COMPENSATE }

    /**
     * The outstanding command.
     *
     * @param execution numbers invocations of this step and direction; a new one (new message id) only after a
     *                  FAILURE answer or an operator retry of a refused invocation, never after a timeout
     * @param attempt sends of this invocation so far (when {@code awaiting}) or the number of the next send
     * @param roundAttempt sends counted against the retry policy (reset when a parked saga resumes)
     * @param awaiting true while a sent command awaits its reply; false while waiting to (re-)send
     * @param uncertain true when the invocation may have taken effect without the saga moving past it: an attempt
     *                  timed out, or its success could not be applied (the reply handler threw)
     * @param firstSentAt when this step (direction) was first sent, for step durations
     * @param erred true once this invocation was answered with an error (its handler failed): a later error of the
     *              same invocation is a repeat, which a breaker does not count again
     */
    public record Cursor(String step, Direction direction, int execution, int attempt, int roundAttempt,
                         boolean awaiting, boolean uncertain, Instant firstSentAt, boolean erred) {

        /** A cursor of an invocation that has not answered with an error. */
        public Cursor(String step, Direction direction, int execution, int attempt, int roundAttempt,
                      boolean awaiting, boolean uncertain, Instant firstSentAt) {
            this(step, direction, execution, attempt, roundAttempt, awaiting, uncertain, firstSentAt, false);
        }

        /** This invocation answered with an error. */
        Cursor answeredError() {
            return new Cursor(step, direction, execution, attempt, roundAttempt, awaiting, uncertain, firstSentAt, true);
        }

        Cursor sent(Instant now) {
            return new Cursor(step, direction, execution, attempt, roundAttempt, true, uncertain,
                    firstSentAt == null ? now : firstSentAt, erred);
        }

        Cursor nextAttempt() {
            return new Cursor(step, direction, execution, attempt + 1, roundAttempt + 1, false, uncertain, firstSentAt, erred);
        }

        Cursor newExecution() {
            return new Cursor(step, direction, execution + 1, attempt + 1, roundAttempt + 1, false, false, firstSentAt);
        }

        Cursor newRound() {
            return new Cursor(step, direction, execution, attempt + 1, 1, false, uncertain, firstSentAt, erred);
        }

        /** An operator's retry of an invocation whose outcome is unknown: the same invocation, a fresh policy round. */
        Cursor resentByOperator() {
            return new Cursor(step, direction, execution, attempt + 1, 1, false, uncertain, firstSentAt, erred);
        }

        /** The invocation was refused (FAILURE, final): it took no effect, whatever timed out before. */
        Cursor refused() {
            return new Cursor(step, direction, execution, attempt, roundAttempt, false, false, firstSentAt, erred);
        }

        Cursor retriedByOperator() {
            return new Cursor(step, direction, execution + 1, attempt + 1, 1, false, false, firstSentAt);
        }

        Cursor timedOut() {
            return new Cursor(step, direction, execution, attempt, roundAttempt, awaiting, true, firstSentAt, erred);
        }

        /** The command took effect, but its reply could not be applied. */
        Cursor unapplied() {
            return new Cursor(step, direction, execution, attempt, roundAttempt, false, true, firstSentAt, erred);
        }

        Cursor idle() {
            return new Cursor(step, direction, execution, attempt, roundAttempt, false, uncertain, firstSentAt, erred);
        }

        static Cursor first(String step, Direction direction) {
            return new Cursor(step, direction, 1, 1, 1, false, false, null);
        }
    }
}
