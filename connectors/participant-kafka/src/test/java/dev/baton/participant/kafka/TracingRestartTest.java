package dev.baton.participant.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.engine.HistoryKind;
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
import dev.baton.testkit.example.OrderSaga;
import dev.baton.testkit.example.OrderSaga.OrderData;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * An attempt's span is held by the engine that sent the command; when another engine (here: the next process on the
 * same store) applies the answer, the trace still links up: engine span, participant span, the other engine's reply
 * span, one trace.
 */
@ExtendWith(KafkaBrokerExtension.class)
class TracingRestartTest {
    private static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("baton.outcome");

    @Test
    @DisplayName("the answer applied after a restart: the sender's span ends 'unfinished', the new engine's reply span is the participant span's child")
    void answerAppliedByTheNextEngine(EmbeddedKafkaBroker broker, @TempDir Path dir) throws Exception {
        InMemorySpanExporter spans = InMemorySpanExporter.create();
        KafkaOptions options = KafkaOptions.defaults(broker.bootstrapServers()).withTopicPrefix("restart-traced.")
                .withEngineGroupId("restart-traced-engine");
        try (OpenTelemetrySdk otel = OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder()
                     .addSpanProcessor(SimpleSpanProcessor.create(spans)).build()).build();
             OrderServices services = new OrderServices(options, 1, Set.of(OrderSaga.ORDERS.name(),
                     OrderSaga.INVENTORY.name(), OrderSaga.LOGISTICS.name()),
                     name -> JdbiIdempotencyStore.h2InMemory(name + "-" + UUID.randomUUID()), otel)) {
            Path engineDir = Files.createDirectories(dir.resolve("engine"));
            SagaId id;
            try (SagaEngine first = engine(engineDir, options, otel)) {
                first.open();
                id = first.start(OrderServices.SAGA, OrderData.of("rt-1", 100)).id();
                await("the payment command of saga " + id + " is sent (no payment service runs yet)")
                        .atMost(Duration.ofSeconds(30)).until(() -> first.history(id).stream().anyMatch(h ->
                                h.kind() == HistoryKind.COMMAND_SENT && "authorize-payment".equals(h.step())));
            }
            try (SagaEngine second = engine(engineDir, options, otel)) {
                second.open();
                services.startService(options, OrderServices.payment(new ConcurrentHashMap<>()));
                await("saga " + id + " completes on the second engine").atMost(Duration.ofSeconds(60))
                        .until(() -> second.find(id).map(SagaView::status).orElseThrow() == SagaStatus.COMPLETED);
                await("the saga's last span ended").atMost(Duration.ofSeconds(10)).until(() -> trace(spans, id).stream()
                        .anyMatch(s -> s.getEvents().stream().map(EventData::getName).anyMatch("completed"::equals)));
            }
            List<SpanData> trace = trace(spans, id);
            SpanData sent = single(trace, "step authorize-payment");
            SpanData handled = single(trace, "handle AuthorizePayment");
            SpanData reply = single(trace, "reply authorize-payment");
            assertThat(sent.getAttributes().get(OUTCOME)).as("the first engine closed while it held the span")
                    .isEqualTo("unfinished");
            assertThat(handled.getParentSpanId()).as("the participant span is the sender's span's child")
                    .isEqualTo(sent.getSpanId());
            assertThat(reply.getParentSpanId()).as("the second engine's reply span is the participant span's child")
                    .isEqualTo(handled.getSpanId());
            assertThat(reply.getKind()).isEqualTo(SpanKind.CONSUMER);
            assertThat(reply.getAttributes().get(OUTCOME)).isEqualTo("success");
            SpanData shipment = single(trace, "step schedule-shipment");
            assertThat(shipment.getParentSpanId()).as("the second engine's spans have the saga's span as parent, as the first's")
                    .isEqualTo(sent.getParentSpanId());
            assertThat(trace).extracting(SpanData::getTraceId).containsOnly(id.traceId());
            System.out.println(TracingFlowTest.render(id, trace));
        }
    }

    private static SagaEngine engine(Path dir, KafkaOptions options, OpenTelemetrySdk otel) {
        return SagaEngine.builder()
                .store(JdbiSagaStore.h2File(dir))
                .transport(KafkaTransport.create(options, null))
                .codec(new JacksonCodec())
                .register(OrderServices.SAGA)
                .timerPollInterval(Duration.ofMillis(50))
                .openTelemetry(otel)
                .build();
    }

    private static List<SpanData> trace(InMemorySpanExporter spans, SagaId id) {
        return spans.getFinishedSpanItems().stream().filter(s -> s.getTraceId().equals(id.traceId())).toList();
    }

    private static SpanData single(List<SpanData> trace, String name) {
        List<SpanData> found = trace.stream().filter(s -> s.getName().equals(name)).toList();
        assertThat(found).as("spans named '%s' in %s", name, trace.stream().map(SpanData::getName).toList()).hasSize(1);
        return found.get(0);
    }
}
