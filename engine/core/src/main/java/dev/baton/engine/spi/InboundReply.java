package dev.baton.engine.spi;

import dev.baton.engine.SagaId;
import java.util.Objects;

/**
 * A participant's reply as a transport hands it to the engine.
 *
 * @param messageId the reply's own id (the engine's inbox key)
 * @param correlationId the message id of the command it answers
 * @param payloadType the payload's wire name, or null when there is no payload
 * @param payload the encoded reply, or null
 * @param reason why, for FAILURE and RETRY_LATER; may be null
 * @since 0.1
 */
public record InboundReply(String messageId, String correlationId, SagaId sagaId, ReplyOutcome outcome,
                           String payloadType, String payload, String reason) {
    public InboundReply {
        Objects.requireNonNull(messageId, "messageId");
        Objects.requireNonNull(correlationId, "correlationId");
        Objects.requireNonNull(sagaId, "sagaId");
        Objects.requireNonNull(outcome, "outcome");
    }
}
