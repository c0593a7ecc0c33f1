package dev.baton.participant.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.engine.SagaEngine;
import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.SagaView;
import dev.baton.jackson.JacksonCodec;
import dev.baton.jdbi.JdbiSagaStore;
import dev.baton.kafka.KafkaTransport;
import dev.baton.kafka.common.KafkaOptions;
import dev.baton.kafka.dev.EmbeddedKafkaBroker;
import dev.baton.kafka.dev.junit.KafkaBrokerExtension;
import dev.baton.participant.JdbiIdempotencyStore;
import dev.baton.testkit.example.OrderSaga.OrderData;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Traces over the real broker: the engine and the four order services record into one in-memory exporter, and each
 * saga is one trace in which every command's engine span has the participant's span as its child.
 */
@ExtendWith(KafkaBrokerExtension.class)
class TracingFlowTest {
    private static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("baton.outcome");
    private static final AttributeKey<String> PARTICIPANT = AttributeKey.stringKey("baton.participant");
    private static final AttributeKey<String> SAGA_ID = AttributeKey.stringKey("baton.saga.id");

    private static final InMemorySpanExporter spans = InMemorySpanExporter.create();
    private static OpenTelemetrySdk otel;
    private static OrderServices services;
    private static SagaEngine engine;

    @BeforeAll
    static void start(EmbeddedKafkaBroker broker) {
        otel = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
                .build();
        KafkaOptions options = KafkaOptions.defaults(broker.bootstrapServers()).withTopicPrefix("traced.")
                .withEngineGroupId("traced-engine");
        services = new OrderServices(options, 1, OrderServices.ALL,
                name -> JdbiIdempotencyStore.h2InMemory(name + "-" + UUID.randomUUID()), otel);
        engine = SagaEngine.builder()
                .store(JdbiSagaStore.h2InMemory("traced-" + UUID.randomUUID()))
                .transport(KafkaTransport.create(options, null))
                .codec(new JacksonCodec())
                .register(OrderServices.SAGA)
                .timerPollInterval(Duration.ofMillis(50))
                .openTelemetry(otel)
                .build();
        engine.open();
    }

    @AfterAll
    static void stop() {
        if (engine != null) {
            engine.close();
        }
        if (services != null) {
            services.close();
        }
        if (otel != null) {
            otel.close();
        }
    }

    @Test
    @DisplayName("a completed saga is one trace: four step spans, each the parent of its participant's span")
    void completedSagaIsOneTrace() throws IOException {
        SagaId id = run(OrderData.of("t-1", 100), SagaStatus.COMPLETED, 4);
        List<SpanData> trace = trace(id);
        List<SpanData> steps = engineSends(trace);
        assertThat(steps).extracting(SpanData::getName).containsExactlyInAnyOrder("step create-order",
                "step reserve-inventory", "step authorize-payment", "step schedule-shipment");
        assertThat(steps).allSatisfy(s -> {
            assertThat(s.getKind()).isEqualTo(SpanKind.PRODUCER);
            assertThat(s.getAttributes().get(OUTCOME)).isEqualTo("success");
            assertThat(s.getAttributes().get(AttributeKey.stringKey("messaging.system"))).isEqualTo("kafka");
            assertThat(s.getAttributes().get(AttributeKey.stringKey("messaging.destination.name"))).startsWith("traced.");
            assertThat(s.getAttributes().get(AttributeKey.stringKey("messaging.message.id"))).startsWith(id.value() + "/");
            assertThat(s.getAttributes().get(AttributeKey.stringKey("baton.saga.type"))).isEqualTo(OrderServices.SAGA.type());
            assertThat(s.getAttributes().get(AttributeKey.longKey("baton.attempt"))).isEqualTo(1L);
            assertThat(s.getParentSpanId()).as("the saga's own span id, the same for every step").isEqualTo(
                    steps.get(0).getParentSpanId());
        });
        assertEveryStepParentsItsParticipantSpan(trace);
        assertThat(participantSpans(trace)).extracting(s -> s.getAttributes().get(PARTICIPANT))
                .containsExactlyInAnyOrder("order", "inventory", "payment", "logistics");
        assertThat(eventNames(trace)).contains("completed");
        Path tree = Path.of("target", "trace-tree-completed.txt");
        Files.writeString(tree, render(id, trace));
        System.out.println(render(id, trace));
    }

