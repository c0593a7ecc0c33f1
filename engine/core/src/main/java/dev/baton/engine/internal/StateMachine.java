package dev.baton.engine.internal;

import static dev.baton.engine.internal.Transitions.atLeast;
import static dev.baton.engine.internal.Transitions.backoff;
import static dev.baton.engine.internal.Transitions.busy;
import static dev.baton.engine.internal.Transitions.compensateNext;
import static dev.baton.engine.internal.Transitions.fail;
import static dev.baton.engine.internal.Transitions.giveUp;
import static dev.baton.engine.internal.Transitions.resend;
import static dev.baton.engine.internal.Transitions.sendForward;
import static dev.baton.engine.internal.Transitions.startCompensation;
import static dev.baton.engine.internal.Transitions.step;
import static dev.baton.engine.internal.Transitions.stepSucceeded;

import dev.baton.engine.HistoryKind;
import dev.baton.dsl.SagaDefinition;
import dev.baton.dsl.StepDefinition;
import dev.baton.dsl.StepKind;
import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.internal.Execution.Cursor;
import dev.baton.engine.internal.Execution.Direction;
import dev.baton.engine.spi.ReplyOutcome;
import dev.baton.engine.spi.TimerKind;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

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
 * <li>ERROR (the participant's handler failed; nothing took effect) re-sends the same invocation per the retry
 *     policy, then does what a step does when its timeouts run out, except that the pivot is known not to have
 *     taken effect (it compensates instead of failing for an operator).</li>
 * <li>RETRY_LATER parks the saga in the step's pending state, re-sending every {@code retryEvery} (shortened by up
 *     to 20 %, differently per saga and attempt: {@link #parkWait}) until
 *     {@code giveUpAfter}; without {@code whenBusy} it is retried per the retry policy. A compensatable step given
 *     up on is compensated itself too: without a final answer, a redelivered command may still take effect.</li>
 * <li>Compensations are retried per their policy (FAILURE as a new invocation), then FAILED.</li>
 * <li>A SUCCESS that answers the outstanding command but whose payload cannot be read into the step's reply type
 *     ({@link UnreadableReply}) fails the saga at once, as an {@code onReply} handler that throws does; the operator
 *     can retry, skip or abort it.</li>
 * <li>A reply that does not answer the outstanding command, or arrives after the end, changes nothing.</li>
 * <li>An operator's retry of a FAILED saga re-sends its command: as a new invocation when the last one was refused
 *     (or never sent), as the same invocation (same message id) when its outcome is unknown.</li>
 * </ul>
 */
public final class StateMachine {
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

    /** The first pause before a parked saga's command may go again after a busy answer; it doubles per answer. */
    public static final Duration PARK_FIRST_PAUSE = Duration.ofMillis(250);

    /**
     * How long a parked saga's command waits after its {@code n}-th busy answer (or exhausted timeouts) before it may
     * be released to its participant again: {@link #PARK_FIRST_PAUSE} doubled per answer, at most {@code retryEvery},
     * spread like {@link #parkWait}. The wait only makes the command eligible: flow control releases it when the
     * participant has room.
     */
    public static Duration parkPause(Duration retryEvery, SagaId id, Cursor next) {
        int doublings = Math.min(Math.max(next.attempt() - 2, 0), 30);
        Duration pause = PARK_FIRST_PAUSE.multipliedBy(1L << Math.min(doublings, 20));
        return parkWait(pause.compareTo(retryEvery) < 0 ? pause : retryEvery, id, next);
    }

    /** The token of a parking's give-up timer: one per deadline, so a timer left from an earlier parking is stale. */
    static String giveUpToken(String step, Instant deadline) {
        return step + "#give-up@" + deadline;
    }

    /** Starts a saga: the first step's command goes out. */
    public static <D> Decision start(SagaId id, SagaDefinition<D> def, D data, String businessKey, Instant now) {
        SagaState s = new SagaState(id, def.type(), def.version(), businessKey, SagaStatus.RUNNING, null, null, data,
                Execution.initial(), 0, now, now);
        DecisionBuilder fx = new DecisionBuilder();
        fx.history(HistoryKind.STARTED, null, "definition v" + def.version());
        return fx.decide(sendForward(s, def, Cursor.first(def.firstStep().key(), Direction.FORWARD), now, fx));
    }

    /** Applies one event. */
    public static <D> Decision decide(SagaState s, SagaEvent event, SagaDefinition<D> def, Instant now) {
        if (s.exec().group() != null && !s.status().isTerminal()) {
            return GroupRules.decide(s, event, def, now);
        }
        return linear(s, event, def, now);
    }

    /** Applies one event to a saga outside a parallel group, or to one branch of a group as it is projected. */
    static <D> Decision linear(SagaState s, SagaEvent event, SagaDefinition<D> def, Instant now) {
        return switch (event) {
            case SagaEvent.Replied r -> onReply(s, r, def, now);
            case SagaEvent.TimerFired t -> onTimer(s, t, def, now);
            case SagaEvent.Operator o -> OperatorRules.onOperator(s, o, def, now);
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
        if (s.status() == SagaStatus.PENDING
                && (r.outcome() == ReplyOutcome.RETRY_LATER || r.outcome() == ReplyOutcome.ERROR)) {
            return Decision.ignore(s, "already parked in " + s.pendingState());
        }
        if (s.status() == SagaStatus.FAILED && r.outcome() != ReplyOutcome.SUCCESS) {
            return Decision.ignore(s, "saga is FAILED; only a late success changes it");
        }
        StepDefinition<D> step = step(def, c.step());
        DecisionBuilder fx = new DecisionBuilder();
        fx.replyHistory(step.key(), r);
        fx.cancel(TimerKind.TIMEOUT, TimerKind.RETRY, TimerKind.WAIT);
        SagaState next = c.direction() == Direction.FORWARD
                ? forwardReply(s, r, def, step, c, now, fx)
                : compensationReply(s, r, def, step, c, now, fx);
        return fx.decide(next);
    }

    private static <D> SagaState forwardReply(SagaState s, SagaEvent.Replied r, SagaDefinition<D> def, StepDefinition<D> step,
                                              Cursor c, Instant now, DecisionBuilder fx) {
        switch (r.outcome()) {
            case SUCCESS -> {
                if (r.reply() instanceof UnreadableReply u) {
                    // the same path as a handler that throws: the participant's recorded answer would be unreadable
                    // again after a re-send, so waiting for the timeout only loops
                    return fail(s.withExec(s.exec().withCursor(c.unapplied())), u.reason(step.key()), fx);
                }
                D data;
                try {
                    data = step.applyReply(def.cast(s.data()), r.reply());
                } catch (RuntimeException e) {
                    String place = "onReply of step '" + step.key() + "'";
                    return fail(s.withExec(s.exec().withCursor(c.unapplied())), place + " threw "
                            + fx.error(place, e, r.correlationId(), c.attempt()), fx);
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
                    if (step.hasFallback()) {
                        return Transitions.degrade(s, def, step, c.refused(), now, fx, "failed after "
                                + c.roundAttempt() + " attempts: " + r.reason());
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
            case ERROR -> {
                // as a timeout, but known to have taken no effect: the same invocation again per the retry policy,
                // then what the step does when attempts run out (park, compensate, fail)
                String why = "error: " + (r.reason() == null ? "the participant failed" : r.reason());
                Cursor erred = c.answeredError();
                Optional<Duration> delay = step.retry().delayAfter(erred.roundAttempt());
                if (delay.isPresent()) {
                    return backoff(s, erred.nextAttempt(), atLeast(delay.get(), r.retryAfter()), now, fx, why);
                }
                return busy(s, def, step, erred, now, fx, why, true, r.retryAfter());
            }
        }
        throw new IllegalStateException("unreachable");
    }

    private static <D> SagaState compensationReply(SagaState s, SagaEvent.Replied r, SagaDefinition<D> def, StepDefinition<D> step,
                                                   Cursor c, Instant now, DecisionBuilder fx) {
        if (r.outcome() == ReplyOutcome.SUCCESS) {
            fx.history(HistoryKind.STEP_COMPENSATED, step.key(), null);
            SagaState next = s.withExec(s.exec().compensate(step.key()));
            return compensateNext(next, def, now, fx);
        }
        boolean failure = r.outcome() == ReplyOutcome.FAILURE;
        Optional<Duration> delay = step.compensationRetry().delayAfter(c.roundAttempt());
        String why = (failure ? "failed: " : r.outcome() == ReplyOutcome.ERROR ? "error: " : "busy: ") + r.reason();
        if (delay.isPresent()) {
            return backoff(s, failure ? c.newExecution() : c.nextAttempt(), atLeast(delay.get(), failure ? null : r.retryAfter()),
                    now, fx, why);
        }
        fx.history(HistoryKind.COMPENSATION_FAILED, step.key(), why);
        return fail(s.withExec(s.exec().withCursor(failure ? c.refused() : c.idle())), "compensation of step '" + step.key()
                + "' failed after " + c.roundAttempt() + " attempts: " + r.reason(), fx);
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
        DecisionBuilder fx = new DecisionBuilder();
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
            case RETRY, WAIT -> {
                if (!current || c.awaiting() || s.status() == SagaStatus.FAILED) {
                    return Decision.ignore(s, "stale " + t.kind().name().toLowerCase(java.util.Locale.ROOT) + " "
                            + t.token());
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
}
