package dev.baton.engine.internal;

import dev.baton.dsl.MessageType;
import dev.baton.dsl.SagaDefinition;
import dev.baton.dsl.StepDefinition;
import dev.baton.engine.HistoryKind;
import dev.baton.engine.SagaCodecException;
import dev.baton.engine.SagaId;
import dev.baton.engine.SagaView;
import dev.baton.engine.spi.Codec;
import dev.baton.engine.spi.HistoryRecord;
import dev.baton.engine.spi.InboundReply;
import dev.baton.engine.spi.OutboxRecord;
import dev.baton.engine.spi.ReplyOutcome;
import dev.baton.engine.spi.SagaRecord;
import dev.baton.engine.spi.SagaWrite;
import dev.baton.engine.spi.TimerRecord;
import dev.baton.protocol.CommandKind;
import dev.baton.protocol.Headers;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Between stored rows and the state machine's values: decodes a {@link SagaRecord} into a {@link SagaState} or a
 * {@link SagaView}, and encodes a {@link Decision} into the rows one transaction writes (the saga, its history,
 * outbox rows with the protocol's headers, timers). The user's data, commands and replies go through the user's
 * {@link Codec}; the engine's own execution state through {@link ExecutionFormat}, which no user setting changes.
 */
final class SagaRecordMapper {
    private final Definitions definitions;
    private final Codec codec;
    private final Supplier<SagaId> ids;
    private final boolean messagesInReasons;
    private final boolean historyPayloads;
    private final SagaTracing tracing;

    SagaRecordMapper(Definitions definitions, Codec codec, Supplier<SagaId> ids, boolean messagesInReasons,
                     boolean historyPayloads, SagaTracing tracing) {
        this.historyPayloads = historyPayloads;
        this.definitions = definitions;
        this.tracing = tracing;
        this.codec = codec;
        this.ids = ids;
        this.messagesInReasons = messagesInReasons;
    }

    /** The definition the saga runs on. @throws dev.baton.engine.SagaDefinitionMismatchException when not registered */
    SagaDefinition<?> definitionOf(SagaRecord r) {
        return definitions.get(r.type(), r.definitionVersion(), r.id().value());
    }

    SagaState decode(SagaRecord r, SagaDefinition<?> def) {
        if (!def.dataTypeName().equals(r.dataType())) {
            throw new SagaCodecException("saga " + r.id() + " stores data of type '" + r.dataType() + "' but '" + def.type()
                    + "' v" + def.version() + " expects '" + def.dataTypeName() + "'", null);
        }
        Object data = codec.decode(r.data(), def.dataType());
        Execution e = ExecutionFormat.decode(r.execution());
        return new SagaState(r.id(), r.type(), r.definitionVersion(), r.businessKey(), r.status(), r.pendingState(), r.reason(),
                data, e, r.version(), r.createdAt(), r.updatedAt());
    }

    /** A snapshot from a stored record (decoding data and execution state). */
    SagaView view(SagaRecord r) {
        SagaDefinition<?> def = definitionOf(r);
        Execution e = ExecutionFormat.decode(r.execution());
        Object data = codec.decode(r.data(), def.dataType());
        return new SagaView(r.id(), r.type(), r.definitionVersion(), r.status(), r.pendingState(), r.reason(), r.currentStep(),
                r.businessKey(), data, e.completed(), e.compensated(), r.version(), r.createdAt(), r.updatedAt());
    }

    /**
     * The payload of a SUCCESS that answers the awaited step's forward command, as the step's declared reply type;
     * null when it has none or declares none, or for any other reply (their payloads are not read). A payload the
     * codec cannot read gives an {@link UnreadableReply}, which fails the saga if the reply answers the outstanding
     * command.
     */
    Object decodeReply(SagaState state, SagaDefinition<?> def, InboundReply r) {
        Execution.Cursor c = state.exec().cursors().stream()
                .filter(x -> StateMachine.messageId(state.id(), x).equals(r.correlationId())).findFirst()
                .orElse(state.exec().cursor());
        if (r.payload() == null || r.payloadType() == null || c == null || r.outcome() != ReplyOutcome.SUCCESS
                || c.direction() != Execution.Direction.FORWARD) {
            return null;
        }
        Optional<? extends StepDefinition<?>> step = def.step(c.step());
        if (step.isEmpty()) {
            return null;
        }
        Class<?> type = step.get().replyTypes().get(r.payloadType());
        if (type == null) {
            return null;
        }
        try {
            return codec.decode(r.payload(), type);
        } catch (SagaCodecException e) {
            return new UnreadableReply(r.payloadType(), e.field().orElse(""),
                    e.field().isPresent() ? UnreadableReply.valueless(e.problem()) : "does not fit the reply type");
        }
    }

    /**
     * Encodes a decision's state and effects for writing and notes them in {@code effects}; {@code before} is null
     * for a new saga. Nothing is noted when encoding fails, and nothing has been written yet.
     */
    SagaWrite encode(SagaRecord before, SagaState beforeState, Decision d, SagaDefinition<?> def, Instant now,
                     Effects effects) {
        SagaState s = d.state();
        SagaRecord after = new SagaRecord(s.id(), s.type(), s.definitionVersion(), s.status(), s.pendingState(), s.currentStep(),
                s.businessKey(), def.dataTypeName(), codec.encode(s.data()), ExecutionFormat.encode(s.exec()),
                withMessages(s.reason(), d),
                before == null ? 1 : before.version() + 1, s.createdAt(), now);
        List<OutboxRecord> out = new ArrayList<>(d.commands().size());
        Map<String, String> sentPayloads = historyPayloads && !d.commands().isEmpty() ? new HashMap<>() : Map.of();
        for (Decision.Command c : d.commands()) {
            String type = MessageType.Names.of(c.payload().getClass());
            String payload = codec.encode(c.payload());
            if (historyPayloads) {
                sentPayloads.putIfAbsent(sentKey(c.direction() == Execution.Direction.FORWARD
                        ? HistoryKind.COMMAND_SENT : HistoryKind.COMPENSATION_SENT, c.step()), payload);
            }
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put(Headers.MESSAGE_ID, c.messageId());
            headers.put(Headers.SAGA_ID, s.id().value());
            headers.put(Headers.SAGA_TYPE, s.type());
            headers.put(Headers.STEP, c.step());
            headers.put(Headers.ATTEMPT, Integer.toString(c.attempt()));
            headers.put(Headers.MESSAGE_TYPE, type);
            headers.put(Headers.KIND, (c.direction() == Execution.Direction.FORWARD ? CommandKind.COMMAND
                    : CommandKind.COMPENSATION).wireValue());
            headers.put(Headers.TRACEPARENT, tracing.commandSent(s, c, d, now, effects));
            out.add(new OutboxRecord(ids.get().value(), s.id(), c.participant(), c.messageId(), type, headers, payload, now));
        }
        List<HistoryRecord> history = new ArrayList<>(d.history().size());
        for (Decision.Entry e : d.history()) {
            String payload = !historyPayloads ? null
                    : e.kind() == HistoryKind.COMMAND_SENT || e.kind() == HistoryKind.COMPENSATION_SENT
                    ? sentPayloads.get(sentKey(e.kind(), e.step())) : e.payload();
            history.add(new HistoryRecord(0, s.id(), now, e.kind(), e.step(), withMessages(e.detail(), d), payload));
        }
        List<TimerRecord> timers = new ArrayList<>(d.timers().size());
        for (Decision.Timer t : d.timers()) {
            timers.add(new TimerRecord(s.id(), t.kind(), t.step(), t.token(), t.fireAt(), t.participant()));
        }
        SagaWrite write = new SagaWrite(after, before == null, history, out, d.cancelTimers(), timers,
                d.cancelStepTimers().stream().map(t -> new SagaWrite.TimerKey(t.kind(), t.step())).toList());
        effects.outbox.addAll(out);
        effects.changes.add(new Effects.Change(before == null ? null : before.status(),
                beforeState == null ? null : beforeState.exec(), s, d, now));
        return write;
    }

    private static String sentKey(HistoryKind kind, String step) {
        return kind.name() + ' ' + step;
    }

    /**
     * {@code text} with the message of each user exception of the decision after its error id, when the engine was
     * built to show them ({@code SagaEngineBuilder#exceptionMessagesInReasons}); {@code text} itself otherwise.
     */
    private String withMessages(String text, Decision d) {
        if (!messagesInReasons || text == null || d.errors().isEmpty()) {
            return text;
        }
        String out = text;
        for (Decision.UserError e : d.errors()) {
            if (e.error().getMessage() != null) {
                String tag = "(error id " + e.id() + ")";
                out = out.replace(tag, tag + ": " + e.error().getMessage());
            }
        }
        return out;
    }
}
