package dev.baton.server;

import static dev.baton.server.SagaApiTest.assertProblem;
import static dev.baton.server.SchemaCheck.problems;
import static dev.baton.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.jackson.JacksonCodec;
import dev.baton.kafka.dev.junit.KafkaBrokerExtension;
import dev.baton.server.dev.DemoSagas;
import dev.baton.server.dev.DemoSagas.DemoOrder;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code GET /api/definitions/{type}} over real HTTP: the wire names of each step's command, compensation and replies,
 * and the JSON Schemas of those types and of the saga data, checked with an independent validator against payloads as
 * the engine writes them (the step's own command function, then the engine's codec).
 */
@ExtendWith({KafkaBrokerExtension.class, ServerExtension.class})
class DefinitionSchemasTest {
    private static final JacksonCodec CODEC = new JacksonCodec(); // the server's engine encodes with new JacksonCodec()
    private static TestServer s;

    @BeforeAll
    static void server(TestServer server) {
        s = server;
    }

    private static JsonNode demo() {
        HttpResponse<String> r = s.get("/api/definitions/demo-order");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        return json(r);
    }

    @Test
    @DisplayName("each step names its command's, compensation's and replies' wire names, each with a schema")
    void wireNamesPerStep() {
        JsonNode d = demo();
        JsonNode steps = d.get("steps");
        assertThat(steps).extracting(n -> n.get("command").get("messageTypes").get(0).asText())
                .containsExactly("PlaceOrder", "ReserveStock", "ChargeCard", "ShipOrder");
        assertThat(steps).extracting(n -> n.get("command").get("declared").asBoolean()).containsOnly(true);
        assertThat(steps).extracting(n -> n.get("command").get("messageTypes").size()).containsOnly(1);
        assertThat(steps.get(0).get("compensation").get("command").get("messageTypes")).extracting(JsonNode::asText)
                .containsExactly("CancelOrder");
        assertThat(steps.get(1).get("compensation").get("command").get("messageTypes")).extracting(JsonNode::asText)
                .containsExactly("ReleaseStock");
        assertThat(steps.get(1).get("replies")).extracting(JsonNode::asText).containsExactly("StockReserved");
        assertThat(steps.get(0).get("replies")).isEmpty();

        JsonNode schemas = d.get("schemas");
        assertThat(schemas.properties()).extracting(e -> e.getKey()).containsExactlyInAnyOrder("demo-order.data",
                "PlaceOrder", "CancelOrder", "ReserveStock", "StockReserved", "ReleaseStock", "ChargeCard", "ShipOrder");
        schemas.properties().forEach(e -> {
            assertThat(e.getValue().get("$schema").asText()).isEqualTo("https://json-schema.org/draft/2020-12/schema");
            assertThat(e.getValue().get("title").asText()).isEqualTo(e.getKey());
            assertThat(e.getValue().get("type").asText()).isEqualTo("object");
        });
        assertThat(d.get("dataType").asText()).isEqualTo("demo-order.data");
    }

    @Test
    @DisplayName("the schemas say what the codec writes: fields by name, long as integer, text that may be null")
    void schemaShape() {
        JsonNode charge = demo().get("schemas").get("ChargeCard");
        assertThat(charge.get("properties").properties()).extracting(e -> e.getKey())
                .containsExactly("orderId", "amountCents");
        assertThat(charge.get("properties").get("amountCents").get("type").asText()).isEqualTo("integer");
        assertThat(charge.get("properties").get("orderId").get("type")).extracting(JsonNode::asText)
                .containsExactly("string", "null");
        assertThat(charge.get("required")).extracting(JsonNode::asText).containsExactly("orderId", "amountCents");
    }

    @Test
    @DisplayName("a command as the engine encodes it validates against its schema; a field of the wrong type does not")
    void commandPayloadsValidate() {
        JsonNode schemas = demo().get("schemas");
        DemoOrder order = new DemoOrder("o-1", 2_500, "r-o-1");
        for (String step : new String[] {"place-order", "reserve-stock", "charge-card", "ship-order"}) {
            var definition = DemoSagas.DEMO_ORDER.step(step).orElseThrow();
            Object command = definition.command(order);
            String payload = CODEC.encode(command);
            String name = command.getClass().getSimpleName();
            assertThat(problems(schemas.get(name), payload)).as(step + ": " + payload).isEmpty();
            if (definition.hasCompensation()) {
                Object undo = definition.compensationCommand(order);
                assertThat(problems(schemas.get(undo.getClass().getSimpleName()), CODEC.encode(undo))).as(step).isEmpty();
            }
        }
        assertThat(CODEC.encode(DemoSagas.DEMO_ORDER.step("charge-card").orElseThrow().command(order)))
                .isEqualTo("{\"orderId\":\"o-1\",\"amountCents\":2500}");

        JsonNode charge = schemas.get("ChargeCard");
        assertThat(problems(charge, "{\"orderId\":\"o-1\",\"amountCents\":\"2500\"}"))
                .singleElement().asString().contains("amountCents").contains("integer");
        assertThat(problems(charge, "{\"orderId\":\"o-1\",\"amountCents\":25.5}")).as("a fraction in a long").isNotEmpty();
        assertThat(problems(charge, "{\"orderId\":42,\"amountCents\":2500}")).singleElement().asString().contains("orderId");
        assertThat(problems(charge, "{\"orderId\":\"o-1\"}")).singleElement().asString().contains("amountCents");
        assertThat(problems(charge, "{\"orderId\":null,\"amountCents\":2500}")).as("the codec writes a null field as null")
                .isEmpty();
    }

