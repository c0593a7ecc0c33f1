package dev.baton.engine.spi;

import dev.baton.engine.SagaId;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * A participant's reply as a transport hands it to the engine.
 *
 * @param messageId the reply's own id (the engine's inbox key)
 * @param correlationId the message id of the command it answers
 * @param payloadType the payload's wire name, or null when there is no payload
 * @param payload the encoded reply, or null
 * @param reason why, for FAILURE and RETRY_LATER; may be null
 * @param retryAfter with RETRY_LATER: how long the participant asks the engine to wait before sending again
 *                   (the {@code baton-retry-after-ms} header); the engine waits at least this long, and longer when
 *                   the step's park or retry policy says so. Null for no such wish.
 * @param headers the reply's headers as the transport read them, with where it was read from (for Kafka:
 *                {@code baton-dead-letter-topic}, {@code -partition}, {@code -offset}): what a dead letter of this
 *                reply carries besides its reason. Empty when the transport gives none; a dead letter then carries the
 *                protocol headers rebuilt from the fields above. Never null.
 * @since 0.1
 */
public record InboundReply(String messageId, String correlationId, SagaId sagaId, ReplyOutcome outcome,
                           String payloadType, String payload, String reason, Duration retryAfter,
                           Map<String, String> headers) {
    public InboundReply {
        headers = headers == null ? Map.of() : Map.copyOf(headers);
        Objects.requireNonNull(messageId, "messageId");
        Objects.requireNonNull(correlationId, "correlationId");
        Objects.requireNonNull(sagaId, "sagaId");
        Objects.requireNonNull(outcome, "outcome");
        if (retryAfter != null && retryAfter.isNegative()) {
            throw new IllegalArgumentException("retryAfter must not be negative, but was " + retryAfter);
        }
    }

    /** A reply without transport headers. */
    public InboundReply(String messageId, String correlationId, SagaId sagaId, ReplyOutcome outcome,
                        String payloadType, String payload, String reason, Duration retryAfter) {
        this(messageId, correlationId, sagaId, outcome, payloadType, payload, reason, retryAfter, Map.of());
    }

    /** A reply with no retry-after wish. */
    public InboundReply(String messageId, String correlationId, SagaId sagaId, ReplyOutcome outcome,
                        String payloadType, String payload, String reason) {
        this(messageId, correlationId, sagaId, outcome, payloadType, payload, reason, null, Map.of());
    }
}
