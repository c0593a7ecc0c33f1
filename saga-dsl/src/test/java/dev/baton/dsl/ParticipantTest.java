package dev.baton.dsl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ParticipantTest {

    @ParameterizedTest
    @ValueSource(strings = {"payment", "p", "payment-service", "payments.eu_1", "9lives"})
    void acceptsLowerCaseNames(String name) {
        Participant<String> p = Participant.named(name, String.class);
        assertThat(p.name()).isEqualTo(name);
        assertThat(p.commandType()).isEqualTo(String.class);
        assertThat(p).hasToString("Participant[" + name + "]");
    }

    @Test
    void acceptsNamesUpTo100Characters() {
        assertThat(Participant.named("p".repeat(100), Object.class).name()).hasSize(100);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "Payment", "PAYMENT", "pay ment", "-payment", ".payment", "payment/eu", "paiement-é"})
    void rejectsOtherNamesWithTheValueAndThePattern(String name) {
        assertThatThrownBy(() -> Participant.named(name, Object.class)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("participant name must match [a-z0-9][a-z0-9._-]{0,99} (lower case, digits, '.', '_', '-'),"
                        + " but was '" + name + "'");
    }

    @Test
    void rejectsNamesOver100Characters() {
        String name = "p".repeat(101);
        assertThatThrownBy(() -> Participant.named(name, Object.class)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageEndingWith("but was '" + name + "'");
    }

    @Test
    void rejectsNullsByName() {
        assertThatThrownBy(() -> Participant.named(null, Object.class)).isInstanceOf(NullPointerException.class)
                .hasMessage("name");
        assertThatThrownBy(() -> Participant.named("payment", null)).isInstanceOf(NullPointerException.class)
                .hasMessage("commandType");
    }

    @Test
    void handlesAreValuesOfNameAndCommandType() {
        assertThat(Participant.named("payment", String.class))
                .isEqualTo(Participant.named("payment", String.class))
                .hasSameHashCodeAs(Participant.named("payment", String.class))
                .isNotEqualTo(Participant.named("payments", String.class))
                .isNotEqualTo(Participant.named("payment", Integer.class));
    }
}