    @Test
    @DisplayName("replies and the saga data validate as the codec writes them; start data of the wrong type does not")
    void replyAndDataPayloadsValidate() {
        JsonNode schemas = demo().get("schemas");
        assertThat(problems(schemas.get("StockReserved"), CODEC.encode(new DemoSagas.StockReserved("r-1")))).isEmpty();
        assertThat(problems(schemas.get("StockReserved"), "{\"reservationId\":[\"r-1\"]}")).isNotEmpty();

        JsonNode data = schemas.get("demo-order.data");
        assertThat(data.get("properties").properties()).extracting(e -> e.getKey())
                .containsExactly("orderId", "amountCents", "reservationId");
        assertThat(problems(data, CODEC.encode(new DemoOrder("o-1", 500, null)))).isEmpty();
        assertThat(problems(data, CODEC.encode(new DemoOrder("o-1", 500, "r-1")))).as("as stored after the reply").isEmpty();
        String start = "{\"orderId\":\"o-1\",\"amountCents\":500}";
        assertThat(problems(data, start)).as("a start leaves out what the reply sets").isEmpty();
        assertThat(problems(data, "{\"orderId\":\"o-1\",\"amountCents\":true}")).singleElement().asString()
                .contains("amountCents");
        String unknownField = "{\"orderId\":\"o-1\",\"amountCents\":500,\"amount\":500}";
        assertThat(problems(data, unknownField)).singleElement().asString().contains("amount");

        // what the schema accepts and refuses, the start endpoint does too (its validations aside)
        assertThat(s.post("/api/sagas", "{\"type\":\"demo-order\",\"data\":" + start + "}").statusCode()).isEqualTo(201);
        assertThat(s.post("/api/sagas", "{\"type\":\"demo-order\",\"data\":" + unknownField + "}").statusCode())
                .isEqualTo(400);
    }

    @Test
    @DisplayName("the other REST test saga declares its types too; no class or package name is in the answer")
    void noClassNames() {
        HttpResponse<String> r = s.get("/api/definitions/test-ops");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode d = json(r);
        assertThat(d.get("steps")).extracting(n -> n.get("command").get("messageTypes").get(0).asText())
                .containsExactly("Ask", "Decide", "Finish");
        assertThat(d.get("schemas").properties()).extracting(e -> e.getKey())
                .containsExactlyInAnyOrder("test-ops.data", "Ask", "Undo", "Decide", "Finish");
        assertThat(problems(d.get("schemas").get("test-ops.data"), CODEC.encode(new TestSagas.OpsData("ok", 1)))).isEmpty();

        for (String body : new String[] {r.body(), s.get("/api/definitions/demo-order").body(), s.get("/api/definitions").body()}) {
            assertThat(body).doesNotContain("dev.baton", "java.", "TestSagas", "DemoSagas", "$Ask", "OpsData", "DemoOrder");
        }
        assertThat(json(s.get("/api/definitions")).get("items")).allSatisfy(item ->
                assertThat(item.get("schemas").get(item.get("dataType").asText())).isNotNull());
    }

    @Test
    @DisplayName("the answers match the Definition schema of the OpenAPI document the server serves")
    void matchesOpenApi() {
        ObjectNode document = (ObjectNode) json(s.get("/api/openapi.json"));
        document.put("$ref", "#/components/schemas/Definition"); // the document's other members are no schema keywords
        for (String type : new String[] {"demo-order", "test-ops"}) {
            String body = s.get("/api/definitions/" + type).body();
            assertThat(problems(document, body)).as(type).isEmpty();
            ObjectNode withoutSchemas = (ObjectNode) json(s.get("/api/definitions/" + type));
            withoutSchemas.remove("schemas");
            assertThat(problems(document, withoutSchemas.toString())).as("the check is not vacuous").isNotEmpty();
        }
    }

    @Test
    @DisplayName("an unknown saga type is still a 404 problem, with no schemas")
    void unknownType() {
        assertProblem(s.get("/api/definitions/nope"), 404, "unknown-saga-type", "no saga type 'nope'");
        assertProblem(s.get("/api/definitions/demo-order?version=2"), 404, "unknown-saga-type", "no version 2");
    }
}
