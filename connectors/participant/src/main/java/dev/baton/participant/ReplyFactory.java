package dev.baton.participant;

import dev.baton.protocol.ReplyOutcome;
import dev.baton.protocol.Headers;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Makes the {@link Reply} to a command: a new reply id, the correlation to the command, the outcome, and the trace
 * headers: the participant's span's context while tracing is on, else the command's copied through. Thread-safe when its reply-id supplier is.
 */
final class ReplyFactory {

    /** Longest reason sent and recorded; longer ones are cut, ending in an ellipsis. */
    static final int MAX_REASON_LENGTH = 2000;

    private final Supplier<String> replyIds;
    private final ParticipantTracing tracing;

    ReplyFactory(Supplier<String> replyIds, ParticipantTracing tracing) {
        this.replyIds = replyIds;
        this.tracing = tracing;
    }

    Reply reply(CommandHeaders p, IncomingCommand command, ReplyOutcome outcome, String replyType, String replyJson,
                String reason, Duration retryAfter, Disposition disposition) {
        return reply(p, command, outcome, replyType, replyJson, reason, retryAfter, disposition, null);
    }

    /** As above; {@code retryCause}: the {@link Headers#RETRY_CAUSE} of a RETRY_LATER, or null for none. */
    Reply reply(CommandHeaders p, IncomingCommand command, ReplyOutcome outcome, String replyType, String replyJson,
                String reason, Duration retryAfter, Disposition disposition, String retryCause) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(Headers.MESSAGE_ID, replyIds.get());
        headers.put(Headers.CORRELATION_ID, p.messageId());
        headers.put(Headers.SAGA_ID, p.sagaId());
        copy(command, headers, Headers.SAGA_TYPE);
        headers.put(Headers.STEP, p.step());
        headers.put(Headers.OUTCOME, outcome.name());
        if (reason != null) {
            headers.put(Headers.REASON, cap(reason));
        }
        if (replyType != null) {
            headers.put(Headers.MESSAGE_TYPE, replyType);
        }
        if (retryAfter != null) {
            headers.put(Headers.RETRY_AFTER_MS, Long.toString(Math.max(1, retryAfter.toMillis())));
        }
        if (retryCause != null && outcome == ReplyOutcome.RETRY_LATER) {
            headers.put(Headers.RETRY_CAUSE, retryCause);
        }
        String traceparent = tracing.replyTraceparent(); // the participant's span, while tracing is on
        if (traceparent != null) {
            headers.put(Headers.TRACEPARENT, traceparent);
        } else {
            copy(command, headers, Headers.TRACEPARENT);
        }
        copy(command, headers, Headers.TRACESTATE);
        return new Reply(headers, replyJson, disposition, command);
    }

    private static void copy(IncomingCommand command, Map<String, String> headers, String name) {
        String value = command.header(name);
        if (value != null) {
            headers.put(name, value);
        }
    }

    static String cap(String reason) {
        if (reason == null || reason.length() <= MAX_REASON_LENGTH) {
            return reason;
        }
        return reason.substring(0, MAX_REASON_LENGTH - 1) + "…";
    }
}
