package dev.baton.engine.internal;

import dev.baton.engine.OperatorAction;
import dev.baton.engine.spi.ReplyOutcome;
import dev.baton.engine.spi.TimerKind;

/** Everything that can happen to a saga instance. */
public sealed interface SagaEvent {

    /** A participant answered the command with message id {@code correlationId}. */
    record Replied(String correlationId, ReplyOutcome outcome, Object reply, String reason) implements SagaEvent {}

    /** A durable timer fired. */
    record TimerFired(TimerKind kind, String token) implements SagaEvent {}

    /** An operator acted. */
    record Operator(OperatorAction action, String actor, String reason) implements SagaEvent {}
}
