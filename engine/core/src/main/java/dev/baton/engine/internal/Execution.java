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
 * @param group while the saga is in a parallel group: its branches (each with its own cursor and park deadline,
 *              and the saga's {@code cursor} and {@code parkDeadline} null); null otherwise. While the state machine
 *              applies an event to one branch it sees that branch's cursor and deadline here, with the group beside
 *              them ({@link GroupRules})
 */
public record Execution(List<String> completed, List<String> compensated, Cursor cursor, Instant parkDeadline,
                        Group group) {

    public Execution {
        completed = List.copyOf(completed);
        compensated = List.copyOf(compensated);
    }

    /** The state of a saga outside any parallel group. */
    public Execution(List<String> completed, List<String> compensated, Cursor cursor, Instant parkDeadline) {
        this(completed, compensated, cursor, parkDeadline, null);
    }

    static Execution initial() {
        return new Execution(List.of(), List.of(), null, null);
    }

    Execution withCursor(Cursor c) {
        return new Execution(completed, compensated, c, parkDeadline, group);
    }

    Execution withParkDeadline(Instant deadline) {
        return new Execution(completed, compensated, cursor, deadline, group);
    }

    Execution withGroup(Group g) {
        return new Execution(completed, compensated, cursor, parkDeadline, g);
    }

    /** The commands the saga is waiting on or about to (re-)send: the cursor, or the open branches' in a group. */
    public List<Cursor> cursors() {
        if (group == null) {
            return cursor == null ? List.of() : List.of(cursor);
        }
        List<Cursor> out = new ArrayList<>();
        if (cursor != null) {
            out.add(cursor);
        }
        for (Lane l : group.lanes()) {
            if (l.cursor() != null && (cursor == null || !l.cursor().step().equals(cursor.step()))) {
                out.add(l.cursor());
            }
        }
        return out;
    }

    /** The cursor of {@code step}, if the saga waits on it or is about to (re-)send it. */
    public java.util.Optional<Cursor> cursorOf(String step) {
        return cursors().stream().filter(c -> c.step().equals(step)).findFirst();
    }

    /**
     * A parallel group the saga is in.
     *
     * @param name the group's name
     * @param lanes one per branch, in declaration order
     * @param failing true once a branch failed (or an operator aborted): the branches with a command in flight are
     *                waited for, then the saga compensates
     */
    public record Group(String name, List<Lane> lanes, boolean failing) {
        public Group {
            lanes = List.copyOf(lanes);
        }

        Group withLane(int i, Lane lane) {
            List<Lane> l = new ArrayList<>(lanes);
            l.set(i, lane);
            return new Group(name, l, failing);
        }

        Group asFailing() {
            return new Group(name, lanes, true);
        }
    }

    /**
     * One branch of a parallel group.
     *
     * @param cursor its command, as a saga's cursor; null once the branch is done (or closed while the group fails)
     * @param parkDeadline while the branch is parked: when it gives up on its step
     * @param parked whether the branch waits in its step's pending state
     * @param reason why the branch waits, while parked
     */
    public record Lane(String branch, Cursor cursor, Instant parkDeadline, boolean parked, String reason) {
        boolean open() {
            return cursor != null;
        }
    }

    Execution complete(String step) {
        if (completed.contains(step)) {
            return this;
        }
        List<String> c = new ArrayList<>(completed);
        c.add(step);
        return new Execution(c, compensated, cursor, parkDeadline, group);
    }

    Execution compensate(String step) {
        if (compensated.contains(step)) {
            return this;
        }
        List<String> c = new ArrayList<>(compensated);
        c.add(step);
        return new Execution(completed, c, cursor, parkDeadline, group);
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