    @Test
    @DisplayName("a declined payment: the failed step, then a compensation span per compensated step, each with its participant's child")
    void compensationAppears() throws IOException {
        SagaId id = run(OrderData.of("t-2", 103), SagaStatus.COMPENSATED, 5);
        List<SpanData> trace = trace(id);
        List<SpanData> sends = engineSends(trace);
        assertThat(sends).filteredOn(s -> s.getName().equals("step authorize-payment")).singleElement()
                .satisfies(s -> {
                    assertThat(s.getAttributes().get(OUTCOME)).isEqualTo("failure");
                    assertThat(s.getStatus().getStatusCode()).isEqualTo(io.opentelemetry.api.trace.StatusCode.ERROR);
                    assertThat(s.getEvents()).extracting(EventData::getName).contains("step_failed", "compensation_started");
                });
        assertThat(sends).filteredOn(s -> s.getName().startsWith("compensate ")).extracting(SpanData::getName)
                .containsExactlyInAnyOrder("compensate reserve-inventory", "compensate create-order");
        assertThat(sends).filteredOn(s -> s.getName().startsWith("compensate "))
                .allSatisfy(s -> assertThat(s.getAttributes().get(OUTCOME)).isEqualTo("success"));
        assertEveryStepParentsItsParticipantSpan(trace);
        assertThat(eventNames(trace)).contains("compensated");
        Files.writeString(Path.of("target", "trace-tree-compensated.txt"), render(id, trace));
    }

    @Test
    @DisplayName("a busy payment: each attempt a span of its own, the busy ones ending retry_later with a 'parked' event")
    void parkAppears() throws IOException {
        SagaId id = run(OrderData.of("t-3", 107), SagaStatus.COMPLETED, 6);
        List<SpanData> trace = trace(id);
        List<SpanData> payment = engineSends(trace).stream().filter(s -> s.getName().equals("step authorize-payment"))
                .sorted(Comparator.comparing(s -> s.getAttributes().get(AttributeKey.longKey("baton.attempt")))).toList();
        assertThat(payment).extracting(s -> s.getAttributes().get(OUTCOME))
                .containsExactly("retry_later", "retry_later", "success");
        assertThat(payment).extracting(s -> s.getAttributes().get(AttributeKey.longKey("baton.attempt")))
                .containsExactly(1L, 2L, 3L);
        assertThat(payment.get(0).getEvents()).extracting(EventData::getName).contains("parked");
        assertThat(payment.get(0).getEvents()).filteredOn(e -> e.getName().equals("parked")).first()
                .satisfies(e -> assertThat(e.getAttributes().get(AttributeKey.stringKey("baton.pending_state")))
                        .isEqualTo("PENDING_PAYMENT"));
        assertThat(eventNames(trace)).contains("resumed");
        assertEveryStepParentsItsParticipantSpan(trace);
        Files.writeString(Path.of("target", "trace-tree-parked.txt"), render(id, trace));
    }

