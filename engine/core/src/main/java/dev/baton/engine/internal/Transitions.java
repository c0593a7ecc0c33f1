package dev.baton.engine.internal;

import static dev.baton.engine.internal.StateMachine.giveUpToken;
import static dev.baton.engine.internal.StateMachine.messageId;
import static dev.baton.engine.internal.StateMachine.parkWait;
import static dev.baton.engine.internal.StateMachine.token;

import dev.baton.engine.HistoryKind;
import dev.baton.dsl.Park;
import dev.baton.dsl.SagaDefinition;
import dev.baton.dsl.StepDefinition;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.internal.Execution.Cursor;
import dev.baton.engine.internal.Execution.Direction;
import dev.baton.engine.spi.TimerKind;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The moves the state machine's rules are made of: a step succeeded, compensation starts or goes on, a saga parks,
 * backs off, re-sends, fails. Pure functions of the state, the definition and {@code now}; each records its effects
 * (commands, timers, history) in the decision being built.
 */
final class Transitions {
    static final Set<TimerKind> ALL_TIMERS = EnumSet.allOf(TimerKind.class);

    private Transitions() {}

    /**
     * RETRY_LATER ({@code retryAfter}: the participant's wish, may be null), or timeouts run out on a step that parks
     * ({@code fromTimeout}).
     */
    static <D> SagaState busy(SagaState s, SagaDefinition<D> def, StepDefinition<D> step, Cursor c, Instant now,
                                      DecisionBuilder fx, String why, boolean fromTimeout, Duration retryAfter) {
        Optional<Park> park = step.park();
        if (park.isPresent()) {
            Instant deadline = s.exec().parkDeadline();
            if (deadline != null && !now.isBefore(deadline)) {
                return giveUp(s, def, step, c, now, fx);
            }
            return park(s, park.get(), c, participantOf(step, c), now, fx, why, retryAfter);
        }
        Optional<Duration> delay = step.retry().delayAfter(c.roundAttempt());
        if (delay.isPresent() && !fromTimeout) {
            return backoff(s, c.nextAttempt(), atLeast(delay.get(), retryAfter), now, fx, why);
        }
        return exhausted(s, def, step, c, now, fx, why);
    }

    /** The retry policy is used up: what the step kind says. */
    static <D> SagaState exhausted(SagaState s, SagaDefinition<D> def, StepDefinition<D> step, Cursor c, Instant now,
                                           DecisionBuilder fx, String why) {
        String reason = "step '" + step.key() + "' gave up after " + c.roundAttempt() + " attempts (" + why + ")";
        if (step.hasFallback() && c.direction() == Direction.FORWARD) {
            return degrade(s, def, step, c, now, fx, "gave up after " + c.roundAttempt() + " attempts (" + why + ")");
        }
        return switch (step.kind()) {
            // no final answer came, so a (re)delivery of the command may still take effect: compensate it too
            case COMPENSATABLE -> startCompensation(s, def, reason, true, now, fx);
            case PIVOT -> c.uncertain()
                    ? fail(s.withExec(s.exec().withCursor(c.idle())), reason + "; the pivot's outcome is unknown: retry"
                            + " (same idempotency key), or skip if it took effect", fx)
                    : startCompensation(s, def, reason, false, now, fx);
            case RETRIABLE -> fail(s.withExec(s.exec().withCursor(c.idle())), reason, fx);
        };
    }

    static <D> SagaState giveUp(SagaState s, SagaDefinition<D> def, StepDefinition<D> step, Cursor c, Instant now, DecisionBuilder fx) {
        String state = step.park().map(Park::state).orElse("PENDING");
        fx.history(HistoryKind.GAVE_UP, step.key(), "in " + state + " since before " + s.exec().parkDeadline());
        fx.cancel(TimerKind.GIVE_UP, TimerKind.RETRY, TimerKind.TIMEOUT, TimerKind.WAIT);
        SagaState cleared = s.with(SagaStatus.RUNNING, null, s.reason(), s.data(), s.exec().withParkDeadline(null).withCursor(c.idle()));
        return exhausted(cleared, def, step, c, now, fx, "gave up waiting in " + state);
    }

