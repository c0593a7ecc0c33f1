package dev.baton.participant.testkit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.dsl.MessageType;
import dev.baton.participant.HandlingResult;
import dev.baton.participant.IncomingCommand;
import dev.baton.participant.ParticipantRuntime;
import dev.baton.participant.Rejected;
import dev.baton.participant.Reply;
import dev.baton.participant.Unavailable;
import dev.baton.protocol.CommandKind;
import dev.baton.protocol.Headers;
import java.util.LinkedHashMap;
import java.util.Map;

/** The commands and replies the kit sends through the runtime, built as the engine builds them. Stateless. */
final class KitMessages {
    private KitMessages() {}

    private static final ObjectMapper JSON = ParticipantRuntime.defaultObjectMapper();

    /** The step the kit's forward commands and compensations belong to, unless a test names another. */
    static final String STEP = "charge-card";

    /** A forward command: take money. */
    record Charge(String orderId, long amountCents) {}

    /** Its compensation: give it back. */
    record Refund(String orderId) {}

    /**
     * The reply to a charge. A handler fills {@code nonce} anew on every run, so only a replay of the record can repeat
     * a reply byte for byte.
     */
    record Charged(String chargeId, String note, String nonce) {}

    /** The message id the engine gives invocation {@code n} of a step: {@code <saga>/<step>/<do|undo>/<n>}. */
    static String messageId(String sagaId, String step, CommandKind kind, int invocation) {
        return sagaId + "/" + step + "/" + (kind == CommandKind.COMMAND ? "do" : "undo") + "/" + invocation;
    }

    /** The id of invocation {@code n} of {@link #STEP}'s forward command in {@code sagaId}. */
    static String chargeId(String sagaId, int invocation) {
        return messageId(sagaId, STEP, CommandKind.COMMAND, invocation);
    }

    /** The id of invocation {@code n} of {@link #STEP}'s compensation in {@code sagaId}. */
    static String refundId(String sagaId, int invocation) {
        return messageId(sagaId, STEP, CommandKind.COMPENSATION, invocation);
    }

    /** Invocation {@code n} of {@link #STEP}'s forward command: charge 100 cents for order {@code o-<saga>}. */
    static IncomingCommand charge(String sagaId, int invocation) {
        return command(CommandKind.COMMAND, sagaId, STEP, invocation, new Charge("o-" + sagaId, 100));
    }

    /** As {@link #charge(String, int)}, of {@code amountCents}. */
    static IncomingCommand charge(String sagaId, int invocation, long amountCents) {
        return command(CommandKind.COMMAND, sagaId, STEP, invocation, new Charge("o-" + sagaId, amountCents));
    }

    /** Invocation {@code n} of {@link #STEP}'s compensation: refund order {@code o-<saga>}. */
    static IncomingCommand refund(String sagaId, int invocation) {
        return command(CommandKind.COMPENSATION, sagaId, STEP, invocation, new Refund("o-" + sagaId));
    }

    /** A command as the engine sends it: the headers it writes and the payload as JSON. */
    static IncomingCommand command(CommandKind kind, String sagaId, String step, int invocation, Object payload) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put(Headers.MESSAGE_ID, messageId(sagaId, step, kind, invocation));
        h.put(Headers.SAGA_ID, sagaId);
        h.put(Headers.SAGA_TYPE, "kit-order");
        h.put(Headers.STEP, step);
        h.put(Headers.ATTEMPT, "1");
        h.put(Headers.MESSAGE_TYPE, MessageType.Names.of(payload.getClass()));
        h.put(Headers.KIND, kind.wireValue());
        return IncomingCommand.of(h, json(payload));
    }

    /** The same command with one header replaced, or removed for a null value. */
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
            throw new IllegalStateException("the kit cannot write its own message as JSON", e);
        }
    }

    static Reply reply(HandlingResult r) {
        if (r instanceof Reply reply) {
            return reply;
        }
        AssertionError e = new AssertionError("expected a Reply but got " + r + describeCause(r));
        if (r instanceof Unavailable u && u.cause() != null) {
            e.initCause(u.cause());
        }
        throw e;
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

    private static String describeCause(HandlingResult r) {
        if (r instanceof Unavailable u) {
            return " (" + u.reason() + ")";
        }
        if (r instanceof Rejected rejected) {
            return " (" + rejected.reason() + ")";
        }
        return "";
    }
}
