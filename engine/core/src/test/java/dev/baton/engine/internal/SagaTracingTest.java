package dev.baton.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.engine.HistoryKind;
import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.spi.InboundReply;
import dev.baton.engine.spi.OutboxRecord;
import dev.baton.engine.spi.ReplyOutcome;
import dev.baton.engine.spi.Transport;
import dev.baton.engine.spi.TimerKind;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The id path of the engine's traces: the trace id each command carries, and span ids that never collide. The
 * end-to-end structure (engine spans, participant spans, events) is checked over a real broker by
 * {@code TracingFlowTest} in baton-participant-kafka.
 */
class SagaTracingTest {
    private static final int SAGAS = 10_000;
    private static final List<String> STEPS = List.of("create-order", "reserve-stock", "authorize-payment", "ship-order");
    private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");

    @Test
    @DisplayName("tracing on: 10,000 sagas of four commands each, every span id unique, every trace id the saga's")
    void uniqueSpanIdsWithTheSdk() {
        InMemorySpanExporter exporter = InMemorySpanExporter.create();
        try (OpenTelemetrySdk otel = OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder()
                .addSpanProcessor(SimpleSpanProcessor.create(exporter)).build()).build()) {
            SagaTracing tracing = SagaTracing.of(otel, new NoTransport(), Clock.fixed(NOW, ZoneOffset.UTC));
            assertThat(tracing.on()).isTrue();
            assertUnique(tracing);
        }
    }

    @Test
    @DisplayName("tracing off (no OpenTelemetry, or the no-op one): still a unique random span id per command, the saga's trace id")
    void uniqueSpanIdsWhenOff() {
        SagaTracing off = SagaTracing.of(OpenTelemetry.noop(), new NoTransport(), Clock.systemUTC());
        assertThat(off).isSameAs(SagaTracing.OFF);
        assertThat(SagaTracing.of(null, new NoTransport(), Clock.systemUTC())).isSameAs(SagaTracing.OFF);
        assertUnique(off);
    }

    @Test
    @DisplayName("a span opened in a transaction that does not commit is dropped, never exported")
    void rolledBackSpansAreDropped() {
        InMemorySpanExporter exporter = InMemorySpanExporter.create();
        try (OpenTelemetrySdk otel = OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder()
                .addSpanProcessor(SimpleSpanProcessor.create(exporter)).build()).build()) {
            SagaTracing tracing = SagaTracing.of(otel, new NoTransport(), Clock.fixed(NOW, ZoneOffset.UTC));
            Effects fx = new Effects(null);
            SagaState s = state(SagaId.of("0197a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b"));
            Decision.Command c = command(s.id(), "create-order", 1);
            tracing.commandSent(s, c, decision(s, c), NOW, fx);
            assertThat(fx.spans).hasSize(1);
            fx.reset();
            assertThat(fx.spans).isEmpty();
            tracing.committed(fx);
            tracing.close();
            assertThat(tracing.held()).isZero();
            assertThat(exporter.getFinishedSpanItems()).isEmpty();
        }
    }

    @Test
    @DisplayName("an answer applied where the span is not held (another node, a restart): a 'reply' span, child of the"
            + " participant's; the sending node ends its span as not_seen once the timeout is past")
    void answerAppliedElsewhere() {
        InMemorySpanExporter exporter = InMemorySpanExporter.create();
        try (OpenTelemetrySdk otel = OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder()
                .addSpanProcessor(SimpleSpanProcessor.create(exporter)).build()).build()) {
            SagaTracing sender = SagaTracing.of(otel, new NoTransport(), Clock.fixed(NOW, ZoneOffset.UTC));
            SagaTracing applier = SagaTracing.of(otel, new NoTransport(), Clock.fixed(NOW, ZoneOffset.UTC));
            SagaState s = state(SagaId.of("0197a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b"));
            Decision.Command c = command(s.id(), "create-order", 1);
            Decision sent = decision(s, c);
            Effects fx = new Effects(null);
            String traceparent = sender.commandSent(s, c, sent, NOW, fx);
            Execution.Cursor awaiting = new Execution.Cursor("create-order", Execution.Direction.FORWARD, 1, 1, 1, true,
                    false, NOW);
            SagaState afterSend = s.withExec(Execution.initial().withCursor(awaiting));
            fx.changes.add(new Effects.Change(SagaStatus.RUNNING, Execution.initial(), afterSend, sent, NOW));
            sender.committed(fx);
            assertThat(sender.held()).isOne();

            String participantSpan = "00f067aa0ba902b7";
            InboundReply reply = new InboundReply("r-1", c.messageId(), s.id(), ReplyOutcome.SUCCESS, null, null, null,
                    null, Map.of("traceparent", "00-" + s.id().traceId() + "-" + participantSpan + "-01"));
            SagaState done = afterSend.withExec(Execution.initial().complete("create-order"));
            Decision applied = new Decision(done, List.of(), List.of(), Set.of(TimerKind.TIMEOUT),
                    List.of(new Decision.Entry(HistoryKind.STEP_COMPLETED, "create-order", null)), null, null, List.of());
            Effects other = new Effects(null);
            other.changes.add(new Effects.Change(SagaStatus.RUNNING, afterSend.exec(), done, applied, NOW.plusSeconds(1))
                    .answeredBy(reply));
            applier.committed(other);
            assertThat(exporter.getFinishedSpanItems()).singleElement().satisfies(span -> {
                assertThat(span.getName()).isEqualTo("reply create-order");
                assertThat(span.getKind()).isEqualTo(SpanKind.CONSUMER);
                assertThat(span.getTraceId()).isEqualTo(s.id().traceId());
                assertThat(span.getParentSpanId()).isEqualTo(participantSpan);
                assertThat(span.getAttributes().get(SagaTracing.OUTCOME)).isEqualTo("success");
            });

            sender.sweep(NOW.plusSeconds(30).plus(SagaTracing.KEEP_PAST_TIMEOUT).plusSeconds(1));
            assertThat(sender.held()).isZero();
            assertThat(exporter.getFinishedSpanItems()).filteredOn(span -> span.getName().equals("step create-order"))
                    .singleElement().satisfies(span -> {
                        assertThat(span.getAttributes().get(SagaTracing.OUTCOME)).isEqualTo("not_seen");
                        assertThat(traceparent).contains(span.getSpanId());
                    });
        }
    }

    @Test
    @DisplayName("a timeout ends the attempt's span as 'timeout' with its events; the re-send is a span of its own")
    void timeoutEndsTheAttempt() {
        InMemorySpanExporter exporter = InMemorySpanExporter.create();
        try (OpenTelemetrySdk otel = OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder()
                .addSpanProcessor(SimpleSpanProcessor.create(exporter)).build()).build()) {
            SagaTracing tracing = SagaTracing.of(otel, new NoTransport(), Clock.fixed(NOW, ZoneOffset.UTC));
            SagaState s = state(SagaId.of("0197a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b"));
            Decision.Command first = command(s.id(), "reserve-stock", 1);
            Effects fx = new Effects(null);
            tracing.commandSent(s, first, decision(s, first), NOW, fx);
            Execution.Cursor attempt1 = new Execution.Cursor("reserve-stock", Execution.Direction.FORWARD, 1, 1, 1, true,
                    false, NOW);
            SagaState sent = s.withExec(Execution.initial().withCursor(attempt1));
            fx.changes.add(new Effects.Change(SagaStatus.RUNNING, Execution.initial(), sent, decision(s, first), NOW));
            tracing.committed(fx);

            Instant later = NOW.plusSeconds(30);
            Decision.Command second = command(s.id(), "reserve-stock", 2);
            SagaState resent = sent.withExec(Execution.initial().withCursor(new Execution.Cursor("reserve-stock",
                    Execution.Direction.FORWARD, 1, 2, 2, true, true, NOW)));
            Decision timedOut = new Decision(resent, List.of(second), List.of(), Set.of(), List.of(
                    new Decision.Entry(HistoryKind.TIMED_OUT, "reserve-stock", "no reply in PT30S"),
                    new Decision.Entry(HistoryKind.COMMAND_SENT, "reserve-stock", "attempt 2")), null, null, List.of());
            Effects fx2 = new Effects(null);
            tracing.commandSent(resent, second, timedOut, later, fx2);
            fx2.changes.add(new Effects.Change(SagaStatus.RUNNING, sent.exec(), resent, timedOut, later));
            tracing.committed(fx2);

            assertThat(exporter.getFinishedSpanItems()).singleElement().satisfies(span -> {
                assertThat(span.getName()).isEqualTo("step reserve-stock");
                assertThat(span.getAttributes().get(SagaTracing.ATTEMPT)).isEqualTo(1L);
                assertThat(span.getAttributes().get(SagaTracing.OUTCOME)).isEqualTo("timeout");
                assertThat(span.getEvents()).extracting(e -> e.getName()).containsExactly("timed_out");
                assertThat(span.getEndEpochNanos() - span.getStartEpochNanos()).isEqualTo(30_000_000_000L);
            });
            assertThat(tracing.held()).as("attempt 2 in flight").isOne();
            tracing.close();
            assertThat(exporter.getFinishedSpanItems()).filteredOn(span -> span.getAttributes().get(SagaTracing.ATTEMPT) == 2L)
                    .singleElement().satisfies(span -> assertThat(span.getAttributes().get(SagaTracing.OUTCOME))
                            .isEqualTo("unfinished"));
        }
    }

    @Test
    @DisplayName("the trace id: a UUID's hex digits; any other id (or the nil UUID) the first half of its SHA-256; stable")
    void traceIds() {
        assertThat(SagaId.of("0197a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b").traceId()).isEqualTo("0197a1b2c3d47e5f8a6b7c8d9e0f1a2b");
        assertThat(SagaId.of("0197A1B2-C3D4-7E5F-8A6B-7C8D9E0F1A2B").traceId()).isEqualTo("0197a1b2c3d47e5f8a6b7c8d9e0f1a2b");
        assertThat(SagaId.of("order-42").traceId()).hasSize(32).matches("[0-9a-f]{32}")
                .isEqualTo(SagaId.of("order-42").traceId()).isNotEqualTo(SagaId.of("order-43").traceId());
        assertThat(SagaId.of("00000000-0000-0000-0000-000000000000").traceId()).isNotEqualTo("0".repeat(32))
                .matches("[0-9a-f]{32}");
        assertThat(SagaTracing.sagaSpanId(SagaId.of("order-42"))).matches("[0-9a-f]{16}")
                .isEqualTo(SagaTracing.sagaSpanId(SagaId.of("order-42")));
    }

    private static void assertUnique(SagaTracing tracing) {
        Supplier<SagaId> ids = SagaId.uuidV7();
        Set<String> spanIds = new HashSet<>();
        Set<String> traceIds = new HashSet<>();
        for (int i = 0; i < SAGAS; i++) {
            SagaState s = state(ids.get());
            Effects fx = new Effects(null);
            for (String step : STEPS) {
                Decision.Command c = command(s.id(), step, 1);
                String traceparent = tracing.commandSent(s, c, decision(s, c), NOW, fx);
                assertThat(traceparent).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01");
                String[] parts = traceparent.split("-");
                assertThat(parts[1]).isEqualTo(s.id().traceId());
                assertThat(parts[2]).isNotEqualTo("0000000000000000");
                assertThat(spanIds.add(parts[2])).as("span id %s (saga %d, step %s) unique", parts[2], i, step).isTrue();
                traceIds.add(parts[1]);
            }
            fx.reset(); // never committed: nothing kept
        }
        assertThat(spanIds).hasSize(SAGAS * STEPS.size());
        assertThat(traceIds).hasSize(SAGAS);
        assertThat(tracing.held()).isZero();
    }

    private static SagaState state(SagaId id) {
        return new SagaState(id, "order", 1, null, SagaStatus.RUNNING, null, null, null, Execution.initial(), 1, NOW, NOW);
    }

    private static Decision.Command command(SagaId id, String step, int attempt) {
        return new Decision.Command(id.value() + "/" + step + "/do/1", step, Execution.Direction.FORWARD, attempt,
                "orders", new Object());
    }

    private static Decision decision(SagaState s, Decision.Command c) {
        return new Decision(s, List.of(c), List.of(new Decision.Timer(TimerKind.TIMEOUT, c.step(), c.messageId() + "#1",
                NOW.plusSeconds(30))), Set.of(), List.of(), null, null, List.of());
    }

    /** A transport that is never used: the tracing only asks it for names. */
    private static final class NoTransport implements Transport {
        @Override
        public CompletableFuture<Void> send(List<OutboxRecord> messages) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void start(ReplySink sink) {}

        @Override
        public void close() {}
    }

    @org.junit.jupiter.api.Test
    void anOpenTelemetryWhoseTracerProviderIsTheNoOpOneIsOff() {
        // what GlobalOpenTelemetry.get() hands out when nothing is registered: another object around the no-op
        io.opentelemetry.api.OpenTelemetry wrapped = new io.opentelemetry.api.OpenTelemetry() {
            @Override
            public io.opentelemetry.api.trace.TracerProvider getTracerProvider() {
                return io.opentelemetry.api.trace.TracerProvider.noop();
            }

            @Override
            public io.opentelemetry.context.propagation.ContextPropagators getPropagators() {
                return io.opentelemetry.context.propagation.ContextPropagators.noop();
            }
        };
        org.assertj.core.api.Assertions.assertThat(SagaTracing.of(wrapped, new NoTransport(),
                java.time.Clock.systemUTC()).on()).isFalse();
    }
}