    static <D> SagaState stepSucceeded(SagaState s, SagaDefinition<D> def, StepDefinition<D> step, Cursor c, Instant now,
                                               DecisionBuilder fx, String how) {
        fx.history(HistoryKind.STEP_COMPLETED, step.key(), how);
        fx.cancel(TimerKind.GIVE_UP);
        Execution e = s.exec().complete(step.key()).withParkDeadline(null);
        return following(s.with(SagaStatus.RUNNING, null, null, s.data(), e), def, step, now, fx);
    }

    static <D> SagaState startCompensation(SagaState s, SagaDefinition<D> def, String reason, boolean includeCurrent,
                                                   Instant now, DecisionBuilder fx) {
        Execution e = s.exec().withParkDeadline(null);
        Cursor c = e.cursor();
        if (includeCurrent && c != null && step(def, c.step()).hasCompensation()) {
            e = e.complete(c.step());
        }
        fx.history(HistoryKind.COMPENSATION_STARTED, c == null ? null : c.step(), reason);
        fx.cancel(ALL_TIMERS);
        if (e.group() != null) {
            // a branch of a parallel group: the group waits for its other branches' commands in flight first
            // (GroupRules.merge sees the lane COMPENSATING, closed)
            return s.with(SagaStatus.COMPENSATING, null, reason, s.data(), e.withCursor(null));
        }
        return compensateNext(s.with(SagaStatus.COMPENSATING, null, reason, s.data(), e), def, now, fx);
    }

    static <D> SagaState compensateNext(SagaState s, SagaDefinition<D> def, Instant now, DecisionBuilder fx) {
        List<String> done = s.exec().completed();
        for (int i = done.size() - 1; i >= 0; i--) {
            StepDefinition<D> st = step(def, done.get(i));
            if (st.hasCompensation() && !s.exec().compensated().contains(st.key())) {
                return send(s.with(SagaStatus.COMPENSATING, null, s.reason(), s.data(), s.exec()), def,
                        Cursor.first(st.key(), Direction.COMPENSATE), now, fx);
            }
        }
        fx.history(HistoryKind.COMPENSATED, null, s.reason());
        fx.cancel(ALL_TIMERS);
        return s.with(SagaStatus.COMPENSATED, null, s.reason(), s.data(), s.exec().withCursor(null).withParkDeadline(null));
    }

    static <D> SagaState busy(SagaState s, SagaDefinition<D> def, StepDefinition<D> step, Cursor c, Instant now,
                                      DecisionBuilder fx, String why, Duration retryAfter) {
        return busy(s, def, step, c, now, fx, why, false, retryAfter);
    }

    /** The longer of a policy's wait and a participant's wish (null: none). */
    static Duration atLeast(Duration policy, Duration wish) {
        return wish != null && wish.compareTo(policy) > 0 ? wish : policy;
    }

    /**
     * Parks after a busy answer (or exhausted timeouts): the saga waits in the pending state, and its command waits
     * for the participant's capacity (a WAIT timer, eligible after {@link StateMachine#parkPause}, and not before the
     * participant's wish); flow control releases it, oldest first, when the participant has room. The first parking
     * sets the give-up deadline and its timer, and writes the PARKED entry; later busy answers add only their reply.
     */
    static <D> SagaState park(SagaState s, Park park, Cursor c, String participant, Instant now, DecisionBuilder fx,
                              String why, Duration retryAfter) {
        Instant deadline = s.exec().parkDeadline();
        boolean first = deadline == null;
        if (first) {
            deadline = now.plus(park.giveUpAfter());
            fx.timer(TimerKind.GIVE_UP, c.step(), giveUpToken(c.step(), deadline), deadline);
        }
        Cursor next = c.newRound();
        Instant eligible = now.plus(atLeast(StateMachine.parkPause(park.retryEvery(), s.id(), next), retryAfter));
        if (eligible.isAfter(deadline)) {
            eligible = deadline;
        }
        if (first || s.status() != SagaStatus.PENDING) {
            fx.history(HistoryKind.PARKED, c.step(), park.state() + " (" + why + "); waits for " + participant);
        }
        fx.cancel(TimerKind.TIMEOUT, TimerKind.RETRY);
        fx.timer(TimerKind.WAIT, c.step(), token(s.id(), next), eligible, participant);
        return s.with(SagaStatus.PENDING, park.state(), why, s.data(), s.exec().withCursor(next).withParkDeadline(deadline));
    }

