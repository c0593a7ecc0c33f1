package dev.baton.jackson;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.engine.SagaCodecException;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class JacksonCodecTest {
    record Order(String orderId, long amountCents, Instant placedAt, List<String> items) {}

    private final JacksonCodec codec = new JacksonCodec();

    @Test
    @DisplayName("a record with java.time fields survives a round trip, and the JSON names no class")
    void roundTrip() {
        Order o = new Order("o-1", 1999, Instant.parse("2026-11-27T10:15:30.123456Z"), List.of("a", "b"));
        String json = codec.encode(o);
        assertThat(json).contains("\"placedAt\":\"2026-11-27T10:15:30.123456Z\"").doesNotContain("dev.baton");
        assertThat(codec.decode(json, Order.class)).isEqualTo(o);
    }

    @Test
    @DisplayName("unknown properties are ignored, so removing a field does not break stored data")
    void unknownPropertiesIgnored() {
        Order o = codec.decode("{\"orderId\":\"o-2\",\"amountCents\":5,\"legacy\":true}", Order.class);
        assertThat(o.orderId()).isEqualTo("o-2");
        assertThat(o.amountCents()).isEqualTo(5);
    }

    @Test
    @DisplayName("malformed JSON is a SagaCodecException naming the target type")
    void malformed() {
        assertThatThrownBy(() -> codec.decode("{\"orderId\":", Order.class))
                .isInstanceOf(SagaCodecException.class)
                .hasMessageContaining("cannot read a Order");
        assertThatThrownBy(() -> codec.decode("null", Order.class))
                .isInstanceOf(SagaCodecException.class)
                .hasMessageContaining("null");
    }
}
