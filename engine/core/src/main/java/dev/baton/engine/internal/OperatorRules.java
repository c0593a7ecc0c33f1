package dev.baton.engine.internal;

import static dev.baton.engine.internal.Transitions.compensateNext;
import static dev.baton.engine.internal.Transitions.resend;
import static dev.baton.engine.internal.Transitions.send;
import static dev.baton.engine.internal.Transitions.startCompensation;
import static dev.baton.engine.internal.Transitions.step;
import static dev.baton.engine.internal.Transitions.stepSucceeded;

import dev.baton.engine.HistoryKind;
import dev.baton.dsl.SagaDefinition;
import dev.baton.dsl.StepDefinition;
import dev.baton.dsl.StepKind;
import dev.baton.engine.OperatorAction;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.internal.Execution.Cursor;
import dev.baton.engine.internal.Execution.Direction;
import dev.baton.engine.spi.TimerKind;
import java.time.Instant;

/**
 * What an operator's action does to a saga: retry a FAILED one (the same invocation when its outcome is unknown, a
 * new one when it was refused), resume a PENDING one now, skip the step at hand, or abort (compensate) while that
 * is still safe. An action that does not apply is rejected with the reason, and changes nothing.
 */
final class OperatorRules {
    private OperatorRules() {}

    static <D> Decision onOperator(SagaState s, SagaEvent.Operator o, SagaDefinition<D> def, Instant now) {
        OperatorAction a = o.action();
        if (s.status().isTerminal()) {
            return Decision.reject(s, "it is " + s.status() + ", which is final");
        }
        Cursor c = s.exec().cursor();
        StepDefinition<D> step = step(def, c.step());
        DecisionBuilder fx = new DecisionBuilder();
        fx.history(HistoryKind.OPERATOR_ACTION, step.key(), a + " by " + o.actor() + ": " + o.reason());
        fx.cancel(TimerKind.TIMEOUT, TimerKind.RETRY, TimerKind.WAIT);
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
                if (c.direction() == Direction.FORWARD && c.firstSentAt() == null) {
                    // never sent (its condition or command builder threw): enter the step again, condition first
                    next = Transitions.sendForward(revived, def, c.retriedByOperator(), now, fx);
                } else {
                    next = send(revived, def, c.uncertain() ? c.resentByOperator() : c.retriedByOperator(), now, fx);
                }
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
}