    /**
     * A command the runtime did not send because its participant has no room (its flow control limit is reached,
     * others wait before it, or its breaker is open): the saga goes back to the cursor before the send, which is not
     * an attempt, and waits in line (a WAIT timer eligible now). A step that parks shows its pending state (and starts
     * its give-up deadline); any other keeps its status. Pure, like the state machine's rules.
     */
    static <D> Decision holdBack(Decision d, SagaDefinition<D> def, Decision.Command held, Instant now, String why) {
        SagaState s = d.state();
        if (s.exec().group() != null && s.exec().cursor() == null) {
            return GroupRules.onHeld(d, def, held, now, why, false);
        }
        Cursor sent = s.exec().cursor();
        StepDefinition<D> step = step(def, held.step());
        DecisionBuilder fx = withoutHeld(d, held);
        String sentPrefix = "attempt " + held.attempt() + " to ";
        for (Decision.Entry e : d.history()) {
            boolean sentEntry = (e.kind() == HistoryKind.COMMAND_SENT || e.kind() == HistoryKind.COMPENSATION_SENT)
                    && held.step().equals(e.step()) && e.detail() != null && e.detail().startsWith(sentPrefix);
            if (!sentEntry) {
                fx.history(e);
            } else if (s.status() != SagaStatus.PENDING || s.exec().parkDeadline() == null) {
                fx.history(HistoryKind.NOT_SENT, e.step(), e.detail() + " held back: " + why);
            }
        }
        Cursor waiting = sent.idle();
        fx.cancel(TimerKind.TIMEOUT);
        fx.timer(TimerKind.WAIT, held.step(), token(s.id(), waiting), now, held.participant());
        Execution e = s.exec().withCursor(waiting);
        SagaState next = s.withExec(e);
        Optional<Park> park = step.park();
        if (park.isPresent() && held.direction() == Direction.FORWARD && !s.status().isTerminal()) {
            Instant deadline = e.parkDeadline();
            if (deadline == null) {
                deadline = now.plus(park.get().giveUpAfter());
                fx.timer(TimerKind.GIVE_UP, held.step(), giveUpToken(held.step(), deadline), deadline);
            }
            next = s.with(SagaStatus.PENDING, park.get().state(), why, s.data(), e.withParkDeadline(deadline));
        }
        return fx.decide(next);
    }

    /**
     * A forward command of a step with a fallback that its participant's breaker did not let out: instead of waiting
     * in line ({@link #holdBack}), the step is degraded at once ({@link #degrade}) and the saga goes on; the decision
     * keeps its other effects, and the command's send entry becomes NOT_SENT. The commands the move adds (the next
     * step's) are the caller's to gate in turn. Pure, like the state machine's rules.
     */
    static <D> Decision fallBack(Decision d, SagaDefinition<D> def, Decision.Command held, Instant now, String why) {
        SagaState s = d.state();
        if (s.exec().group() != null && s.exec().cursor() == null) {
            return GroupRules.onHeld(d, def, held, now, why, true);
        }
        Cursor sent = s.exec().cursor();
        StepDefinition<D> step = step(def, held.step());
        DecisionBuilder fx = withoutHeld(d, held);
        String sentPrefix = "attempt " + held.attempt() + " to ";
        for (Decision.Entry e : d.history()) {
            boolean sentEntry = e.kind() == HistoryKind.COMMAND_SENT && held.step().equals(e.step())
                    && e.detail() != null && e.detail().startsWith(sentPrefix);
            fx.history(sentEntry ? e.withKindAndDetail(HistoryKind.NOT_SENT, e.detail() + " held back: " + why) : e);
        }
        return fx.decide(degrade(s.withExec(s.exec().withCursor(sent.idle())), def, step, sent.idle(), now, fx, why));
    }

