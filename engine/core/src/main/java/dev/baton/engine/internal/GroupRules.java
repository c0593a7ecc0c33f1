package dev.baton.engine.internal;

import static dev.baton.engine.internal.StateMachine.giveUpToken;
import static dev.baton.engine.internal.StateMachine.messageId;
import static dev.baton.engine.internal.StateMachine.token;
import static dev.baton.engine.internal.Transitions.ALL_TIMERS;
import static dev.baton.engine.internal.Transitions.step;

import dev.baton.dsl.Park;
import dev.baton.dsl.SagaDefinition;
import dev.baton.dsl.StepDefinition;
import dev.baton.engine.HistoryKind;
import dev.baton.engine.OperatorAction;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.internal.Execution.Cursor;
import dev.baton.engine.internal.Execution.Direction;
import dev.baton.engine.internal.Execution.Group;
import dev.baton.engine.internal.Execution.Lane;
import dev.baton.engine.spi.ReplyOutcome;
import dev.baton.engine.spi.TimerKind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The rules of a parallel group: its branches ("lanes") run side by side, each with its own cursor, timers and park
 * deadline, and the saga moves past the group once every lane is done. Pure, like the rest of the state machine.
 *
 * <p>An event for one lane is decided by the ordinary rules on a <em>projection</em>: the saga as it would be with
 * that lane's cursor and deadline as its own, the group beside them ({@link #project}). The ordinary rules know they
 * run in a lane from the group in the execution: at the end of a branch they leave the lane done instead of moving to
 * the next step, and where they would compensate or fail the saga they fail the group. The lane's result is merged
 * back ({@link #merge}), its timer cancellations narrowed to the lane's own steps, and the group settles: the saga is
 * PENDING while a lane is parked, moves past the group when every lane is done, and compensates when the group failed
 * and no lane has a command in flight any more.
 *
 * <p>A failing group waits for its lanes' commands in flight: a success is recorded as completed (and so compensated),
 * a busy answer, an error or a timeout too when the step has a compensation (a redelivered command may still take
 * effect), a refusal not. Lanes with nothing in flight are closed at once, compensated when their command was ever
 * sent. Only then does the saga compensate, in reverse order of completion, each step once.
 */
final class GroupRules {
    private GroupRules() {}

    /**
     * Bugs the property tests plant to show that they catch them (each a plausible slip in the rules of a failing
     * group); {@link #NONE} everywhere else. Package-private, set only by tests.
     */
    enum Planted { NONE, COMPENSATE_WITHOUT_WAITING, LATE_SUCCESS_FORGOTTEN, ABANDONED_BRANCH_FORGOTTEN }

    static volatile Planted planted = Planted.NONE;

    // ---------------------------------------------------------------- entering

    /** The saga reaches {@code first}, a step of a parallel group: every branch's first step is entered. */
    static <D> SagaState enter(SagaState s, SagaDefinition<D> def, StepDefinition<D> first, Instant now,
                               DecisionBuilder fx) {
        List<StepDefinition<D>> starts = def.branchStarts(first);
        List<Lane> lanes = new ArrayList<>();
        for (StepDefinition<D> st : starts) {
            lanes.add(new Lane(st.branch(), Cursor.first(st.key(), Direction.FORWARD), null, false, null));
        }
        SagaState in = s.with(SagaStatus.RUNNING, null, null, s.data(), s.exec().withCursor(null).withParkDeadline(null)
                .withGroup(new Group(first.group().orElseThrow(), lanes, false)));
        for (int i = 0; i < lanes.size(); i++) {
            Group g = in.exec().group();
            if (g.failing()) {
                break; // an earlier lane failed on entry: failGroup closed the lanes not entered yet
            }
            Lane lane = g.lanes().get(i);
            DecisionBuilder lfx = new DecisionBuilder();
            SagaState projected = project(in, i);
            SagaState r = Transitions.sendForward(projected, def, lane.cursor(), now, lfx);
            in = merge(in, i, r, lfx.decide(r), def, now, fx);
            if (in.exec().group() == null) {
                return in; // every lane done (all skipped) or the group failed and settled
            }
        }
        return in;
    }

    // ---------------------------------------------------------------- events

    static <D> Decision decide(SagaState s, SagaEvent event, SagaDefinition<D> def, Instant now) {
        Group g = s.exec().group();
        return switch (event) {
            case SagaEvent.Replied r -> {
                int i = laneAnswered(s, r.correlationId());
                if (i < 0) {
                    yield Decision.ignore(s, "reply to " + r.correlationId() + " does not answer a command of group '"
                            + g.name() + "'");
                }
                if (g.failing()) {
                    yield drainReply(s, i, r, def, now);
                }
                yield onLane(s, i, event, def, now);
            }
            case SagaEvent.TimerFired t -> {
                int i = laneTimed(s, t);
                if (i < 0) {
                    yield Decision.ignore(s, "stale " + t.kind() + " " + t.token());
                }
                if (g.failing()) {
                    yield t.kind() == TimerKind.TIMEOUT && g.lanes().get(i).cursor().awaiting()
                            ? drainTimeout(s, i, def, now)
                            : Decision.ignore(s, "the group is failing; only answers and timeouts of commands in flight"
                                    + " count");
                }
                yield onLane(s, i, event, def, now);
            }
            case SagaEvent.Operator o -> onOperator(s, o, def, now);
        };
    }

    /** The index of the open lane whose command {@code correlationId} answers, or -1. */
    private static int laneAnswered(SagaState s, String correlationId) {
        List<Lane> lanes = s.exec().group().lanes();
        for (int i = 0; i < lanes.size(); i++) {
            Cursor c = lanes.get(i).cursor();
            if (c != null && messageId(s.id(), c).equals(correlationId)) {
                return i;
            }
        }
        return -1;
    }

    /** The index of the open lane the timer was set for (by its token), or -1. */
    private static int laneTimed(SagaState s, SagaEvent.TimerFired t) {
        List<Lane> lanes = s.exec().group().lanes();
        for (int i = 0; i < lanes.size(); i++) {
            Lane l = lanes.get(i);
            if (l.cursor() == null) {
                continue;
            }
            String tok = t.kind() == TimerKind.GIVE_UP
                    ? (l.parkDeadline() == null ? null : giveUpToken(l.cursor().step(), l.parkDeadline()))
                    : token(s.id(), l.cursor());
            if (t.token().equals(tok)) {
                return i;
            }
        }
        return -1;
    }

    /** An event for lane {@code i}: the ordinary rules on its projection, merged back. */
    private static <D> Decision onLane(SagaState s, int i, SagaEvent event, SagaDefinition<D> def, Instant now) {
        Decision d = StateMachine.linear(project(s, i), event, def, now);
        if (!d.changed()) {
            return d.ignored() != null ? Decision.ignore(s, d.ignored()) : Decision.reject(s, d.rejected());
        }
        DecisionBuilder fx = new DecisionBuilder();
        return fx.decide(merge(s, i, d.state(), d, def, now, fx));
    }

    // ---------------------------------------------------------------- operators

    private static <D> Decision onOperator(SagaState s, SagaEvent.Operator o, SagaDefinition<D> def, Instant now) {
        Group g = s.exec().group();
        OperatorAction a = o.action();
        int focus = focus(s);
        String at = focus < 0 ? null : g.lanes().get(focus).cursor().step();
        if (g.failing()) {
            return Decision.reject(s, switch (a) {
                case ABORT -> "it is already compensating: the branches of group '" + g.name() + "' still in flight are"
                        + " awaited first";
                default -> a.name().toLowerCase(java.util.Locale.ROOT) + " does not apply while group '" + g.name()
                        + "' fails; its branches still in flight are awaited, then it compensates";
            });
        }
        switch (a) {
            case RETRY -> {
                return Decision.reject(s, "retry applies to FAILED sagas, and it is " + s.status()
                        + (s.status() == SagaStatus.PENDING ? "; use resume" : ""));
            }
            case RESUME, SKIP -> {
                if (s.status() != SagaStatus.PENDING) {
                    return Decision.reject(s, a.name().toLowerCase(java.util.Locale.ROOT) + " applies to PENDING sagas"
                            + (a == OperatorAction.SKIP ? " (or FAILED)" : "") + ", and it is " + s.status());
                }
                DecisionBuilder fx = new DecisionBuilder();
                fx.history(HistoryKind.OPERATOR_ACTION, at, a + " by " + o.actor() + ": " + o.reason());
                SagaState out = s;
                for (int i = 0; i < g.lanes().size(); i++) {
                    if (out.exec().group() == null || !out.exec().group().lanes().get(i).parked()) {
                        continue;
                    }
                    // the ordinary operator rule on the lane's projection: it sees a PENDING saga at the lane's step
                    Decision d = OperatorRules.onOperator(project(out, i), o, def, now);
                    if (d.changed()) {
                        List<Decision.Entry> rest = d.history().stream()
                                .filter(e -> e.kind() != HistoryKind.OPERATOR_ACTION).toList();
                        Decision trimmed = new Decision(d.state(), d.commands(), d.timers(), d.cancelTimers(),
                                d.cancelStepTimers(), rest, null, null, d.errors());
                        out = merge(out, i, d.state(), trimmed, def, now, fx);
                    }
                    if (a == OperatorAction.SKIP) {
                        break; // skip acts on one lane: the first parked
                    }
                }
                return fx.decide(out);
            }
            case ABORT -> {
                DecisionBuilder fx = new DecisionBuilder();
                fx.history(HistoryKind.OPERATOR_ACTION, at, a + " by " + o.actor() + ": " + o.reason());
                String reason = "aborted by " + o.actor() + ": " + o.reason();
                fx.history(HistoryKind.COMPENSATION_STARTED, at, reason);
                return fx.decide(failGroup(s, reason, def, now, fx));
            }
        }
        throw new IllegalStateException("unknown action " + a);
    }

    /** The lane an operator sees: the first parked, else the first open; -1 when none is open. */
    static int focus(SagaState s) {
        List<Lane> lanes = s.exec().group().lanes();
        for (int i = 0; i < lanes.size(); i++) {
            if (lanes.get(i).parked() && lanes.get(i).cursor() != null) {
                return i;
            }
        }
        for (int i = 0; i < lanes.size(); i++) {
            if (lanes.get(i).cursor() != null) {
                return i;
            }
        }
        return -1;
    }

    // ---------------------------------------------------------------- projection and merge

    /** The saga as the ordinary rules see it for lane {@code i}: the lane's cursor, deadline and status as its own. */
    static SagaState project(SagaState s, int i) {
        Group g = s.exec().group();
        Lane l = g.lanes().get(i);
        Execution e = new Execution(s.exec().completed(), s.exec().compensated(), l.cursor(), l.parkDeadline(), g);
        return l.parked()
                ? s.with(SagaStatus.PENDING, s.pendingState(), l.reason(), s.data(), e)
                : s.with(SagaStatus.RUNNING, null, l.reason(), s.data(), e);
    }

    /**
     * Merges what the ordinary rules decided for lane {@code i} ({@code r}, with effects {@code d}) into the saga,
     * records the effects in {@code fx} (cancellations narrowed to the lane's steps) and settles the group.
     */
    private static <D> SagaState merge(SagaState s, int i, SagaState r, Decision d, SagaDefinition<D> def, Instant now,
                                       DecisionBuilder fx) {
        Group g = s.exec().group();
        Lane lane = g.lanes().get(i);
        List<String> laneSteps = laneSteps(def, g, lane);
        absorb(d, fx, laneSteps);
        Execution shared = new Execution(r.exec().completed(), r.exec().compensated(), null, null, g);
        if (r.status() == SagaStatus.COMPENSATING) {
            // the lane failed: the rules of a straight saga would compensate now; the group waits for its lanes first.
            // A cursor left means user code threw (Transitions.fail): its step is compensated if it may have taken effect
            Cursor rc = r.exec().cursor();
            if (rc != null && (rc.uncertain() || rc.awaiting() || rc.firstSentAt() != null)
                    && step(def, rc.step()).hasCompensation()) {
                shared = shared.complete(rc.step());
            }
            Group closed = g.withLane(i, new Lane(lane.branch(), null, null, false, null));
            SagaState failing = s.with(SagaStatus.COMPENSATING, null, r.reason(), r.data(), shared.withGroup(closed));
            return failGroup(failing, r.reason(), def, now, fx);
        }
        if (r.status() != SagaStatus.RUNNING && r.status() != SagaStatus.PENDING) {
            throw new IllegalStateException("lane " + lane.branch() + " of group '" + g.name() + "' ended " + r.status());
        }
        Cursor c = r.exec().cursor();
        boolean parked = r.status() == SagaStatus.PENDING;
        Lane next = new Lane(lane.branch(), c, c == null ? null : r.exec().parkDeadline(), parked && c != null,
                parked ? r.reason() : null);
        String pending = parked ? r.pendingState() : s.pendingState();
        SagaState merged = s.with(s.status(), pending, s.reason(), r.data(), shared.withGroup(g.withLane(i, next)));
        return settle(merged, def, now, fx);
    }

    /** Copies a lane's decision into {@code fx}, its cancellations of timer kinds narrowed to the lane's steps. */
    private static void absorb(Decision d, DecisionBuilder fx, List<String> laneSteps) {
        for (TimerKind k : d.cancelTimers()) {
            for (String st : laneSteps) {
                fx.cancel(k, st);
            }
        }
        fx.cancelSteps(d.cancelStepTimers());
        for (Decision.Timer t : d.timers()) {
            fx.timer(t.kind(), t.step(), t.token(), t.fireAt(), t.participant());
        }
        d.commands().forEach(fx::command);
        d.history().forEach(fx::history);
        d.errors().forEach(fx::error);
    }

    /** The steps of {@code lane}'s branch: its timers can only be theirs. */
    private static <D> List<String> laneSteps(SagaDefinition<D> def, Group g, Lane lane) {
        List<String> out = new ArrayList<>();
        for (StepDefinition<D> st : def.steps()) {
            if (st.group().filter(g.name()::equals).isPresent() && lane.branch().equals(st.branch())) {
                out.add(st.key());
            }
        }
        return out;
    }

    /**
     * The group after a lane changed: moves past it when every lane is done, compensates when it fails and nothing
     * is in flight any more, else shows PENDING while a lane is parked, RUNNING otherwise.
     */
    private static <D> SagaState settle(SagaState s, SagaDefinition<D> def, Instant now, DecisionBuilder fx) {
        Group g = s.exec().group();
        if (g.failing()) {
            boolean inFlight = g.lanes().stream().anyMatch(Lane::open) && planted != Planted.COMPENSATE_WITHOUT_WAITING;
            return inFlight ? s.with(SagaStatus.COMPENSATING, null, s.reason(), s.data(), s.exec())
                    : compensate(s, def, now, fx);
        }
        if (g.lanes().stream().noneMatch(Lane::open)) {
            return join(s, def, now, fx);
        }
        for (Lane l : g.lanes()) {
            if (l.open() && l.parked()) {
                String state = step(def, l.cursor().step()).park().map(Park::state).orElse("PENDING");
                return s.with(SagaStatus.PENDING, state, l.reason(), s.data(), s.exec());
            }
        }
        return s.with(SagaStatus.RUNNING, null, null, s.data(), s.exec());
    }

    /** Every lane is done: the saga leaves the group for the step after it, or completes. */
    private static <D> SagaState join(SagaState s, SagaDefinition<D> def, Instant now, DecisionBuilder fx) {
        StepDefinition<D> first = firstOf(def, s.exec().group().name());
        SagaState out = s.with(SagaStatus.RUNNING, null, null, s.data(), s.exec().withGroup(null).withCursor(null)
                .withParkDeadline(null));
        Optional<StepDefinition<D>> after = def.afterGroup(first);
        if (after.isEmpty()) {
            fx.history(HistoryKind.COMPLETED, null, null);
            fx.cancel(ALL_TIMERS);
            return out.with(SagaStatus.COMPLETED, null, null, out.data(), out.exec());
        }
        return Transitions.sendForward(out, def, Cursor.first(after.get().key(), Direction.FORWARD), now, fx);
    }

    private static <D> StepDefinition<D> firstOf(SagaDefinition<D> def, String group) {
        for (StepDefinition<D> st : def.steps()) {
            if (st.group().filter(group::equals).isPresent()) {
                return st;
            }
        }
        throw new IllegalStateException("saga '" + def.type() + "' v" + def.version() + " has no group '" + group + "'");
    }

    // ---------------------------------------------------------------- failing

    /**
     * The group fails ({@code reason}): lanes with a command in flight are waited for; the others are closed, their
     * step recorded as completed (so compensated) when its command was ever sent and it has a compensation (a copy
     * may still take effect). With nothing in flight the saga compensates at once.
     */
    static <D> SagaState failGroup(SagaState s, String reason, SagaDefinition<D> def, Instant now, DecisionBuilder fx) {
        Group g = s.exec().group().asFailing();
        Execution e = s.exec();
        for (int j = 0; j < g.lanes().size(); j++) {
            Lane l = g.lanes().get(j);
            if (l.cursor() == null || l.cursor().awaiting()) {
                continue;
            }
            StepDefinition<D> st = step(def, l.cursor().step());
            if (l.cursor().firstSentAt() != null && st.hasCompensation() && planted != Planted.ABANDONED_BRANCH_FORGOTTEN) {
                e = e.complete(st.key());
            }
            for (String k : laneSteps(def, g, l)) {
                for (TimerKind kind : TimerKind.values()) {
                    fx.cancel(kind, k);
                }
            }
            g = g.withLane(j, new Lane(l.branch(), null, null, false, null));
        }
        return settle(s.with(SagaStatus.COMPENSATING, null, reason, s.data(), e.withGroup(g)), def, now, fx);
    }

    /** Nothing of the failed group is in flight any more: it is left, and the saga compensates what took effect. */
    private static <D> SagaState compensate(SagaState s, SagaDefinition<D> def, Instant now, DecisionBuilder fx) {
        fx.cancel(ALL_TIMERS);
        SagaState out = s.with(SagaStatus.COMPENSATING, null, s.reason(), s.data(), s.exec().withGroup(null).withCursor(null)
                .withParkDeadline(null));
        return Transitions.compensateNext(out, def, now, fx);
    }

    /** A failing group's lane answered: what it says decides whether its step is compensated. */
    private static <D> Decision drainReply(SagaState s, int i, SagaEvent.Replied r, SagaDefinition<D> def, Instant now) {
        Group g = s.exec().group();
        Lane l = g.lanes().get(i);
        if (!l.cursor().awaiting()) {
            return Decision.ignore(s, "the group is failing and branch '" + l.branch() + "' awaits no answer");
        }
        StepDefinition<D> st = step(def, l.cursor().step());
        DecisionBuilder fx = new DecisionBuilder();
        fx.replyHistory(st.key(), r);
        Object data = s.data();
        Execution e = s.exec();
        switch (r.outcome()) {
            case SUCCESS -> {
                try {
                    if (!(r.reply() instanceof UnreadableReply)) {
                        data = st.applyReply(def.cast(data), r.reply()); // its compensation may need what it answered
                    }
                } catch (RuntimeException ex) {
                    String place = "onReply of step '" + st.key() + "'";
                    fx.error(place, ex, r.correlationId(), l.cursor().attempt());
                }
                fx.history(HistoryKind.STEP_COMPLETED, st.key(), "while group '" + g.name() + "' fails");
                if (planted != Planted.LATE_SUCCESS_FORGOTTEN) {
                    e = e.complete(st.key());
                }
            }
            case RETRY_LATER, ERROR -> {
                if (st.hasCompensation()) {
                    // neither is final: this answer took no effect, but a redelivered copy of the command may still
                    // (as a straight saga compensates a step whose attempts ended busy or in errors)
                    e = e.complete(st.key());
                }
            }
            case FAILURE -> {
                // refused, recorded as final by the participant: it took no effect and never will
            }
        }
        return fx.decide(closeLane(s.with(s.status(), s.pendingState(), s.reason(), data, e), i, def, now, fx));
    }

    /** A failing group's lane timed out: its step may have taken effect unseen, so it is compensated if it can be. */
    private static <D> Decision drainTimeout(SagaState s, int i, SagaDefinition<D> def, Instant now) {
        Lane l = s.exec().group().lanes().get(i);
        StepDefinition<D> st = step(def, l.cursor().step());
        DecisionBuilder fx = new DecisionBuilder();
        fx.history(HistoryKind.TIMED_OUT, st.key(), "attempt " + l.cursor().attempt() + " after " + st.timeout());
        Execution e = st.hasCompensation() ? s.exec().complete(st.key()) : s.exec();
        return fx.decide(closeLane(s.withExec(e), i, def, now, fx));
    }

    private static <D> SagaState closeLane(SagaState s, int i, SagaDefinition<D> def, Instant now, DecisionBuilder fx) {
        Group g = s.exec().group();
        Lane l = g.lanes().get(i);
        for (String k : laneSteps(def, g, l)) {
            for (TimerKind kind : TimerKind.values()) {
                fx.cancel(kind, k);
            }
        }
        Group closed = g.withLane(i, new Lane(l.branch(), null, null, false, null));
        return settle(s.withExec(s.exec().withGroup(closed)), def, now, fx);
    }

    // ---------------------------------------------------------------- the runtime's gate

    /** The index of the open lane whose cursor is at {@code step}, or -1. */
    static int laneAt(SagaState s, String step) {
        List<Lane> lanes = s.exec().group().lanes();
        for (int i = 0; i < lanes.size(); i++) {
            if (lanes.get(i).cursor() != null && lanes.get(i).cursor().step().equals(step)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * {@link Transitions#holdBack} or {@link Transitions#fallBack} for a command of a lane: the decision's state with
     * that lane projected, so the ordinary move applies to it, then merged back with the lane's cancellations narrowed.
     */
    static <D> Decision onHeld(Decision d, SagaDefinition<D> def, Decision.Command held, Instant now, String why,
                               boolean fallBack) {
        SagaState s = d.state();
        int i = laneAt(s, held.step());
        if (i < 0) {
            throw new IllegalStateException("no branch of group '" + s.exec().group().name() + "' sent " + held.messageId());
        }
        // the decision's effects stay as they are, except the held command's, which the move rewrites on the lane
        Decision laneView = new Decision(project(s, i), List.of(held), d.timers().stream()
                .filter(t -> t.step().equals(held.step())).toList(), java.util.Set.of(), java.util.Set.of(),
                d.history().stream().filter(e -> held.step().equals(e.step())).toList(), null, null, List.of());
        Decision moved = fallBack ? Transitions.fallBack(laneView, def, held, now, why)
                : Transitions.holdBack(laneView, def, held, now, why);
        DecisionBuilder fx = new DecisionBuilder();
        for (Decision.Command c : d.commands()) {
            if (c != held) {
                fx.command(c);
            }
        }
        fx.cancel(d.cancelTimers());
        fx.cancelSteps(d.cancelStepTimers());
        d.errors().forEach(fx::error);
        for (Decision.Timer t : d.timers()) {
            if (!t.step().equals(held.step())) {
                fx.timer(t.kind(), t.step(), t.token(), t.fireAt(), t.participant());
            }
        }
        for (Decision.Entry e : d.history()) {
            if (!held.step().equals(e.step())) {
                fx.history(e);
            }
        }
        return fx.decide(merge(s, i, moved.state(), moved, def, now, fx));
    }
}
