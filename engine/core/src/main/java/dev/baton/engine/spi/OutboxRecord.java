package dev.baton.engine.spi;

import dev.baton.engine.SagaId;
import java.time.Instant;
import java.util.Map;

/**
 * A message to send, written in the same transaction as the state change that caused it and deleted once
 * the transport acknowledged it.
 *
 * @param id the outbox row's own id (a re-send of the same command is a new row)
 * @param destination the participant's name; the transport maps it to a topic or queue
 * @param messageId the idempotency key participants deduplicate by; the same for re-sends after a timeout
 * @param messageType the wire name of the payload's type
 * @param headers protocol headers (see docs/protocol.md)
 * @param payload the encoded command
 * @since 0.1
 */
public record OutboxRecord(String id, SagaId sagaId, String destination, String messageId, String messageType,
                           Map<String, String> headers, String payload, Instant createdAt) {
    public OutboxRecord {
        headers = Map.copyOf(headers);
    }
}