    /**
     * A builder holding {@code d}'s effects but those of the command {@code held}, which the gate did not let out: its
     * send and its TIMEOUT timer. History is left to the caller, which rewrites the send entry.
     */
    private static DecisionBuilder withoutHeld(Decision d, Decision.Command held) {
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
            if (t.kind() != TimerKind.TIMEOUT || !held.step().equals(t.step())) {
                fx.timer(t.kind(), t.step(), t.token(), t.fireAt(), t.participant());
            }
        }
        return fx;
    }

    static SagaState backoff(SagaState s, Cursor next, Duration delay, Instant now, DecisionBuilder fx, String why) {
        fx.history(HistoryKind.RETRY_SCHEDULED, next.step(), why + "; attempt " + next.attempt() + " in " + delay);
        fx.cancel(TimerKind.TIMEOUT);
        fx.timer(TimerKind.RETRY, next.step(), token(s.id(), next), now.plus(delay));
        return s.withExec(s.exec().withCursor(next));
    }

    /** Re-sends the cursor's invocation (after a backoff or from a parked state). */
    static <D> SagaState resend(SagaState s, SagaDefinition<D> def, Cursor c, Instant now, DecisionBuilder fx) {
        SagaState running = s;
        if (s.status() == SagaStatus.PENDING) {
            fx.history(HistoryKind.RESUMED, c.step(), "from " + s.pendingState());
            running = s.with(SagaStatus.RUNNING, null, s.reason(), s.data(), s.exec());
        }
        return send(running, def, c, now, fx);
    }

    /**
     * Enters the cursor's step going forward: its command goes out when its condition holds on the data (or it has
     * none); otherwise it is skipped (a STEP_SKIPPED entry; not completed, so nothing to compensate) and the next
     * step is entered, until one runs or the saga completes. A condition that throws fails the saga at the step,
     * as a command builder that throws does; an operator's retry asks the condition again.
     */
    static <D> SagaState sendForward(SagaState s, SagaDefinition<D> def, Cursor c, Instant now, DecisionBuilder fx) {
        StepDefinition<D> step = step(def, c.step());
        if (step.group().isPresent() && s.exec().group() == null) {
            return GroupRules.enter(s, def, step, now, fx);
        }
        if (step.hasCondition()) {
            boolean runs;
            try {
                runs = step.runsFor(def.cast(s.data()));
            } catch (RuntimeException e) {
                String place = "the condition of step '" + step.key() + "'";
                return fail(s.withExec(s.exec().withCursor(c.idle())), place + " threw "
                        + fx.error(place, e, messageId(s.id(), c), c.attempt()), fx);
            }
            if (!runs) {
                fx.history(HistoryKind.STEP_SKIPPED, step.key(), "its condition does not hold");
                return following(s.withExec(s.exec().withCursor(c.idle())), def, step, now, fx);
            }
        }
        return send(s, def, c, now, fx);
    }

    /** Enters the step after {@code step}, or completes the saga after the last. */
    private static <D> SagaState following(SagaState s, SagaDefinition<D> def, StepDefinition<D> step, Instant now,
                                           DecisionBuilder fx) {
        if (s.exec().group() != null) {
            // a branch of a parallel group: its next step, or the branch is done (GroupRules joins the group)
            Optional<StepDefinition<D>> inBranch = def.nextInBranch(step);
            if (inBranch.isPresent()) {
                return sendForward(s, def, Cursor.first(inBranch.get().key(), Direction.FORWARD), now, fx);
            }
            return s.with(SagaStatus.RUNNING, null, null, s.data(), s.exec().withCursor(null).withParkDeadline(null));
        }
        Optional<StepDefinition<D>> following = def.next(step);
        if (following.isEmpty()) {
            fx.history(HistoryKind.COMPLETED, null, null);
            fx.cancel(ALL_TIMERS);
            return s.with(SagaStatus.COMPLETED, null, null, s.data(), s.exec().withCursor(null).withParkDeadline(null));
        }
        return sendForward(s, def, Cursor.first(following.get().key(), Direction.FORWARD), now, fx);
    }

    /**
     * The participant of a step with a fallback cannot answer (attempts used up, a park given up, its breaker open):
     * the fallback gives the data the saga continues with, the step is recorded degraded (STEP_DEGRADED, then
     * STEP_COMPLETED), and the saga goes on. A late answer to the abandoned invocation is ignored. A fallback that
     * throws fails the saga at the step.
     */
    static <D> SagaState degrade(SagaState s, SagaDefinition<D> def, StepDefinition<D> step, Cursor c, Instant now,
                                 DecisionBuilder fx, String why) {
        D data;
        try {
            data = step.fallback(def.cast(s.data()));
        } catch (RuntimeException e) {
            String place = "the fallback of step '" + step.key() + "'";
            return fail(s.withExec(s.exec().withCursor(c.idle()).withParkDeadline(null)), place + " threw "
                    + fx.error(place, e, messageId(s.id(), c), c.attempt()), fx);
        }
        fx.history(HistoryKind.STEP_DEGRADED, step.key(), "fallback used: " + why);
        fx.cancel(ALL_TIMERS);
        SagaState degraded = s.with(SagaStatus.RUNNING, null, null, data,
                s.exec().withCursor(c.idle()).withParkDeadline(null));
        return stepSucceeded(degraded, def, step, c, now, fx, "fallback");
    }

    /** Builds the cursor's command from the data and sends it, with a reply timeout. */
    static <D> SagaState send(SagaState s, SagaDefinition<D> def, Cursor c, Instant now, DecisionBuilder fx) {
        StepDefinition<D> step = step(def, c.step());
        boolean forward = c.direction() == Direction.FORWARD;
        Object payload;
        try {
            D data = def.cast(s.data());
            payload = forward ? step.command(data) : step.compensationCommand(data);
        } catch (RuntimeException e) {
            String place = (forward ? "building the command" : "building the compensation") + " of step '" + step.key() + "'";
            return fail(s.withExec(s.exec().withCursor(c.idle())), place + " threw "
                    + fx.error(place, e, messageId(s.id(), c), c.attempt()), fx);
        }
        String participant = forward ? step.participant().name()
                : step.compensationParticipant().orElseThrow().name();
        Cursor sent = c.sent(now);
        String id = messageId(s.id(), sent);
        fx.command(new Decision.Command(id, step.key(), c.direction(), sent.attempt(), participant, payload));
        fx.history(forward ? HistoryKind.COMMAND_SENT : HistoryKind.COMPENSATION_SENT, step.key(),
                "attempt " + sent.attempt() + " to " + participant);
        fx.cancel(TimerKind.RETRY, TimerKind.WAIT);
        fx.timer(TimerKind.TIMEOUT, step.key(), token(s.id(), sent), now.plus(step.timeout()), participant);
        return s.withExec(s.exec().withCursor(sent));
    }

    /** The participant the cursor's command goes to. */
    static <D> String participantOf(StepDefinition<D> step, Cursor c) {
        return c.direction() == Direction.FORWARD ? step.participant().name()
                : step.compensationParticipant().orElseThrow().name();
    }

    static SagaState fail(SagaState s, String reason, DecisionBuilder fx) {
        if (s.exec().group() != null) {
            // in a branch of a parallel group user code that throws fails the branch, and with it the group: the
            // saga compensates rather than wait for an operator while the other branches run on. The cursor stays,
            // so that GroupRules.merge compensates the step too when it may have taken effect
            fx.history(HistoryKind.STEP_FAILED, s.currentStep(), reason);
            fx.history(HistoryKind.COMPENSATION_STARTED, s.currentStep(), reason);
            fx.cancel(ALL_TIMERS);
            return s.with(SagaStatus.COMPENSATING, null, reason, s.data(), s.exec().withParkDeadline(null));
        }
        fx.history(HistoryKind.FAILED, s.currentStep(), reason);
        fx.cancel(ALL_TIMERS);
        return s.with(SagaStatus.FAILED, null, reason, s.data(), s.exec().withParkDeadline(null));
    }

    static <D> StepDefinition<D> step(SagaDefinition<D> def, String key) {
        return def.step(key).orElseThrow(() -> new IllegalStateException("saga '" + def.type() + "' v" + def.version()
                + " has no step '" + key + "'"));
    }

}
