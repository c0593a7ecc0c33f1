package dev.baton.participant;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.dsl.MessageType;
import dev.baton.protocol.CommandKind;
import dev.baton.protocol.Headers;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** Commands, replies and deliveries shared by the tests. */
final class TestMessages {
    private TestMessages() {}

    static final ObjectMapper JSON = ParticipantRuntime.defaultObjectMapper();

    record AuthorizePayment(String orderId, long amountCents) {}

    record RefundPayment(String orderId) {}

    @MessageType("payment.capture/v2")
    record CapturePayment(String orderId) {}

    /** A reply that differs on every run of a handler: a replay can only match the first run byte for byte. */
    record PaymentAuthorized(String paymentId, Instant at, String nonce) {}

    /** The message id the engine gives invocation {@code n} of a step: {@code <saga>/<step>/<do|undo>/<n>}. */
    static String messageId(String sagaId, String step, CommandKind kind, int invocation) {
        return sagaId + "/" + step + "/" + (kind == CommandKind.COMMAND ? "do" : "undo") + "/" + invocation;
    }

    /** The headers the engine writes on a command. */
    static Map<String, String> headers(CommandKind kind, String sagaId, String step, int invocation, String type) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put(Headers.MESSAGE_ID, messageId(sagaId, step, kind, invocation));
        h.put(Headers.SAGA_ID, sagaId);
        h.put(Headers.SAGA_TYPE, "order-flow");
        h.put(Headers.STEP, step);
        h.put(Headers.ATTEMPT, "1");
        h.put(Headers.MESSAGE_TYPE, type);
        h.put(Headers.KIND, kind.wireValue());
        return h;
    }

    /** Invocation {@code n} of a step's forward command, as the engine sends it. */
    static IncomingCommand command(String sagaId, String step, int invocation, Object payload) {
        return IncomingCommand.of(headers(CommandKind.COMMAND, sagaId, step, invocation,
                MessageType.Names.of(payload.getClass())), json(payload));
    }

    /** Invocation {@code n} of a step's compensation, as the engine sends it. */
    static IncomingCommand compensation(String sagaId, String step, int invocation, Object payload) {
        return IncomingCommand.of(headers(CommandKind.COMPENSATION, sagaId, step, invocation,
                MessageType.Names.of(payload.getClass())), json(payload));
    }

    /** The same command with one header replaced (or removed, for a null value). */
    static IncomingCommand withHeader(IncomingCommand c, String name, String value) {
        Map<String, String> h = new LinkedHashMap<>(c.headers());
        if (value == null) {
            h.remove(name);
        } else {
            h.put(name, value);
        }
        return IncomingCommand.of(h, c.payload());
    }

    static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new AssertionError(e);
        }
    }

    static Reply reply(HandlingResult r) {
        if (r instanceof Reply reply) {
            return reply;
        }
        throw new AssertionError("expected a Reply but got " + r);
    }

    static Rejected rejected(HandlingResult r) {
        if (r instanceof Rejected rejected) {
            return rejected;
        }
        throw new AssertionError("expected Rejected but got " + r);
    }

    static Unavailable unavailable(HandlingResult r) {
        if (r instanceof Unavailable u) {
            return u;
        }
        throw new AssertionError("expected Unavailable but got " + r);
    }
}
