package dev.baton.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The masking of named fields, as pure logic. */
class RedactionTest {
    private static JsonNode json(String s) throws Exception {
        return Json.MAPPER.readTree(s);
    }

    @Test
    @DisplayName("a named field is masked at any depth and in arrays, whatever its value, ignoring case; others stay")
    void masksNamedFieldsEverywhere() throws Exception {
        Redaction r = Redaction.of(List.of(" cardNumber", "EMAIL", ""));
        JsonNode in = json("""
                {"orderId":"o-1","CardNumber":"4111111111111111","customer":{"email":"jane@example.com",
                 "address":{"email":{"work":"j@w"}}},"lines":[{"sku":"a","cardnumber":42}],"note":"email"}""");

        JsonNode out = r.apply(in);

        assertThat(out).isEqualTo(json("""
                {"orderId":"o-1","CardNumber":"[redacted]","customer":{"email":"[redacted]",
                 "address":{"email":"[redacted]"}},"lines":[{"sku":"a","cardnumber":"[redacted]"}],"note":"email"}"""));
        assertThat(in.get("CardNumber").asText()).as("the input is not changed").isEqualTo("4111111111111111");
        assertThat(r.names()).containsExactlyInAnyOrder("cardnumber", "email");
    }

    @Test
    @DisplayName("a stored message is read as JSON and masked; one that is not JSON is hidden whole when fields are masked")
    void payloads() {
        Redaction r = Redaction.of(List.of("amountCents"));
        assertThat(r.payload("{\"orderId\":\"o-1\",\"amountCents\":4200}").toString())
                .isEqualTo("{\"orderId\":\"o-1\",\"amountCents\":\"[redacted]\"}");
        assertThat(r.payload(null)).isNull();
        assertThat(r.payload("amountCents=4200").asText()).isEqualTo(Redaction.MASK);
        assertThat(Redaction.NONE.payload("amountCents=4200").asText()).isEqualTo("amountCents=4200");
        assertThat(Redaction.NONE.payload("[1,2]").toString()).isEqualTo("[1,2]");
    }

    @Test
    @DisplayName("a name that is not a field's (a path, a pattern) is refused with the fix")
    void refusesPaths() {
        assertThatThrownBy(() -> Redaction.of(List.of("card.number")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("redacted field 'card.number' is not a field name (letters, digits, _, - or $); name the"
                        + " field itself, which is masked at any depth");
    }
}
