package dev.baton.engine.spi;

import dev.baton.engine.SagaId;
import java.time.Instant;
import java.util.Map;

/**
 * A message to send, written in the same transaction as the state change that caused it and deleted once
 * the transport acknowledged it.
 *
 * @param id the outbox row's own id (a re-send of the same command is a new row)
 * @param destination the participant's name, which the transport maps to a topic or queue; or {@link #DEAD_LETTERS}
 * @param messageId the idempotency key participants deduplicate by; the same for re-sends after a timeout
 * @param messageType the wire name of the payload's type
 * @param headers protocol headers (see docs/protocol.md)
 * @param payload the encoded command
 * @since 0.1
 */
public record OutboxRecord(String id, SagaId sagaId, String destination, String messageId, String messageType,
                           Map<String, String> headers, String payload, Instant createdAt) {
    /**
     * The destination of a dead letter: a reply the engine can never apply (or could not read), written in the same
     * transaction that records the reply in the inbox, so that it is never lost. The transport sends such a row to its
     * replies' dead-letter channel (for Kafka: {@code <replies topic>.dlq}) with the reply's payload and headers, the
     * reason in {@code baton-dead-letter-reason}; flow control never holds it back or counts it. No participant can
     * have this name (a colon is not allowed in one).
     *
     * @since 0.4
     */
    public static final String DEAD_LETTERS = "baton:dead-letters";

    public OutboxRecord {
        headers = Map.copyOf(headers);
    }

    /** Whether this row is a dead letter ({@link #DEAD_LETTERS}) rather than a command. @since 0.4 */
    public boolean deadLetter() {
        return DEAD_LETTERS.equals(destination);
    }
}