    @Test
    @DisplayName("span ids are unique and every saga has its own trace, over many sagas of all three kinds")
    void idsUnique() {
        List<SagaId> ids = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            int amount = i % 3 == 0 ? 100 : i % 3 == 1 ? 103 : 107;
            ids.add(engine.start(OrderServices.SAGA, OrderData.of("u-" + i, amount)).id());
        }
        for (SagaId id : ids) {
            await("saga " + id + " ends").atMost(Duration.ofSeconds(60)).until(() -> engine.find(id)
                    .map(SagaView::status).map(SagaStatus::isTerminal).orElse(false));
        }
        List<SpanData> all = spans.getFinishedSpanItems();
        Set<String> spanIds = new HashSet<>();
        for (SpanData s : all) {
            assertThat(spanIds.add(s.getSpanId())).as("span id %s of %s unique", s.getSpanId(), s.getName()).isTrue();
        }
        Map<String, Set<String>> tracesBySaga = all.stream().filter(s -> s.getAttributes().get(SAGA_ID) != null)
                .collect(Collectors.groupingBy(s -> s.getAttributes().get(SAGA_ID),
                        Collectors.mapping(SpanData::getTraceId, Collectors.toSet())));
        for (SagaId id : ids) {
            assertThat(tracesBySaga.get(id.value())).as("saga %s: one trace, its own", id).containsExactly(id.traceId());
        }
    }

    // ---------------------------------------------------------------- helpers

    /** Runs a saga to its end and waits until its {@code sends} engine spans ended (they end just after the commit). */
    private static SagaId run(OrderData data, SagaStatus end, int sends) {
        SagaId id = engine.start(OrderServices.SAGA, data).id();
        await("saga " + id + " reaches " + end).atMost(Duration.ofSeconds(30))
                .until(() -> engine.find(id).map(SagaView::status).orElseThrow() == end);
        await("the engine's " + sends + " command spans of saga " + id + " ended").atMost(Duration.ofSeconds(10))
                .until(() -> engineSends(trace(id)).size() >= sends && trace(id).stream().anyMatch(s -> s.getEvents()
                        .stream().anyMatch(e -> e.getName().equals(end.name().toLowerCase(java.util.Locale.ROOT)))));
        return id;
    }

    private static List<SpanData> trace(SagaId id) {
        return spans.getFinishedSpanItems().stream().filter(s -> s.getTraceId().equals(id.traceId())).toList();
    }

    private static List<SpanData> engineSends(List<SpanData> trace) {
        return trace.stream().filter(s -> s.getInstrumentationScopeInfo().getName().equals("dev.baton.engine")
                && s.getKind() == SpanKind.PRODUCER).toList();
    }

    private static List<SpanData> participantSpans(List<SpanData> trace) {
        return trace.stream().filter(s -> s.getInstrumentationScopeInfo().getName().equals("dev.baton.participant")).toList();
    }

    private static Set<String> eventNames(List<SpanData> trace) {
        return trace.stream().flatMap(s -> s.getEvents().stream()).map(EventData::getName).collect(Collectors.toSet());
    }

    /** Every engine send span has exactly one participant span as its child, and every participant span has one as parent. */
    private static void assertEveryStepParentsItsParticipantSpan(List<SpanData> trace) {
        List<SpanData> sends = engineSends(trace);
        List<SpanData> handled = participantSpans(trace);
        Set<String> sendIds = sends.stream().map(SpanData::getSpanId).collect(Collectors.toSet());
        for (SpanData send : sends) {
            assertThat(handled).as("the participant spans under %s (attempt %s)", send.getName(),
                            send.getAttributes().get(AttributeKey.longKey("baton.attempt")))
                    .filteredOn(h -> h.getParentSpanId().equals(send.getSpanId())).singleElement()
                    .satisfies(h -> {
                        assertThat(h.getKind()).isEqualTo(SpanKind.CONSUMER);
                        assertThat(h.getAttributes().get(OUTCOME)).isEqualTo(send.getAttributes().get(OUTCOME));
                        assertThat(h.getAttributes().get(PARTICIPANT)).isEqualTo(send.getAttributes().get(PARTICIPANT));
                    });
        }
        assertThat(handled).allSatisfy(h -> assertThat(sendIds).contains(h.getParentSpanId()));
    }

    /** The trace as an indented text tree (docs/observability.md shows one). */
    static String render(SagaId id, List<SpanData> trace) {
        Map<String, List<SpanData>> children = trace.stream().collect(Collectors.groupingBy(SpanData::getParentSpanId));
        Set<String> ids = trace.stream().map(SpanData::getSpanId).collect(Collectors.toSet());
        StringBuilder b = new StringBuilder("trace ").append(id.traceId()).append(" (saga ").append(id).append(")\n");
        List<SpanData> roots = trace.stream().filter(s -> !ids.contains(s.getParentSpanId()))
                .sorted(Comparator.comparingLong(SpanData::getStartEpochNanos)).toList();
        long t0 = roots.isEmpty() ? 0 : roots.get(0).getStartEpochNanos();
        for (int i = 0; i < roots.size(); i++) {
            render(b, roots.get(i), children, "", i == roots.size() - 1, t0);
        }
        return b.toString();
    }

    private static void render(StringBuilder b, SpanData s, Map<String, List<SpanData>> children, String indent,
                               boolean last, long t0) {
        b.append(indent).append(last ? "└─ " : "├─ ").append(s.getName()).append("  [").append(s.getKind())
                .append(", ").append(s.getInstrumentationScopeInfo().getName().replace("dev.baton.", ""))
                .append(", +").append((s.getStartEpochNanos() - t0) / 1_000_000).append(" ms, ")
                .append((s.getEndEpochNanos() - s.getStartEpochNanos()) / 1_000_000).append(" ms]");
        String outcome = s.getAttributes().get(OUTCOME);
        if (outcome != null) {
            b.append(" outcome=").append(outcome);
        }
        Long attempt = s.getAttributes().get(AttributeKey.longKey("baton.attempt"));
        if (attempt != null) {
            b.append(" attempt=").append(attempt);
        }
        String participant = s.getAttributes().get(PARTICIPANT);
        if (participant != null) {
            b.append(" participant=").append(participant);
        }
        b.append('\n');
        String childIndent = indent + (last ? "   " : "│  ");
        for (EventData e : s.getEvents()) {
            b.append(childIndent).append("· event ").append(e.getName()).append('\n');
        }
        List<SpanData> kids = new ArrayList<>(children.getOrDefault(s.getSpanId(), List.of()));
        kids.sort(Comparator.comparingLong(SpanData::getStartEpochNanos));
        for (int i = 0; i < kids.size(); i++) {
            render(b, kids.get(i), children, childIndent, i == kids.size() - 1, t0);
        }
    }
}
