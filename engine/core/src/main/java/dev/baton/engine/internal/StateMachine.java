package dev.baton.engine.internal;

import dev.baton.dsl.Park;
import dev.baton.dsl.Retry;
import dev.baton.dsl.SagaDefinition;
import dev.baton.dsl.StepDefinition;
import dev.baton.dsl.StepKind;
import dev.baton.engine.OperatorAction;
import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.internal.Execution.Cursor;
import dev.baton.engine.internal.Execution.Direction;
import dev.baton.engine.spi.ReplyOutcome;
import dev.baton.engine.spi.TimerKind;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The pure state machine: {@code decide(state, event, definition, now)}. No I/O, no clock, no randomness:
 * the same inputs give the same decision. User code (command builders, reply handlers) runs here; when it
 * throws, the saga fails with the reason instead of the engine crashing.
 *
 * <p>The rules, in short:
 * <ul>
 * <li>SUCCESS moves to the next step; after the last, COMPLETED.</li>
 * <li>FAILURE of a compensatable step or the pivot compensates the completed steps in reverse order;
 *     FAILURE of a retriable step (after the pivot) is retried as a new invocation per its policy, then FAILED.</li>
 * <li>A timeout re-sends the same invocation (same message id) per the retry policy; when attempts run out a
 *     step with {@code whenBusy} parks, a compensatable step is compensated (itself included: it may have taken
 *     effect), the pivot and retriable steps fail for an operator.</li>
 * <li>RETRY_LATER parks the saga in the step's pending state, re-sending every {@code retryEvery} (shortened by up
 *     to 20 %, differently per saga and attempt: {@link #parkWait}) until
 *     {@code giveUpAfter}; without {@code whenBusy} it is retried per the retry policy. A compensatable step given
 *     up on is compensated itself too: without a final answer, a redelivered command may still take effect.</li>
 * <li>Compensations are retried per their policy (FAILURE as a new invocation), then FAILED.</li>
 * <li>A reply that does not answer the outstanding command, or arrives after the end, changes nothing.</li>
 * <li>An operator's retry of a FAILED saga re-sends its command: as a new invocation when the last one was refused
 *     (or never sent), as the same invocation (same message id) when its outcome is unknown.</li>
 * </ul>
 */
public final class StateMachine {
    private static final Set<TimerKind> ALL_TIMERS = EnumSet.allOf(TimerKind.class);

    private StateMachine() {}

    /** The idempotency key of an invocation: stable across re-sends after a timeout. */
    public static String messageId(SagaId id, Cursor c) {
        return id.value() + "/" + c.step() + "/" + (c.direction() == Direction.FORWARD ? "do" : "undo") + "/" + c.execution();
    }

    /** The token of the timers set for the cursor's current (or next) attempt. */
    public static String token(SagaId id, Cursor c) {
        return messageId(id, c) + "#" + c.attempt();
    }

    /**
     * How far a parked saga's re-sends are spread: each wait is between {@code (1 - PARK_SPREAD)} and 1 times the
     * step's {@code retryEvery}, so the sagas that parked together in a spike do not all come back at the same
     * instant (and park again together).
     */
    public static final double PARK_SPREAD = 0.2;

    /**
     * The wait before re-sending a parked saga's command: {@code retryEvery} shortened by up to {@link #PARK_SPREAD},
     * by an amount derived from the saga id, the step and the attempt, so {@code decide} stays a pure function (the
     * same input, the same timer) while different sagas, and one saga's successive tries, spread out. Never longer
     * than {@code retryEvery}, never shorter than 80 % of it.
     */
    public static Duration parkWait(Duration retryEvery, SagaId id, Cursor next) {
        long h = id.value().hashCode();
        h = h * 31 + next.step().hashCode();
        h = h * 31 + next.attempt();
        h = h * 31 + next.execution();
        // SplitMix64's finaliser: nearby inputs (attempt n, n+1) land far apart
        h = (h ^ (h >>> 30)) * 0xbf58476d1ce4e5b9L;
        h = (h ^ (h >>> 27)) * 0x94d049bb133111ebL;
        h = h ^ (h >>> 31);
        double unit = (h >>> 11) * 0x1.0p-53; // [0, 1)
        double factor = 1.0 - PARK_SPREAD * unit;
        long millis = retryEvery.toMillis();
        Duration wait = millis > 1_000_000_000L // beyond ~11 days nanoseconds could overflow; milliseconds will do
                ? Duration.ofMillis((long) (millis * factor))
                : Duration.ofNanos((long) (retryEvery.toNanos() * factor));
        return wait.isZero() ? retryEvery : wait;
    }

    /** The token of a parking's give-up timer: one per deadline, so a timer left from an earlier parking is stale. */
    private static String giveUpToken(String step, Instant deadline) {
        return step + "#give-up@" + deadline;
    }

    /** Starts a saga: the first step's command goes out. */
    public static <D> Decision start(SagaId id, SagaDefinition<D> def, D data, String businessKey, Instant now) {
        SagaState s = new SagaState(id, def.type(), def.version(), businessKey, SagaStatus.RUNNING, null, null, data,
                Execution.initial(), 0, now, now);
        Effects fx = new Effects();
        fx.history(HistoryKind.STARTED, null, "definition v" + def.version());
        return fx.decide(sendForward(s, def, Cursor.first(def.firstStep().key(), Direction.FORWARD), now, fx));
    }

    /** Applies one event. */
    public static <D> Decision decide(SagaState s, SagaEvent event, SagaDefinition<D> def, Instant now) {
        return switch (event) {
            case SagaEvent.Replied r -> onReply(s, r, def, now);
            case SagaEvent.TimerFired t -> onTimer(s, t, def, now);
            case SagaEvent.Operator o -> onOperator(s, o, def, now);
        };
    }

    // ---------------------------------------------------------------- replies

    private static <D> Decision onReply(SagaState s, SagaEvent.Replied r, SagaDefinition<D> def, Instant now) {
        if (s.status().isTerminal()) {
            return Decision.ignore(s, "saga is " + s.status());
        }
        Cursor c = s.exec().cursor();
        if (c == null || !messageId(s.id(), c).equals(r.correlationId())) {
            return Decision.ignore(s, "reply to " + r.correlationId() + " does not answer the outstanding command");
        }
        if (s.status() == SagaStatus.PENDING && r.outcome() == ReplyOutcome.RETRY_LATER) {
            return Decision.ignore(s, "already parked in " + s.pendingState());
        }
        if (s.status() == SagaStatus.FAILED && r.outcome() != ReplyOutcome.SUCCESS) {
            return Decision.ignore(s, "saga is FAILED; only a late success changes it");
        }
        StepDefinition<D> step = step(def, c.step());
        Effects fx = new Effects();
        fx.history(HistoryKind.REPLY_RECEIVED, step.key(), r.outcome() + (r.reason() == null ? "" : ": " + r.reason()));
        fx.cancel(TimerKind.TIMEOUT, TimerKind.RETRY);
        SagaState next = c.direction() == Direction.FORWARD
                ? forwardReply(s, r, def, step, c, now, fx)
                : compensationReply(s, r, def, step, c, now, fx);
        return fx.decide(next);
    }

    private static <D> SagaState forwardReply(SagaState s, SagaEvent.Replied r, SagaDefinition<D> def, StepDefinition<D> step,
                                              Cursor c, Instant now, Effects fx) {
        switch (r.outcome()) {
            case SUCCESS -> {
                D data;
                try {
                    data = step.applyReply(def.cast(s.data()), r.reply());
                } catch (RuntimeException e) {
                    return fail(s.withExec(s.exec().withCursor(c.unapplied())), "onReply of step '" + step.key() + "' threw "
                            + describe(e), fx);
                }
                return stepSucceeded(s.with(s.status(), s.pendingState(), s.reason(), data, s.exec()), def, step, c, now, fx, "reply");
            }
            case FAILURE -> {
                fx.history(HistoryKind.STEP_FAILED, step.key(), r.reason());
                if (step.kind() == StepKind.RETRIABLE) {
                    Optional<Duration> delay = step.retry().delayAfter(c.roundAttempt());
                    if (delay.isPresent()) {
                        return backoff(s, c.newExecution(), delay.get(), now, fx, "failed: " + r.reason());
                    }
                    return fail(s.withExec(s.exec().withCursor(c.refused())), "step '" + step.key() + "' failed after "
                            + c.roundAttempt() + " attempts: " + r.reason(), fx);
                }
                return startCompensation(s, def, "step '" + step.key() + "' failed: " + r.reason(), false, now, fx);
            }
            case RETRY_LATER -> {
                return busy(s, def, step, c, now, fx, "busy: " + (r.reason() == null ? "retry later" : r.reason()),
                        r.retryAfter());
            }
        }
        throw new IllegalStateException("unreachable");
    }

    private static <D> SagaState compensationReply(SagaState s, SagaEvent.Replied r, SagaDefinition<D> def, StepDefinition<D> step,
                                                   Cursor c, Instant now, Effects fx) {
        if (r.outcome() == ReplyOutcome.SUCCESS) {
            fx.history(HistoryKind.STEP_COMPENSATED, step.key(), null);
            SagaState next = s.withExec(s.exec().compensate(step.key()));
            return compensateNext(next, def, now, fx);
        }
        boolean failure = r.outcome() == ReplyOutcome.FAILURE;
        Optional<Duration> delay = step.compensationRetry().delayAfter(c.roundAttempt());
        String why = (failure ? "failed: " : "busy: ") + r.reason();
        if (delay.isPresent()) {
            return backoff(s, failure ? c.newExecution() : c.nextAttempt(), atLeast(delay.get(), failure ? null : r.retryAfter()),
                    now, fx, why);
        }
        fx.history(HistoryKind.COMPENSATION_FAILED, step.key(), why);
        return fail(s.withExec(s.exec().withCursor(failure ? c.refused() : c.idle())), "compensation of step '" + step.key()
                + "' failed after " + c.roundAttempt() + " attempts: " + r.reason(), fx);
    }

    /**
     * RETRY_LATER ({@code retryAfter}: the participant's wish, may be null), or timeouts run out on a step that parks
     * ({@code fromTimeout}).
     */
    private static <D> SagaState busy(SagaState s, SagaDefinition<D> def, StepDefinition<D> step, Cursor c, Instant now,
                                      Effects fx, String why, boolean fromTimeout, Duration retryAfter) {
        Optional<Park> park = step.park();
        if (park.isPresent()) {
            Instant deadline = s.exec().parkDeadline();
            if (deadline != null && !now.isBefore(deadline)) {
                return giveUp(s, def, step, c, now, fx);
            }
            return park(s, park.get(), c, now, fx, why, retryAfter);
        }
        Optional<Duration> delay = step.retry().delayAfter(c.roundAttempt());
        if (delay.isPresent() && !fromTimeout) {
            return backoff(s, c.nextAttempt(), atLeast(delay.get(), retryAfter), now, fx, why);
        }
        return exhausted(s, def, step, c, now, fx, why);
    }

    /** The retry policy is used up: what the step kind says. */
    private static <D> SagaState exhausted(SagaState s, SagaDefinition<D> def, StepDefinition<D> step, Cursor c, Instant now,
                                           Effects fx, String why) {
        String reason = "step '" + step.key() + "' gave up after " + c.roundAttempt() + " attempts (" + why + ")";
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

    private static <D> SagaState giveUp(SagaState s, SagaDefinition<D> def, StepDefinition<D> step, Cursor c, Instant now, Effects fx) {
        String state = step.park().map(Park::state).orElse("PENDING");
        fx.history(HistoryKind.GAVE_UP, step.key(), "in " + state + " since before " + s.exec().parkDeadline());
        fx.cancel(TimerKind.GIVE_UP, TimerKind.RETRY, TimerKind.TIMEOUT);
        SagaState cleared = s.with(SagaStatus.RUNNING, null, s.reason(), s.data(), s.exec().withParkDeadline(null).withCursor(c.idle()));
        return exhausted(cleared, def, step, c, now, fx, "gave up waiting in " + state);
    }

    // ---------------------------------------------------------------- timers

    private static <D> Decision onTimer(SagaState s, SagaEvent.TimerFired t, SagaDefinition<D> def, Instant now) {
        if (s.status().isTerminal()) {
            return Decision.ignore(s, "saga is " + s.status());
        }
        Cursor c = s.exec().cursor();
        if (c == null) {
            return Decision.ignore(s, "no outstanding command");
        }
        StepDefinition<D> step = step(def, c.step());
        Effects fx = new Effects();
        boolean current = token(s.id(), c).equals(t.token());
        switch (t.kind()) {
            case TIMEOUT -> {
                if (!current || !c.awaiting() || s.status() == SagaStatus.FAILED) {
                    return Decision.ignore(s, "stale timeout " + t.token());
                }
                fx.history(HistoryKind.TIMED_OUT, step.key(), "attempt " + c.attempt() + " after " + step.timeout());
                Cursor late = c.timedOut();
                if (c.direction() == Direction.COMPENSATE) {
                    Optional<Duration> delay = step.compensationRetry().delayAfter(c.roundAttempt());
                    if (delay.isPresent()) {
                        return fx.decide(backoff(s, late.nextAttempt(), delay.get(), now, fx, "timed out"));
                    }
                    fx.history(HistoryKind.COMPENSATION_FAILED, step.key(), "timed out");
                    return fx.decide(fail(s.withExec(s.exec().withCursor(late.idle())), "compensation of step '" + step.key()
                            + "' timed out " + c.roundAttempt() + " times", fx));
                }
                Optional<Duration> delay = step.retry().delayAfter(c.roundAttempt());
                if (delay.isPresent()) {
                    return fx.decide(backoff(s, late.nextAttempt(), delay.get(), now, fx, "timed out"));
                }
                return fx.decide(busy(s, def, step, late, now, fx, "timed out", true, null));
            }
            case RETRY -> {
                if (!current || c.awaiting() || s.status() == SagaStatus.FAILED) {
                    return Decision.ignore(s, "stale retry " + t.token());
                }
                return fx.decide(resend(s, def, c, now, fx));
            }
            case GIVE_UP -> {
                if (s.status() != SagaStatus.PENDING || !giveUpToken(step.key(), s.exec().parkDeadline()).equals(t.token())) {
                    return Decision.ignore(s, "give-up timer for a step the saga is not parked on");
                }
                return fx.decide(giveUp(s, def, step, c, now, fx));
            }
        }
        throw new IllegalStateException("unreachable");
    }

    // ---------------------------------------------------------------- operators

    private static <D> Decision onOperator(SagaState s, SagaEvent.Operator o, SagaDefinition<D> def, Instant now) {
        OperatorAction a = o.action();
        if (s.status().isTerminal()) {
            return Decision.reject(s, "it is " + s.status() + ", which is final");
        }
        Cursor c = s.exec().cursor();
        StepDefinition<D> step = step(def, c.step());
        Effects fx = new Effects();
        fx.history(HistoryKind.OPERATOR_ACTION, step.key(), a + " by " + o.actor() + ": " + o.reason());
        fx.cancel(TimerKind.TIMEOUT, TimerKind.RETRY);
        if (a != OperatorAction.RESUME) {
            fx.cancel(TimerKind.GIVE_UP); // resume keeps the park deadline, so it keeps its timer
        }
        SagaState next;
        switch (a) {
            case RETRY -> {
                if (s.status() != SagaStatus.FAILED) {
                    return Decision.reject(s, "retry applies to FAILED sagas, and it is " + s.status()
                            + (s.status() == SagaStatus.PENDING ? "; use resume" : ""));
                }
                SagaStatus back = c.direction() == Direction.FORWARD ? SagaStatus.RUNNING : SagaStatus.COMPENSATING;
                SagaState revived = s.with(back, null, s.reason(), s.data(), s.exec().withParkDeadline(null));
                // unknown outcome: the same invocation again, so the participant answers it rather than runs it twice
                next = send(revived, def, c.uncertain() ? c.resentByOperator() : c.retriedByOperator(), now, fx);
            }
            case RESUME -> {
                if (s.status() != SagaStatus.PENDING) {
                    return Decision.reject(s, "resume applies to PENDING sagas, and it is " + s.status()
                            + (s.status() == SagaStatus.FAILED ? "; use retry" : ""));
                }
                next = resend(s, def, c, now, fx);
            }
            case SKIP -> {
                if (s.status() != SagaStatus.FAILED && s.status() != SagaStatus.PENDING) {
                    return Decision.reject(s, "skip applies to FAILED or PENDING sagas, and it is " + s.status());
                }
                SagaState cleared = s.with(c.direction() == Direction.FORWARD ? SagaStatus.RUNNING : SagaStatus.COMPENSATING,
                        null, s.reason(), s.data(), s.exec().withParkDeadline(null));
                if (c.direction() == Direction.FORWARD) {
                    next = stepSucceeded(cleared, def, step, c, now, fx, "skipped by operator");
                } else {
                    fx.history(HistoryKind.STEP_COMPENSATED, step.key(), "skipped by operator");
                    next = compensateNext(cleared.withExec(cleared.exec().compensate(step.key())), def, now, fx);
                }
            }
            case ABORT -> {
                if (c.direction() == Direction.COMPENSATE) {
                    return Decision.reject(s, "it is already compensating; retry or skip the failed compensation");
                }
                if (step.kind() == StepKind.RETRIABLE) {
                    return Decision.reject(s, "it has passed its pivot, so it can only move forward; retry or skip step '"
                            + step.key() + "'");
                }
                boolean inFlight = c.awaiting() || c.uncertain();
                if (step.kind() == StepKind.PIVOT && inFlight) {
                    return Decision.reject(s, "the pivot '" + step.key() + "' may have taken effect; wait for its reply"
                            + " or retry it");
                }
                // a compensatable step that was sent and not refused (a refusal compensates at once) may take effect
                boolean sent = c.firstSentAt() != null;
                next = startCompensation(s.with(SagaStatus.RUNNING, null, s.reason(), s.data(), s.exec().withParkDeadline(null)),
                        def, "aborted by " + o.actor() + ": " + o.reason(), sent && step.hasCompensation(), now, fx);
            }
            default -> throw new IllegalStateException("unknown action " + a);
        }
        return fx.decide(next);
    }

    // ---------------------------------------------------------------- transitions

    private static <D> SagaState stepSucceeded(SagaState s, SagaDefinition<D> def, StepDefinition<D> step, Cursor c, Instant now,
                                               Effects fx, String how) {
        fx.history(HistoryKind.STEP_COMPLETED, step.key(), how);
        fx.cancel(TimerKind.GIVE_UP);
        Execution e = s.exec().complete(step.key()).withParkDeadline(null);
        SagaState done = s.with(SagaStatus.RUNNING, null, null, s.data(), e);
        Optional<StepDefinition<D>> following = def.next(step);
        if (following.isEmpty()) {
            fx.history(HistoryKind.COMPLETED, null, null);
            fx.cancel(ALL_TIMERS);
            return done.with(SagaStatus.COMPLETED, null, null, done.data(), done.exec().withCursor(null));
        }
        return sendForward(done, def, Cursor.first(following.get().key(), Direction.FORWARD), now, fx);
    }

    private static <D> SagaState startCompensation(SagaState s, SagaDefinition<D> def, String reason, boolean includeCurrent,
                                                   Instant now, Effects fx) {
        Execution e = s.exec().withParkDeadline(null);
        Cursor c = e.cursor();
        if (includeCurrent && c != null && step(def, c.step()).hasCompensation()) {
            e = e.complete(c.step());
        }
        fx.history(HistoryKind.COMPENSATION_STARTED, c == null ? null : c.step(), reason);
        fx.cancel(ALL_TIMERS);
        return compensateNext(s.with(SagaStatus.COMPENSATING, null, reason, s.data(), e), def, now, fx);
    }

    private static <D> SagaState compensateNext(SagaState s, SagaDefinition<D> def, Instant now, Effects fx) {
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

    private static <D> SagaState busy(SagaState s, SagaDefinition<D> def, StepDefinition<D> step, Cursor c, Instant now,
                                      Effects fx, String why, Duration retryAfter) {
        return busy(s, def, step, c, now, fx, why, false, retryAfter);
    }

    /** The longer of a policy's wait and a participant's wish (null: none). */
    private static Duration atLeast(Duration policy, Duration wish) {
        return wish != null && wish.compareTo(policy) > 0 ? wish : policy;
    }

    private static <D> SagaState park(SagaState s, Park park, Cursor c, Instant now, Effects fx, String why,
                                      Duration retryAfter) {
        Instant deadline = s.exec().parkDeadline();
        if (deadline == null) {
            deadline = now.plus(park.giveUpAfter());
            fx.timer(TimerKind.GIVE_UP, c.step(), giveUpToken(c.step(), deadline), deadline);
        }
        Cursor next = c.newRound();
        Instant retryAt = now.plus(atLeast(parkWait(park.retryEvery(), s.id(), next), retryAfter));
        if (retryAt.isAfter(deadline)) {
            retryAt = deadline;
        }
        fx.history(HistoryKind.PARKED, c.step(), park.state() + " (" + why + "), next try at " + retryAt);
        fx.cancel(TimerKind.TIMEOUT);
        fx.timer(TimerKind.RETRY, c.step(), token(s.id(), next), retryAt);
        return s.with(SagaStatus.PENDING, park.state(), why, s.data(), s.exec().withCursor(next).withParkDeadline(deadline));
    }

    private static SagaState backoff(SagaState s, Cursor next, Duration delay, Instant now, Effects fx, String why) {
        fx.history(HistoryKind.RETRY_SCHEDULED, next.step(), why + "; attempt " + next.attempt() + " in " + delay);
        fx.cancel(TimerKind.TIMEOUT);
        fx.timer(TimerKind.RETRY, next.step(), token(s.id(), next), now.plus(delay));
        return s.withExec(s.exec().withCursor(next));
    }

    /** Re-sends the cursor's invocation (after a backoff or from a parked state). */
    private static <D> SagaState resend(SagaState s, SagaDefinition<D> def, Cursor c, Instant now, Effects fx) {
        SagaState running = s;
        if (s.status() == SagaStatus.PENDING) {
            fx.history(HistoryKind.RESUMED, c.step(), "from " + s.pendingState());
            running = s.with(SagaStatus.RUNNING, null, s.reason(), s.data(), s.exec());
        }
        return send(running, def, c, now, fx);
    }

    private static <D> SagaState sendForward(SagaState s, SagaDefinition<D> def, Cursor c, Instant now, Effects fx) {
        return send(s, def, c, now, fx);
    }

    /** Builds the cursor's command from the data and sends it, with a reply timeout. */
    private static <D> SagaState send(SagaState s, SagaDefinition<D> def, Cursor c, Instant now, Effects fx) {
        StepDefinition<D> step = step(def, c.step());
        boolean forward = c.direction() == Direction.FORWARD;
        Object payload;
        try {
            D data = def.cast(s.data());
            payload = forward ? step.command(data) : step.compensationCommand(data);
        } catch (RuntimeException e) {
            return fail(s.withExec(s.exec().withCursor(c.idle())), (forward ? "building the command" : "building the compensation")
                    + " of step '" + step.key() + "' threw " + describe(e), fx);
        }
        String participant = forward ? step.participant().name()
                : step.compensationParticipant().orElseThrow().name();
        Cursor sent = c.sent(now);
        String id = messageId(s.id(), sent);
        fx.command(new Decision.Command(id, step.key(), c.direction(), sent.attempt(), participant, payload));
        fx.history(forward ? HistoryKind.COMMAND_SENT : HistoryKind.COMPENSATION_SENT, step.key(),
                "attempt " + sent.attempt() + " to " + participant);
        fx.cancel(TimerKind.RETRY);
        fx.timer(TimerKind.TIMEOUT, step.key(), token(s.id(), sent), now.plus(step.timeout()));
        return s.withExec(s.exec().withCursor(sent));
    }

    private static SagaState fail(SagaState s, String reason, Effects fx) {
        fx.history(HistoryKind.FAILED, s.currentStep(), reason);
        fx.cancel(ALL_TIMERS);
        return s.with(SagaStatus.FAILED, null, reason, s.data(), s.exec().withParkDeadline(null));
    }

    private static <D> StepDefinition<D> step(SagaDefinition<D> def, String key) {
        return def.step(key).orElseThrow(() -> new IllegalStateException("saga '" + def.type() + "' v" + def.version()
                + " has no step '" + key + "'"));
    }

    private static String describe(Throwable e) {
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }

    /** Collects the effects of one decision. Local to one call. */
    private static final class Effects {
        private final List<Decision.Command> commands = new ArrayList<>();
        private final List<Decision.Timer> timers = new ArrayList<>();
        private final EnumSet<TimerKind> cancel = EnumSet.noneOf(TimerKind.class);
        private final List<Decision.Entry> history = new ArrayList<>();

        void command(Decision.Command c) {
            commands.add(c);
        }

        void timer(TimerKind kind, String step, String token, Instant at) {
            timers.removeIf(t -> t.kind() == kind);
            cancel.remove(kind);
            timers.add(new Decision.Timer(kind, step, token, at));
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
}
