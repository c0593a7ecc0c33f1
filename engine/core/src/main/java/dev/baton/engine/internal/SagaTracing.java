package dev.baton.engine.internal;

import dev.baton.engine.HistoryKind;
import dev.baton.engine.SagaId;
import dev.baton.engine.spi.InboundReply;
import dev.baton.engine.spi.TimerKind;
import dev.baton.engine.spi.Transport;
import dev.baton.protocol.Headers;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's spans (see {@code docs/observability.md}, "Traces"). A saga is one trace whose id derives from the saga
 * id ({@link SagaId#traceId()}). Each command sent (a step's or a compensation's, per attempt) opens a span whose
 * context is the command's {@code traceparent}, so the participant's span is its child; the span ends, with the
 * attempt's outcome, when this node applies the answer, the timeout, or whatever else ended the attempt.
 *
 * <p><b>Spans live in the memory of the node that sent the command.</b> They cannot be persisted. When another node
 * (or this one after a restart) ends the attempt, it records a short {@code reply} span instead: the child of the
 * participant's span (from the reply's {@code traceparent}), with the outcome; and the sending node ends its span when
 * the attempt's timeout is past, with the outcome {@code not_seen}. A node that closes ends what it holds as
 * {@code unfinished}. A crash loses the spans it held, as any process's unexported spans.
 *
 * <p><b>Off</b> ({@link #OFF}, or a no-op {@link OpenTelemetry}): nothing is allocated but the {@code traceparent}
 * string, whose span id is then random. Thread-safe.
 */
final class SagaTracing {
    private static final Logger log = LoggerFactory.getLogger(SagaTracing.class);
    /** Tracing off: commands still carry a traceparent (the saga's trace id, a random span id). */
    static final SagaTracing OFF = new SagaTracing(null, null, p -> p, Clock.systemUTC());

    static final String SCOPE = "dev.baton.engine";

    static final AttributeKey<String> SAGA_ID = AttributeKey.stringKey("baton.saga.id");
    static final AttributeKey<String> SAGA_TYPE = AttributeKey.stringKey("baton.saga.type");
    static final AttributeKey<String> STEP = AttributeKey.stringKey("baton.step");
    static final AttributeKey<String> DIRECTION = AttributeKey.stringKey("baton.direction");
    static final AttributeKey<String> PARTICIPANT = AttributeKey.stringKey("baton.participant");
    static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("baton.attempt");
    static final AttributeKey<Long> INVOCATION = AttributeKey.longKey("baton.invocation");
    static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("baton.outcome");
    static final AttributeKey<String> STATUS = AttributeKey.stringKey("baton.saga.status");
    static final AttributeKey<String> DETAIL = AttributeKey.stringKey("baton.detail");
    static final AttributeKey<String> MESSAGING_SYSTEM = AttributeKey.stringKey("messaging.system");
    static final AttributeKey<String> DESTINATION = AttributeKey.stringKey("messaging.destination.name");
    static final AttributeKey<String> MESSAGE_ID = AttributeKey.stringKey("messaging.message.id");
    static final AttributeKey<String> OPERATION_TYPE = AttributeKey.stringKey("messaging.operation.type");
    static final AttributeKey<String> OPERATION_NAME = AttributeKey.stringKey("messaging.operation.name");

    /** History kinds that become span events (the others are what the spans themselves say). */
    private static final Set<HistoryKind> EVENTS = Set.of(HistoryKind.TIMED_OUT, HistoryKind.RETRY_SCHEDULED,
            HistoryKind.PARKED, HistoryKind.RESUMED, HistoryKind.GAVE_UP, HistoryKind.OPERATOR_ACTION,
            HistoryKind.COMPENSATION_STARTED, HistoryKind.STEP_FAILED, HistoryKind.COMPENSATION_FAILED,
            HistoryKind.NOT_SENT, HistoryKind.COMPLETED, HistoryKind.COMPENSATED, HistoryKind.FAILED,
            HistoryKind.STEP_SKIPPED, HistoryKind.STEP_DEGRADED);

    /** How long past an attempt's timeout the sending node keeps its span for an answer applied here. */
    static final Duration KEEP_PAST_TIMEOUT = Duration.ofMinutes(1);
    /** Kept when a command has no timeout timer (none in practice). */
    private static final Duration KEEP_WITHOUT_TIMEOUT = Duration.ofMinutes(10);
    private static final long SWEEP_EVERY_NANOS = Duration.ofSeconds(1).toNanos();

    private static final TextMapGetter<Map<String, String>> MAP_GETTER = (carrier, key) ->
            carrier == null ? null : carrier.get(key);

    private final Tracer tracer;
    private final String messagingSystem;
    private final Function<String, String> destinations;
    private final Clock clock;
    /** The spans of attempts this node sent and whose end it has not seen, by {@link #key}. */
    private final Map<String, Held> inFlight = new ConcurrentHashMap<>();
    private final AtomicLong nextSweep = new AtomicLong(System.nanoTime());

    private record Held(Span span, Instant deadline) {}

    private SagaTracing(Tracer tracer, String messagingSystem, Function<String, String> destinations, Clock clock) {
        this.tracer = tracer;
        this.clock = clock;
        this.messagingSystem = messagingSystem;
        this.destinations = destinations;
    }

    /** Tracing through {@code otel}; {@link #OFF} when it is null or the no-op instance. */
    static SagaTracing of(OpenTelemetry otel, Transport transport, Clock clock) {
        // GlobalOpenTelemetry.get() with nothing registered wraps the no-op in another object: its tracer provider
        // is still the no-op one, so it is off too
        if (otel == null || otel == OpenTelemetry.noop()
                || otel.getTracerProvider() == io.opentelemetry.api.trace.TracerProvider.noop()) {
            return OFF;
        }
        return new SagaTracing(otel.getTracer(SCOPE), transport.messagingSystem(), transport::destination, clock);
    }

    boolean on() {
        return tracer != null;
    }

    /** How many attempt spans this node holds (for tests). */
    int held() {
        return inFlight.size();
    }

    // ---------------------------------------------------------------- in the transaction

    /**
     * The {@code traceparent} of a command being written. With tracing on, opens the attempt's span (started at
     * {@code now}) and notes it in {@code fx}; it is kept once the transaction commits, and dropped, never exported,
     * if it does not (no participant can ever see a context that was not written).
     */
    String commandSent(SagaState s, Decision.Command c, Decision d, Instant now, Effects fx) {
        SagaId id = s.id();
        if (tracer == null) {
            return traceparent(id.traceId(), randomSpanId(), true);
        }
        boolean forward = c.direction() == Execution.Direction.FORWARD;
        int invocation = invocationOf(c.messageId());
        SpanBuilder b = tracer.spanBuilder((forward ? "step " : "compensate ") + c.step())
                .setParent(Context.root().with(Span.wrap(sagaContext(id))))
                .setSpanKind(SpanKind.PRODUCER)
                .setStartTimestamp(now)
                .setAttribute(SAGA_ID, id.value())
                .setAttribute(SAGA_TYPE, s.type())
                .setAttribute(STEP, c.step())
                .setAttribute(DIRECTION, forward ? "forward" : "compensate")
                .setAttribute(PARTICIPANT, c.participant())
                .setAttribute(ATTEMPT, (long) c.attempt())
                .setAttribute(INVOCATION, (long) invocation)
                .setAttribute(MESSAGE_ID, c.messageId())
                .setAttribute(DESTINATION, destinations.apply(c.participant()))
                .setAttribute(OPERATION_TYPE, "send")
                .setAttribute(OPERATION_NAME, "send");
        if (messagingSystem != null) {
            b.setAttribute(MESSAGING_SYSTEM, messagingSystem);
        }
        Span span = b.startSpan();
        Instant deadline = null;
        for (Decision.Timer t : d.timers()) {
            if (t.kind() == TimerKind.TIMEOUT && t.step().equals(c.step())) {
                deadline = t.fireAt().plus(KEEP_PAST_TIMEOUT);
            }
        }
        fx.spans.put(key(c.messageId(), c.attempt()), new Effects.PendingSpan(span,
                deadline != null ? deadline : now.plus(KEEP_WITHOUT_TIMEOUT)));
        SpanContext sc = span.getSpanContext();
        return traceparent(sc.getTraceId(), sc.getSpanId(), sc.isSampled());
    }

    // ---------------------------------------------------------------- after commit

    /** A transaction committed: keeps the spans of the commands it wrote, ends those of attempts it ended. */
    void committed(Effects fx) {
        if (tracer == null) {
            return;
        }
        for (Effects.Change c : fx.changes) {
            try {
                changed(c, fx);
            } catch (RuntimeException e) { // tracing must never break the engine
                log.warn("recording the spans of saga {} failed", c.after().id(), e);
            }
        }
        fx.spans.clear(); // written by a part of the transaction that did not commit (a batch's failed item)
        sweep(null);
    }

    private void changed(Effects.Change c, Effects fx) {
        SagaState s = c.after();
        List<Decision.Entry> history = c.decision().history();
        List<Execution.Cursor> befores = c.beforeExec() == null ? List.of() : c.beforeExec().cursors();
        List<Span> started = new ArrayList<>(c.decision().commands().size());
        for (Decision.Command cmd : c.decision().commands()) {
            Effects.PendingSpan p = fx.spans.remove(key(cmd.messageId(), cmd.attempt()));
            if (p != null) {
                started.add(p.span());
                Held old = inFlight.put(key(cmd.messageId(), cmd.attempt()), new Held(p.span(), p.deadline()));
                if (old != null) {
                    end(old.span(), "superseded", c.at(), List.of());
                }
            }
        }
        List<Decision.Entry> events = history.stream().filter(e -> EVENTS.contains(e.kind())).toList();
        boolean ended = false;
        for (Execution.Cursor before : befores) {
            // one cursor outside a parallel group; one per open branch inside one, each ended on its own
            Execution.Cursor after = s.exec().cursorOf(before.step()).orElse(null);
            boolean timedOut = history.stream().anyMatch(e -> e.kind() == HistoryKind.TIMED_OUT
                    && (befores.size() == 1 || before.step().equals(e.step())));
            if (!before.awaiting() || (after != null && after.awaiting() && sameAttempt(before, after) && !timedOut)) {
                continue;
            }
            List<Decision.Entry> own = befores.size() == 1 ? events
                    : events.stream().filter(e -> before.step().equals(e.step())).toList();
            String messageId = StateMachine.messageId(s.id(), before);
            Held held = inFlight.remove(key(messageId, before.attempt()));
            String outcome = outcome(c, messageId, timedOut, history);
            if (held != null) {
                addEvents(held.span(), own, c.at(), s);
                end(held.span(), outcome, c.at(), history);
                ended = true;
            } else if ((c.reply() != null && c.reply().correlationId().equals(messageId)) || timedOut
                    || (befores.size() == 1 && c.reply() != null)) {
                // the attempt was sent by another node, or by this one before a restart: record what ended it here
                Span span = endedElsewhere(c, before, messageId, outcome);
                addEvents(span, own, c.at(), s);
                end(span, outcome, c.at(), history);
                ended = true;
            }
        }
        if (ended) {
            return;
        }
        if (events.isEmpty()) {
            return;
        }
        if (!started.isEmpty()) {
            addEvents(started.get(0), events, c.at(), s);
            return;
        }
        // nothing in flight to carry them (an operator action on a halted saga, a park released later): a span of its own
        Span span = tracer.spanBuilder("saga " + events.get(0).kind().name().toLowerCase(Locale.ROOT))
                .setParent(Context.root().with(Span.wrap(sagaContext(s.id()))))
                .setSpanKind(SpanKind.INTERNAL)
                .setStartTimestamp(c.at())
                .setAttribute(SAGA_ID, s.id().value())
                .setAttribute(SAGA_TYPE, s.type())
                .startSpan();
        if (s.currentStep() != null) {
            span.setAttribute(STEP, s.currentStep());
        }
        addEvents(span, events, c.at(), s);
        span.setAttribute(STATUS, s.status().name());
        span.end(c.at());
    }

    /** The span recorded where an attempt ended that this node did not send (or sent before a restart). */
    private Span endedElsewhere(Effects.Change c, Execution.Cursor before, String messageId, String outcome) {
        SagaState s = c.after();
        Context parent = null;
        if (c.reply() != null && c.reply().headers().get(Headers.TRACEPARENT) != null) {
            Context extracted = W3CTraceContextPropagator.getInstance().extract(Context.root(), c.reply().headers(), MAP_GETTER);
            if (Span.fromContext(extracted).getSpanContext().isValid()) {
                parent = extracted;
            }
        }
        if (parent == null) {
            parent = Context.root().with(Span.wrap(sagaContext(s.id())));
        }
        boolean forward = before.direction() == Execution.Direction.FORWARD;
        SpanBuilder b = tracer.spanBuilder((c.reply() != null ? "reply " : "timeout ") + before.step())
                .setParent(parent)
                .setSpanKind(c.reply() != null ? SpanKind.CONSUMER : SpanKind.INTERNAL)
                .setStartTimestamp(c.at())
                .setAttribute(SAGA_ID, s.id().value())
                .setAttribute(SAGA_TYPE, s.type())
                .setAttribute(STEP, before.step())
                .setAttribute(DIRECTION, forward ? "forward" : "compensate")
                .setAttribute(ATTEMPT, (long) before.attempt())
                .setAttribute(INVOCATION, (long) before.execution())
                .setAttribute(MESSAGE_ID, c.reply() != null ? c.reply().messageId() : messageId)
                .setAttribute(AttributeKey.stringKey("messaging.message.conversation_id"), messageId);
        if (c.reply() != null) {
            b.setAttribute(OPERATION_TYPE, "process").setAttribute(OPERATION_NAME, "process");
            if (messagingSystem != null) {
                b.setAttribute(MESSAGING_SYSTEM, messagingSystem);
            }
        }
        b.setAttribute(OUTCOME, outcome);
        return b.startSpan();
    }

    private static String outcome(Effects.Change c, String messageId, boolean timedOut, List<Decision.Entry> history) {
        InboundReply r = c.reply();
        if (r != null && r.correlationId().equals(messageId)) {
            return r.outcome().name().toLowerCase(Locale.ROOT);
        }
        if (timedOut) {
            return "timeout";
        }
        for (Decision.Entry e : history) {
            if (e.kind() == HistoryKind.OPERATOR_ACTION) {
                return "operator";
            }
            if (e.kind() == HistoryKind.GAVE_UP) {
                return "gave_up";
            }
        }
        return "superseded";
    }

    private static boolean sameAttempt(Execution.Cursor a, Execution.Cursor b) {
        return a.step().equals(b.step()) && a.direction() == b.direction() && a.execution() == b.execution()
                && a.attempt() == b.attempt();
    }

    private static void addEvents(Span span, List<Decision.Entry> events, Instant at, SagaState s) {
        for (Decision.Entry e : events) {
            AttributesBuilder a = Attributes.builder();
            if (e.step() != null) {
                a.put(STEP, e.step());
            }
            if (e.detail() != null) {
                a.put(DETAIL, e.detail());
            }
            if (e.kind() == HistoryKind.PARKED && s.pendingState() != null) {
                a.put(AttributeKey.stringKey("baton.pending_state"), s.pendingState());
            }
            span.addEvent(e.kind().name().toLowerCase(Locale.ROOT), a.build(), at);
        }
    }

    private static void end(Span span, String outcome, Instant at, List<Decision.Entry> history) {
        span.setAttribute(OUTCOME, outcome);
        switch (outcome) {
            case "failure", "error", "timeout", "not_seen", "gave_up" -> span.setStatus(StatusCode.ERROR,
                    history.stream().filter(e -> e.detail() != null && (e.kind() == HistoryKind.STEP_FAILED
                            || e.kind() == HistoryKind.TIMED_OUT || e.kind() == HistoryKind.COMPENSATION_FAILED
                            || e.kind() == HistoryKind.GAVE_UP)).map(Decision.Entry::detail).findFirst().orElse(outcome));
            default -> { }
        }
        span.end(at);
    }

    /**
     * Ends the spans whose attempts ended where this node could not see it (past their timeout, with the outcome
     * {@code not_seen}); at most once a second (of the engine's clock's time: virtual in tests) unless {@code now} is
     * given.
     */
    void sweep(Instant now) {
        long t = System.nanoTime();
        long next = nextSweep.get();
        if (now == null && (t - next < 0 || !nextSweep.compareAndSet(next, t + SWEEP_EVERY_NANOS))) {
            return;
        }
        Instant at = now != null ? now : clock.instant();
        for (Iterator<Map.Entry<String, Held>> it = inFlight.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Held> e = it.next();
            if (e.getValue().deadline().isBefore(at) && inFlight.remove(e.getKey(), e.getValue())) {
                end(e.getValue().span(), "not_seen", e.getValue().deadline(), List.of());
            }
        }
    }

    /** The engine closes: ends every span it holds, as {@code unfinished}. */
    void close() {
        for (Iterator<Map.Entry<String, Held>> it = inFlight.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Held> e = it.next();
            if (inFlight.remove(e.getKey(), e.getValue())) {
                e.getValue().span().setAttribute(OUTCOME, "unfinished");
                e.getValue().span().end(clock.instant());
            }
        }
    }

    // ---------------------------------------------------------------- ids

    static String key(String messageId, int attempt) {
        return messageId + "#" + attempt;
    }

    /** The invocation number at the end of a message id ({@code <saga>/<step>/<do|undo>/<invocation>}), else 1. */
    private static int invocationOf(String messageId) {
        int slash = messageId.lastIndexOf('/');
        try {
            return slash < 0 ? 1 : Integer.parseInt(messageId.substring(slash + 1));
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    /**
     * The saga's own span context: its trace id ({@link SagaId#traceId()}) and a span id derived from the saga id.
     * The parent of every span the engine records for the saga, on every node; no span with this id is exported (a
     * saga can outlive any process), so tracing UIs show the steps as the trace's top level.
     */
    static SpanContext sagaContext(SagaId id) {
        return SpanContext.createFromRemoteParent(id.traceId(), sagaSpanId(id), TraceFlags.getSampled(),
                TraceState.getDefault());
    }

    /** A span id from the saga id alone: bytes 16 to 23 of the SHA-256 of {@code "baton-saga:" + id}. */
    static String sagaSpanId(SagaId id) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(("baton-saga:" + id.value()).getBytes(StandardCharsets.UTF_8));
            String hex = HexFormat.of().formatHex(d, 16, 24);
            return hex.equals("0000000000000000") ? "0000000000000001" : hex;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }

    /** A random, non-zero span id (16 hex digits), for commands sent while tracing is off. */
    static String randomSpanId() {
        long v;
        do {
            v = ThreadLocalRandom.current().nextLong();
        } while (v == 0);
        return HexFormat.of().toHexDigits(v);
    }

    static String traceparent(String traceId, String spanId, boolean sampled) {
        return "00-" + traceId + "-" + spanId + (sampled ? "-01" : "-00");
    }
}
