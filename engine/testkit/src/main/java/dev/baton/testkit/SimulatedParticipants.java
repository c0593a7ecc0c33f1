package dev.baton.testkit;

import dev.baton.dsl.MessageType;
import dev.baton.engine.spi.InboundReply;
import dev.baton.engine.spi.OutboxRecord;
import dev.baton.engine.spi.ReplyOutcome;
import dev.baton.jackson.JacksonCodec;
import dev.baton.protocol.CommandKind;
import dev.baton.protocol.Headers;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The test kit's simulated participants, with the durable state a participant built on the SDK keeps: a command's
 * effect is applied once per message id and a redelivered command gets the recorded answer; a compensation that
 * arrives before its forward command is recorded as done (nothing to undo) and the late forward command refused.
 * Busy answers are not recorded, so the engine's re-send is executed. Every applied effect is logged. Commands are
 * answered by hand ({@link SentCommand}) or by the responders registered with {@link SagaTestKit#when}.
 */
final class SimulatedParticipants {
    private final ManualClock clock;
    private final JacksonCodec codec;
    private final Map<String, InboundReply> recorded = new HashMap<>();
    private final Set<String> forwardApplied = new HashSet<>();
    private final Set<String> compensatedFirst = new HashSet<>();
    private final List<Effect> effects = new ArrayList<>();
    private final Map<String, Class<?>> typesByName = new HashMap<>();
    private final Map<String, Function<Object, Answer>> responders = new HashMap<>();
    private long replySeq;

    SimulatedParticipants(ManualClock clock, JacksonCodec codec) {
        this.clock = clock;
        this.codec = codec;
    }

    /** From now on, commands of this type are answered with {@code answer} without a test's hand. */
    @SuppressWarnings("unchecked")
    <C> void when(Class<C> commandType, Function<? super C, Answer> answer) {
        String name = MessageType.Names.of(commandType);
        typesByName.put(name, commandType);
        responders.put(name, c -> answer.apply((C) c));
    }

    /** Whether a {@link #when} responder answers this command. */
    boolean answersByItself(OutboxRecord r) {
        return responders.containsKey(r.messageType());
    }

    /** The answer of the command's {@link #when} responder; null when it is silence. */
    InboundReply answerByItself(OutboxRecord r) {
        Object command = codec.decode(r.payload(), typesByName.get(r.messageType()));
        return participate(r, responders.get(r.messageType()).apply(command));
    }

    /** Every effect applied, in order. */
    List<Effect> effects() {
        return effects;
    }

    /** Answers one command; null when the answer is silence. */
    InboundReply participate(OutboxRecord r, Answer answer) {
        InboundReply prior = recorded.get(r.messageId());
        if (prior != null) {
            return withNewId(prior);
        }
        String step = r.headers().get(Headers.STEP);
        String stepKey = r.sagaId().value() + "/" + step;
        boolean compensation = CommandKind.COMPENSATION.wireValue().equals(r.headers().get(Headers.KIND));
        if (compensation && !forwardApplied.contains(stepKey) && !compensatedFirst.contains(stepKey)) {
            compensatedFirst.add(stepKey);
            effects.add(new Effect(r.destination(), r.sagaId(), step, true, true, r.messageId(), r.messageType(), clock.instant()));
            return record(r, ReplyOutcome.SUCCESS, null, "nothing to compensate: the command was never applied");
        }
        if (!compensation && compensatedFirst.contains(stepKey)) {
            return record(r, ReplyOutcome.FAILURE, null, "refused: this command was compensated before it arrived");
        }
        return switch (answer) {
            case Answer.Success s -> {
                if (!compensation) {
                    forwardApplied.add(stepKey);
                }
                effects.add(new Effect(r.destination(), r.sagaId(), step, compensation, false, r.messageId(), r.messageType(),
                        clock.instant()));
                yield record(r, ReplyOutcome.SUCCESS, s.reply(), null);
            }
            case Answer.Failure f -> record(r, ReplyOutcome.FAILURE, null, f.reason());
            case Answer.Busy b -> reply(r, ReplyOutcome.RETRY_LATER, null, b.reason());
            case Answer.Error e -> reply(r, ReplyOutcome.ERROR, null, e.reason());
            case Answer.Silence s -> null;
        };
    }

    private InboundReply record(OutboxRecord r, ReplyOutcome outcome, Object payload, String reason) {
        InboundReply reply = reply(r, outcome, payload, reason);
        recorded.put(r.messageId(), reply);
        return reply;
    }

    private InboundReply reply(OutboxRecord r, ReplyOutcome outcome, Object payload, String reason) {
        return new InboundReply("reply-" + (++replySeq), r.messageId(), r.sagaId(), outcome,
                payload == null ? null : MessageType.Names.of(payload.getClass()), payload == null ? null : codec.encode(payload),
                reason);
    }

    private InboundReply withNewId(InboundReply r) {
        return new InboundReply("reply-" + (++replySeq), r.correlationId(), r.sagaId(), r.outcome(), r.payloadType(),
                r.payload(), r.reason());
    }
}
