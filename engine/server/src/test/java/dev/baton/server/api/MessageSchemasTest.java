package dev.baton.server.api;

import static dev.baton.server.SchemaCheck.problems;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.dsl.MessageType;
import dev.baton.dsl.Participant;
import dev.baton.dsl.Retry;
import dev.baton.dsl.Saga;
import dev.baton.dsl.SagaDefinition;
import dev.baton.jackson.JacksonCodec;
import java.math.BigDecimal;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.MonthDay;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.Period;
import java.time.Year;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The schemas against what {@link JacksonCodec} really writes, type by type, checked by an independent validator with
 * formats asserted; and the definition view's wire names for declared, sealed and unknown command types.
 */
class MessageSchemasTest {
    private static final JacksonCodec CODEC = new JacksonCodec();
    private static final MessageSchemas SCHEMAS = MessageSchemas.DEFAULT;

    enum Priority { LOW, HIGH }

    record Line(String sku, int quantity) {}

    /** Every kind of field a message may reasonably hold. */
    @MessageType("shop.everything/v1")
    record Everything(String text, int small, long big, boolean flag, double ratio, Integer boxed, BigDecimal price,
                      char letter, Priority priority, DayOfWeek day, Line line, List<Line> lines, Map<String, Long> counts,
                      UUID id, byte[] bytes, Instant at, OffsetDateTime offsetAt, ZonedDateTime zonedAt, LocalDate date,
                      LocalDateTime localAt, LocalTime time, OffsetTime offsetTime, Duration took, Period period, Year year,
                      YearMonth month, MonthDay birthday, ZoneId zone, ZoneOffset offset,
                      @JsonProperty("renamed") String original, @JsonIgnore String secret) {}

    private static Everything everything(Priority priority, Line line, String text) {
        ZonedDateTime now = ZonedDateTime.of(2026, 1, 31, 10, 15, 0, 120_000_000, ZoneId.of("Europe/Paris"));
        return new Everything(text, 1, Long.MAX_VALUE, true, 0.5, null, new BigDecimal("12.30"), 'x', priority,
                DayOfWeek.MONDAY, line, List.of(new Line("a", 1)), Map.of("a", 3L), new UUID(1, 2), new byte[] {1, 2, 3},
                now.toInstant(), now.toOffsetDateTime(), now, now.toLocalDate(), now.toLocalDateTime(),
                now.toLocalTime().withNano(0), now.toOffsetDateTime().toOffsetTime(), Duration.ofMillis(1500),
                Period.ofDays(-3), Year.of(2026), YearMonth.of(2026, 1), MonthDay.of(1, 31), ZoneId.of("Europe/Paris"),
                ZoneOffset.ofHours(1), "o", "s3cret");
    }

    @Test
    @DisplayName("every field kind as the codec writes it validates, nulls included")
    void codecOutputValidates() {
        JsonNode schema = SCHEMAS.describe(Everything.class);
        String full = CODEC.encode(everything(Priority.HIGH, new Line("b", 2), "t"));
        assertThat(problems(schema, full)).as(full).isEmpty();
        String nulls = CODEC.encode(everything(null, null, null));
        assertThat(problems(schema, nulls)).as(nulls).isEmpty();

        JsonNode props = schema.get("properties");
        assertThat(props.has("renamed")).isTrue();
        assertThat(props.has("original") || props.has("secret")).as("Jackson's names, not the Java ones").isFalse();
        assertThat(props.properties()).extracting(e -> e.getKey()).first().isEqualTo("text");
        assertThat(props.get("big").get("type").asText()).isEqualTo("integer");
        assertThat(props.get("small").get("type").asText()).isEqualTo("integer");
        assertThat(props.get("at")).isEqualTo(node("{\"type\":[\"string\",\"null\"],\"format\":\"date-time\"}"));
        assertThat(props.get("date")).isEqualTo(node("{\"type\":[\"string\",\"null\"],\"format\":\"date\"}"));
        assertThat(props.get("priority").toString()).contains("\"enum\":[\"LOW\",\"HIGH\"]");
    }

    @Test
    @DisplayName("a value of the wrong type or format fails")
    void wrongValuesFail() {
        JsonNode schema = SCHEMAS.describe(Everything.class);
        ObjectNode good = (ObjectNode) node(CODEC.encode(everything(Priority.LOW, null, "t")));
        assertThat(problems(schema, good.toString())).isEmpty();
        for (Map.Entry<String, String> bad : Map.of("big", "\"9\"", "small", "1.5", "at", "\"yesterday\"",
                "date", "\"31.01.2026\"", "priority", "\"MEDIUM\"", "flag", "\"true\"", "localAt", "\"2026-01-31 10:15\"",
                "lines", "[{\"sku\":\"a\",\"quantity\":\"one\"}]", "counts", "{\"a\":\"x\"}").entrySet()) {
            ObjectNode copy = good.deepCopy();
            copy.set(bad.getKey(), node(bad.getValue()));
            assertThat(problems(schema, copy.toString())).as(bad.getKey() + " = " + bad.getValue()).isNotEmpty();
        }
        ObjectNode missing = good.deepCopy();
        missing.remove("text");
        assertThat(problems(schema, missing.toString())).as("every field is written, so every field is required")
                .singleElement().asString().contains("text");
    }

