package dev.baton.engine.internal;

import dev.baton.engine.OperatorAction;
import dev.baton.engine.spi.ReplyOutcome;
import dev.baton.engine.spi.TimerKind;
import java.time.Duration;

/** Everything that can happen to a saga instance. */
public sealed interface SagaEvent {

    /**
     * A participant answered the command with message id {@code correlationId}; {@code retryAfter} (RETRY_LATER only,
     * may be null) is the least wait it asked for before the command is sent again; {@code payload}
     * (may be null) is the reply as it came, kept in the history entry.
     */
    record Replied(String correlationId, ReplyOutcome outcome, Object reply, String reason, Duration retryAfter,
                   String payload) implements SagaEvent {
        public Replied(String correlationId, ReplyOutcome outcome, Object reply, String reason) {
            this(correlationId, outcome, reply, reason, null, null);
        }

        public Replied(String correlationId, ReplyOutcome outcome, Object reply, String reason, Duration retryAfter) {
            this(correlationId, outcome, reply, reason, retryAfter, null);
        }
    }

    /** A durable timer fired. */
    record TimerFired(TimerKind kind, String token) implements SagaEvent {}

    /** An operator acted. */
    record Operator(OperatorAction action, String actor, String reason) implements SagaEvent {}
}
