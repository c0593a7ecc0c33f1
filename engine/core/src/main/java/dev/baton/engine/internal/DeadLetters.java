package dev.baton.engine.internal;

import dev.baton.engine.SagaId;
import dev.baton.engine.spi.InboundReply;
import dev.baton.engine.spi.OutboxRecord;
import dev.baton.protocol.Headers;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Builds the outbox row of a dead letter: a reply the engine can never apply, or whose payload it cannot read. The row
 * is written in the transaction that records the reply in the inbox, so a crash can no longer come between the two:
 * either both commit (and the outbox dispatcher sends the dead letter, again after a crash until acknowledged) or
 * neither does (and the reply is read again). It carries the reply as it came (payload, the transport's headers, or the
 * protocol headers rebuilt from the reply), and the reason in {@link Headers#DEAD_LETTER_REASON}.
 */
final class DeadLetters {
    /** The message type written for a reply that had none (the outbox column is required). */
    static final String NO_TYPE = "-";

    private final Supplier<SagaId> ids;

    DeadLetters(Supplier<SagaId> ids) {
        this.ids = ids;
    }

    OutboxRecord of(InboundReply r, String reason, Instant now) {
        Map<String, String> h = new LinkedHashMap<>();
        if (r.headers().isEmpty()) {
            h.put(Headers.MESSAGE_ID, r.messageId());
            h.put(Headers.CORRELATION_ID, r.correlationId());
            h.put(Headers.SAGA_ID, r.sagaId().value());
            h.put(Headers.OUTCOME, r.outcome().name());
            putIfPresent(h, Headers.MESSAGE_TYPE, r.payloadType());
            putIfPresent(h, Headers.REASON, r.reason());
            if (r.retryAfter() != null) {
                h.put(Headers.RETRY_AFTER_MS, Long.toString(r.retryAfter().toMillis()));
            }
        } else {
            h.putAll(r.headers());
        }
        h.put(Headers.DEAD_LETTER_REASON, reason);
        // the outbox row's message id: the reply's own, so a dead letter's re-sends are recognisable as one
        return new OutboxRecord(ids.get().value(), r.sagaId(), OutboxRecord.DEAD_LETTERS, r.messageId(),
                r.payloadType() == null ? NO_TYPE : r.payloadType(), h, r.payload() == null ? "" : r.payload(), now);
    }

    private static void putIfPresent(Map<String, String> h, String key, String value) {
        if (value != null) {
            h.put(key, value);
        }
    }
}
