package dev.baton.jackson;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.baton.engine.SagaCodecException;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@link JacksonCodec#decodeStrictly}: what start data may not be, and how the refusal reads. */
class StrictDecodeTest {
    enum Speed { STANDARD, EXPRESS }
    record Line(String sku, int quantity) {}
    record Order(String orderId, long amountCents, boolean gift, double weight, Instant placedAt, Speed speed,
                 List<Line> lines) {}

    private final JacksonCodec codec = new JacksonCodec();

    private SagaCodecException refused(String json) {
        SagaCodecException e = catchThrowableOfType(SagaCodecException.class, () -> codec.decodeStrictly(json, Order.class));
        assertThat(e).as("refused: " + json).isNotNull();
        assertThat(e.problem()).doesNotContain("dev.baton", "java.", "Order", "Line", "`", "Jackson", "DeserializationFeature");
        return e;
    }

    @Test
    @DisplayName("well-formed data decodes strictly exactly as leniently")
    void accepts() {
        String json = "{\"orderId\":\"o-1\",\"amountCents\":4900,\"gift\":true,\"weight\":1.5,\"placedAt\":\"2026-01-31T12:00:00Z\","
                + "\"speed\":\"EXPRESS\",\"lines\":[{\"sku\":\"a\",\"quantity\":2}]}";
        assertThat(codec.decodeStrictly(json, Order.class)).isEqualTo(codec.decode(json, Order.class));
        assertThat(codec.decodeStrictly("{\"orderId\":\"o-1\",\"weight\":2}", Order.class).weight()).isEqualTo(2.0);
    }

    @Test
    @DisplayName("an unknown field is refused, named with the known ones")
    void unknownField() {
        SagaCodecException e = refused("{\"orderId\":\"o-1\",\"amountCent\":5}");
        assertThat(e.field()).hasValue("amountCent");
        assertThat(e.problem()).isEqualTo("is not a field of this data; known fields: [amountCents, gift, lines, orderId,"
                + " placedAt, speed, weight]");
        assertThat(refused("{\"lines\":[{\"sku\":\"a\",\"qty\":1}]}").field()).hasValue("lines[0].qty");
    }

    @Test
    @DisplayName("a string for a number, a number for a string, a string or number for a boolean: refused, not converted")
    void coercions() {
        SagaCodecException e = refused("{\"amountCents\":\"4900\"}");
        assertThat(e.field()).hasValue("amountCents");
        assertThat(e.problem()).isEqualTo("must be a whole number, but was the string \"4900\"");
        assertThat(refused("{\"weight\":\"1.5\"}").problem()).isEqualTo("must be a number, but was the string \"1.5\"");
        assertThat(refused("{\"orderId\":42}").problem()).startsWith("must be a string, but was");
        assertThat(refused("{\"gift\":\"true\"}").problem()).startsWith("must be true or false, but was");
        assertThat(refused("{\"gift\":1}").field()).hasValue("gift");
        assertThat(refused("{\"amountCents\":true}").field()).hasValue("amountCents");
        assertThat(refused("{\"lines\":{\"sku\":\"a\"}}").problem()).isEqualTo("must be an array, but was an object");
    }

    @Test
    @DisplayName("a fraction for a whole number is refused, not truncated")
    void floatToInt() {
        SagaCodecException e = refused("{\"amountCents\":1.9}");
        assertThat(e.field()).hasValue("amountCents");
        assertThat(e.problem()).isEqualTo("must be a whole number, but was the number 1.9");
        assertThat(refused("{\"lines\":[{\"sku\":\"a\",\"quantity\":2.5}]}").field()).hasValue("lines[0].quantity");
    }

    @Test
    @DisplayName("a key given twice is refused, not last-wins")
    void duplicateKeys() {
        SagaCodecException e = refused("{\"orderId\":\"a\",\"amountCents\":1,\"orderId\":\"b\"}");
        assertThat(e.field()).hasValue("orderId");
        assertThat(e.problem()).isEqualTo("appears more than once; give each field once");
        assertThat(refused("{\"lines\":[{\"sku\":\"a\",\"sku\":\"b\"}]}").field()).hasValue("lines[0].sku");
    }

    @Test
    @DisplayName("content after the value is refused")
    void trailing() {
        SagaCodecException e = refused("{\"orderId\":\"a\"} {\"orderId\":\"b\"}");
        assertThat(e.field()).hasValue("");
        assertThat(e.problem()).isEqualTo("has more content after the JSON value; send exactly one value");
        assertThat(refused("{\"orderId\":\"a\"}x").field()).hasValue("");
    }

    @Test
    @DisplayName("bad enum values and long input are quoted cut short; malformed JSON says so")
    void echoesAreCapped() {
        SagaCodecException e = refused("{\"speed\":\"" + "x".repeat(5000) + "\"}");
        assertThat(e.field()).hasValue("speed");
        assertThat(e.problem()).startsWith("must be one of [STANDARD, EXPRESS], but was the string \"xxx")
                .contains("(5000 characters)").hasSizeLessThan(300);
        SagaCodecException unknown = refused("{\"" + "y".repeat(5000) + "\":1}");
        assertThat(unknown.field()).hasValueSatisfying(f -> assertThat(f).hasSizeLessThan(150));
        SagaCodecException malformed = refused("{\"orderId\":");
        assertThat(malformed.problem()).startsWith("is not valid JSON: Unexpected end-of-input");
        assertThat(malformed.getMessage()).startsWith("cannot read a Order from JSON: Unexpected end-of-input");
        assertThat(refused("{\"amountCents\":1.9}")).hasMessage("cannot read a Order from JSON: amountCents must be a whole"
                + " number, but was the number 1.9");
        assertThat(refused("[]")).hasMessageStartingWith("cannot read a Order from JSON: the value must be an object");
    }

    @Test
    @DisplayName("decode stays lenient: unknown fields and conversions still pass there (replies, stored data)")
    void decodeStaysLenient() {
        Order o = codec.decode("{\"orderId\":\"o\",\"amountCents\":\"4900\",\"extra\":1}", Order.class);
        assertThat(o.amountCents()).isEqualTo(4900);
    }
}
