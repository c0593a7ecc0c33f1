package dev.baton.server;

import static dev.baton.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.baton.engine.SagaId;
import dev.baton.kafka.dev.EmbeddedKafkaBroker;
import dev.baton.kafka.dev.junit.KafkaBrokerExtension;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The server exports its spans over OTLP/HTTP as the standard {@code OTEL_*} settings say, to a receiver in this test
 * that decodes the protobuf requests; and the saga view shows the trace id and the link to it.
 */
@ExtendWith(KafkaBrokerExtension.class)
class TracingExportTest {
    private HttpServer receiver;
    private final List<ResourceSpans> received = new CopyOnWriteArrayList<>();
    private final List<String> contentTypes = new CopyOnWriteArrayList<>();

    @BeforeEach
    void receiver() throws IOException {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/v1/traces", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                contentTypes.add(String.valueOf(exchange.getRequestHeaders().getFirst("Content-Type")));
                byte[] body = in.readAllBytes();
                if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
                    body = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(body)).readAllBytes();
                }
                received.addAll(ExportTraceServiceRequest.parseFrom(body).getResourceSpansList());
                byte[] answer = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
                exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
                exchange.sendResponseHeaders(200, answer.length == 0 ? -1 : answer.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(answer);
                }
            } catch (IOException | RuntimeException e) {
                exchange.sendResponseHeaders(400, -1);
                exchange.close();
            }
        });
        receiver.start();
    }

    @AfterEach
    void stopReceiver() {
        receiver.stop(0);
    }

    @Test
    @DisplayName("OTEL_* settings: spans arrive over OTLP/HTTP with the resource attributes set there; the saga view links the trace")
    void exportsOverOtlpHttp(EmbeddedKafkaBroker broker) throws Exception {
        Map<String, String> env = Map.of(
                "OTEL_TRACES_EXPORTER", "otlp",
                "OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf",
                "OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + receiver.getAddress().getPort(),
                "OTEL_SERVICE_NAME", "baton-tracing-test",
                "OTEL_RESOURCE_ATTRIBUTES", "deployment.environment.name=test,service.namespace=shop",
                "OTEL_BSP_SCHEDULE_DELAY", "100",
                "BATON_TRACING_LINK_TEMPLATE", "https://jaeger.example/trace/{traceId}");
        String id;
        try (TestServer s = TestServer.start(broker, env)) {
            id = s.start("test-ops", "{\"mode\":\"ok\",\"amount\":1}", null);
            await("saga " + id + " completes").atMost(Duration.ofSeconds(60)).until(() -> s.status(id), "COMPLETED"::equals);
            JsonNode view = json(s.get("/api/sagas/" + id));
            String traceId = SagaId.of(id).traceId();
            assertThat(view.get("traceId").asText()).isEqualTo(traceId).isEqualTo(id.replace("-", ""));
            assertThat(view.get("traceLink").asText()).isEqualTo("https://jaeger.example/trace/" + traceId);
            await("the saga's three step spans reach the receiver").atMost(Duration.ofSeconds(30))
                    .until(() -> stepSpans(traceId).size() >= 3);
        }
        String traceId = SagaId.of(id).traceId();
        assertThat(contentTypes).allMatch(t -> t.startsWith("application/x-protobuf"));
        ResourceSpans batch = received.stream().filter(rs -> rs.getScopeSpansList().stream()
                .flatMap(ss -> ss.getSpansList().stream()).anyMatch(sp -> hex(sp.getTraceId().toByteArray()).equals(traceId)))
                .findFirst().orElseThrow();
        Map<String, String> resource = batch.getResource().getAttributesList().stream()
                .collect(Collectors.toMap(KeyValue::getKey, kv -> kv.getValue().getStringValue(), (a, b) -> a));
        assertThat(resource).containsEntry("service.name", "baton-tracing-test")
                .containsEntry("deployment.environment.name", "test")
                .containsEntry("service.namespace", "shop")
                .containsEntry("telemetry.sdk.language", "java");
        List<Span> steps = stepSpans(traceId);
        assertThat(steps).extracting(Span::getName).contains("step ask", "step decide", "step finish");
        assertThat(steps).allSatisfy(sp -> {
            assertThat(sp.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_PRODUCER);
            Map<String, String> a = sp.getAttributesList().stream().filter(kv -> kv.getValue().hasStringValue())
                    .collect(Collectors.toMap(KeyValue::getKey, kv -> kv.getValue().getStringValue(), (x, y) -> x));
            assertThat(a).containsEntry("baton.saga.id", id).containsEntry("baton.saga.type", "test-ops")
                    .containsEntry("baton.outcome", "success").containsEntry("messaging.system", "kafka");
        });
    }

    @Test
    @DisplayName("off by default: without OTEL_TRACES_EXPORTER nothing is exported, and the saga view still shows its trace id")
    void offByDefault(EmbeddedKafkaBroker broker) throws Exception {
        Map<String, String> env = Map.of(
                "OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf",
                "OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + receiver.getAddress().getPort());
        try (TestServer s = TestServer.start(broker, env)) {
            String id = s.start("test-ops", "{\"mode\":\"ok\",\"amount\":1}", null);
            await("saga " + id + " completes").atMost(Duration.ofSeconds(60)).until(() -> s.status(id), "COMPLETED"::equals);
            JsonNode view = json(s.get("/api/sagas/" + id));
            assertThat(view.get("traceId").asText()).isEqualTo(SagaId.of(id).traceId());
            assertThat(view.get("traceLink").isNull()).isTrue();
        }
        assertThat(received).as("closing the server flushed nothing: there was no SDK").isEmpty();
    }

    private List<Span> stepSpans(String traceId) {
        return received.stream().flatMap(rs -> rs.getScopeSpansList().stream())
                .filter(ss -> ss.getScope().getName().equals("dev.baton.engine"))
                .flatMap((ScopeSpans ss) -> ss.getSpansList().stream())
                .filter(sp -> hex(sp.getTraceId().toByteArray()).equals(traceId) && sp.getName().startsWith("step "))
                .toList();
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