    @MessageType("shop.item/v1")
    record Item(String sku) {}

    record Basket(List<Item> items, List<Item> removed) {}

    @Test
    @DisplayName("a nested type in $defs goes by its wire name, made safe for a JSON pointer")
    void nestedWireNames() {
        JsonNode schema = SCHEMAS.describe(Basket.class);
        assertThat(schema.get("$defs").properties()).extracting(e -> e.getKey()).containsExactly("shop.item_v1");
        assertThat(problems(schema, CODEC.encode(new Basket(List.of(new Item("a")), List.of())))).isEmpty();
        assertThat(problems(schema, "{\"items\":[{\"sku\":1}],\"removed\":null}")).isNotEmpty();
    }

    // ------------------------------------------------------------------ the view's wire names

    sealed interface Payment permits Authorize, Refund {}

    record Authorize(String orderId, long amountCents) implements Payment {}

    @MessageType("payment.refund/v2")
    record Refund(String orderId) implements Payment {}

    record Data(String orderId, long amountCents) {}

    record Shipped(String trackingId, boolean signed) {}

    record Parcel(String id, int grams) {}

    static final class V1 {
        /** Parcel twice: the schema holds it in $defs and refers to it. */
        record Shipped(String trackingId, List<Parcel> parcels, List<Parcel> returned) {}
    }

    @Test
    @DisplayName("undeclared steps: a sealed command type's records, or nothing; a wire name two classes share accepts both")
    void sealedAndUnknownAndShared() {
        Participant<Payment> payment = Participant.named("payment", Payment.class);
        Participant<Object> shipping = Participant.named("shipping", Object.class);
        SagaDefinition<Data> saga = Saga.define("pay", Data.class).dataTypeName("pay.data/v1")
                .step("authorize").invoke(payment, d -> new Authorize(d.orderId(), d.amountCents()))
                .compensate(payment, d -> new Refund(d.orderId()))
                .onReply(Shipped.class, (d, r) -> d)
                .step("ship").invoke(shipping, d -> "ship " + d.orderId())
                .onReply(V1.Shipped.class, (d, r) -> d)
                .retry(Retry.forever(Duration.ofSeconds(1), Duration.ofSeconds(5))).pivot()
                .build();
        DefinitionView view = DefinitionView.of(saga, List.of(1));

        DefinitionView.StepView authorize = view.steps().get(0);
        assertThat(authorize.command()).isEqualTo(new DefinitionView.MessageTypesView(
                List.of("Authorize", "payment.refund/v2"), false));
        assertThat(authorize.compensation().command()).isEqualTo(authorize.command());
        assertThat(authorize.replies()).containsExactly("Shipped");
        DefinitionView.StepView ship = view.steps().get(1);
        assertThat(ship.command()).isEqualTo(new DefinitionView.MessageTypesView(List.of(), false));
        assertThat(ship.compensation()).isNull();

        assertThat(view.schemas()).containsOnlyKeys("pay.data/v1", "Authorize", "payment.refund/v2", "Shipped");
        assertThat(view.schemas().get("payment.refund/v2").get("title").asText()).isEqualTo("payment.refund/v2");
        JsonNode shipped = view.schemas().get("Shipped");
        assertThat(shipped.get("anyOf")).hasSize(2);
        assertThat(problems(shipped, CODEC.encode(new Shipped("t-1", true)))).isEmpty();
        assertThat(shipped.toString()).contains("\"$ref\":\"#/anyOf/1/$defs/Parcel\"");
        assertThat(problems(shipped, CODEC.encode(new V1.Shipped("t-1", List.of(new Parcel("p-1", 200)), null)))).isEmpty();
        assertThat(problems(shipped, "{\"trackingId\":7}")).isNotEmpty();
        assertThat(problems(shipped, "{\"trackingId\":\"t\",\"parcels\":[{\"id\":\"p\",\"grams\":\"heavy\"}],\"returned\":null}"))
                .as("the nested reference resolves").isNotEmpty();
        assertThat(view.schemas().toString()).doesNotContain("dev.baton", "MessageSchemasTest", "V1");
    }

    @Test
    @DisplayName("the data's schema is what a start reads: fields may be left out, unknown ones are refused, nested too")
    void dataAsAStartReadsIt() {
        JsonNode schema = SCHEMAS.describeData(Everything.class);
        assertThat(schema.has("required")).isFalse();
        assertThat(problems(schema, "{}")).isEmpty();
        assertThat(problems(schema, CODEC.encode(everything(Priority.LOW, new Line("a", 1), "t")))).isEmpty();
        assertThat(problems(schema, "{\"nope\":1}")).singleElement().asString().contains("nope");
        assertThat(problems(schema, "{\"line\":{\"sku\":\"a\",\"qty\":1}}")).anySatisfy(m -> assertThat(m).contains("qty"));
        assertThat(problems(schema, "{\"big\":\"1\"}")).isNotEmpty();
        for (String start : new String[] {"{}", "{\"line\":{\"sku\":\"a\"}}"}) {
            assertThat(CODEC.decodeStrictly(start, Everything.class)).as("the engine reads " + start).isNotNull();
        }
    }

    private static JsonNode node(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
