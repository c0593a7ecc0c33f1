package dev.baton.participant;

import dev.baton.protocol.CommandKind;
import dev.baton.protocol.Headers;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The participant's spans: one {@code CONSUMER} span per handling of a command, the child of the command's
 * {@code traceparent} (the engine's span of that attempt), current while the handler runs, so that the service's own
 * instrumentation (JDBC, HTTP clients) nests under it; the reply carries its context back. Off (a no-op
 * {@link OpenTelemetry}, the default): the command is handled without any of it, and the reply copies the command's
 * {@code traceparent} as before. Thread-safe.
 */
final class ParticipantTracing {
    static final ParticipantTracing OFF = new ParticipantTracing(null, null);
    static final String SCOPE = "dev.baton.participant";

    private static final AttributeKey<String> PARTICIPANT = AttributeKey.stringKey("baton.participant");
    private static final AttributeKey<String> SAGA_ID = AttributeKey.stringKey("baton.saga.id");
    private static final AttributeKey<String> SAGA_TYPE = AttributeKey.stringKey("baton.saga.type");
    private static final AttributeKey<String> STEP = AttributeKey.stringKey("baton.step");
    private static final AttributeKey<String> DIRECTION = AttributeKey.stringKey("baton.direction");
    private static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("baton.attempt");
    private static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("baton.outcome");
    private static final AttributeKey<String> DISPOSITION = AttributeKey.stringKey("baton.disposition");
    private static final AttributeKey<String> MESSAGE_ID = AttributeKey.stringKey("messaging.message.id");
    private static final AttributeKey<String> MESSAGE_TYPE = AttributeKey.stringKey("baton.message.type");
    private static final AttributeKey<String> OPERATION_TYPE = AttributeKey.stringKey("messaging.operation.type");
    private static final AttributeKey<String> OPERATION_NAME = AttributeKey.stringKey("messaging.operation.name");

    private static final TextMapGetter<IncomingCommand> GETTER = (carrier, key) -> carrier == null ? null : carrier.header(key);

    private final Tracer tracer;
    private final String participant;

    private ParticipantTracing(Tracer tracer, String participant) {
        this.tracer = tracer;
        this.participant = participant;
    }

    static ParticipantTracing of(OpenTelemetry otel, String participant) {
        if (otel == null || otel == OpenTelemetry.noop()
                || otel.getTracerProvider() == io.opentelemetry.api.trace.TracerProvider.noop()) {
            return OFF;
        }
        return new ParticipantTracing(otel.getTracer(SCOPE), participant);
    }

    boolean on() {
        return tracer != null;
    }

    /**
     * Runs {@code work} (one handling of {@code command}: its transaction's part) inside the command's span. The span
     * ends when {@code work} returns or throws; a transaction that is then rolled back and run again (contention, a
     * batch that did not commit) shows as a second span of the same command.
     */
    HandlingResult handle(CommandHeaders p, IncomingCommand command, Supplier<HandlingResult> work) {
        if (tracer == null) {
            return work.get();
        }
        Context parent = W3CTraceContextPropagator.getInstance().extract(Context.root(), command, GETTER);
        Span span = tracer.spanBuilder("handle " + p.messageType())
                .setParent(parent)
                .setSpanKind(SpanKind.CONSUMER)
                .setAttribute(PARTICIPANT, participant)
                .setAttribute(SAGA_ID, p.sagaId())
                .setAttribute(STEP, p.step())
                .setAttribute(DIRECTION, p.kind() == CommandKind.COMMAND ? "forward" : "compensate")
                .setAttribute(ATTEMPT, (long) p.attempt())
                .setAttribute(MESSAGE_ID, p.messageId())
                .setAttribute(MESSAGE_TYPE, p.messageType())
                .setAttribute(OPERATION_TYPE, "process")
                .setAttribute(OPERATION_NAME, "process")
                .startSpan();
        String sagaType = command.header(Headers.SAGA_TYPE);
        if (sagaType != null) {
            span.setAttribute(SAGA_TYPE, sagaType);
        }
        Scope scope = span.makeCurrent();
        try {
            HandlingResult result = work.get();
            outcome(span, result);
            return result;
        } catch (StepDecider.RollbackWith r) {
            outcome(span, r.reply);
            throw r;
        } catch (RuntimeException | Error e) {
            span.recordException(e);
            span.setStatus(StatusCode.ERROR, e.toString());
            throw e;
        } finally {
            scope.close();
            span.end();
        }
    }

    private static void outcome(Span span, HandlingResult result) {
        switch (result) {
            case Reply r -> {
                span.setAttribute(OUTCOME, r.outcome().name().toLowerCase(Locale.ROOT));
                span.setAttribute(DISPOSITION, r.disposition().name().toLowerCase(Locale.ROOT));
                if (r.outcome() == dev.baton.protocol.ReplyOutcome.FAILURE || r.error()) {
                    span.setStatus(StatusCode.ERROR, r.reason() == null ? r.outcome().name() : r.reason());
                }
            }
            case Rejected r -> {
                span.setAttribute(OUTCOME, "rejected");
                span.setStatus(StatusCode.ERROR, r.reason());
            }
            case Unavailable u -> {
                span.setAttribute(OUTCOME, "unavailable");
                span.setStatus(StatusCode.ERROR, u.reason());
            }
        }
    }

    /**
     * The {@code traceparent} for a reply built now: the current span's (the command's, while tracing is on), else
     * null (the reply copies the command's).
     */
    String replyTraceparent() {
        if (tracer == null) {
            return null;
        }
        SpanContext sc = Span.current().getSpanContext();
        if (!sc.isValid()) {
            return null;
        }
        return "00-" + sc.getTraceId() + "-" + sc.getSpanId() + (sc.isSampled() ? "-01" : "-00");
    }
}
