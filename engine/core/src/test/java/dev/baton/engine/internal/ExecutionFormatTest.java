package dev.baton.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.engine.SagaCodecException;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ExecutionFormatTest {
    private static final Instant T = Instant.parse("2026-01-01T00:00:06.250Z");

    @Test
    @DisplayName("writes exactly the format the Jackson codec wrote, and reads it back")
    void sameAsEarlierReleases() {
        Execution e = new Execution(List.of("create-order", "reserve-inventory"), List.of(),
                new Execution.Cursor("authorize-payment", Execution.Direction.FORWARD, 1, 2, 1, false, false,
                        Instant.parse("2026-01-01T00:00:00Z")), Instant.parse("2026-01-01T00:30:00Z"));
        // a row as written by bf08b18 (see connectors/jdbi's fixtures/h2-bf08b18.sql)
        String stored = "{\"completed\":[\"create-order\",\"reserve-inventory\"],\"compensated\":[],\"cursor\":{\"step\":"
                + "\"authorize-payment\",\"direction\":\"FORWARD\",\"execution\":1,\"attempt\":2,\"roundAttempt\":1,"
                + "\"awaiting\":false,\"uncertain\":false,\"firstSentAt\":\"2026-01-01T00:00:00Z\"},"
                + "\"parkDeadline\":\"2026-01-01T00:30:00Z\"}";
        assertThat(ExecutionFormat.encode(e)).isEqualTo(stored);
        assertThat(ExecutionFormat.decode(stored)).isEqualTo(e);
        assertThat(ExecutionFormat.decode(stored).cursor().erred()).as("absent: no error answered").isFalse();
    }

    @Test
    @DisplayName("round-trips terminal states, compensation cursors and step names that need escaping")
    void roundTrips() {
        List<Execution> cases = List.of(
                new Execution(List.of(), List.of(), null, null),
                new Execution(List.of("a", "b"), List.of("b"), new Execution.Cursor("a", Execution.Direction.COMPENSATE,
                        3, 7, 2, true, true, T), null),
                new Execution(List.of("quote\"back\\slash", "tab\tnew\nline", "\u0001ctl", "ünïcødé €"), List.of(),
                        new Execution.Cursor("quote\"back\\slash", Execution.Direction.FORWARD, 1, 1, 1, false, false, null),
                        T),
                new Execution(List.of(), List.of(), new Execution.Cursor("pay", Execution.Direction.FORWARD, 1, 4, 4,
                        false, false, T, true), null),
                // in a parallel group: one lane awaiting, one parked, one done; then failing
                new Execution(List.of("create-order"), List.of(), null, null, new Execution.Group("checks", List.of(
                        new Execution.Lane("check-fraud", new Execution.Cursor("check-fraud", Execution.Direction.FORWARD,
                                1, 2, 1, false, true, T), T.plusSeconds(60), true, "busy: \"overloaded\""),
                        new Execution.Lane("stock", new Execution.Cursor("reserve", Execution.Direction.FORWARD, 1, 1, 1,
                                true, false, T), null, false, null),
                        new Execution.Lane("estimate", null, null, false, null)), false)),
                new Execution(List.of("create-order", "reserve"), List.of(), null, null, new Execution.Group("checks",
                        List.of(new Execution.Lane("stock", null, null, false, null)), true)));
        for (Execution e : cases) {
            assertThat(ExecutionFormat.decode(ExecutionFormat.encode(e))).isEqualTo(e);
        }
    }

    @Test
    @DisplayName("reads what other codecs may have written: any field order, unknown fields, instants as epoch seconds")
    void lenientReading() {
        String other = " { \"parkDeadline\" : 1767225600.5, \"extra\": {\"x\":[1,2,{\"y\":null}]}, \"cursor\": {\"uncertain\":true,"
                + "\"firstSentAt\":1767225606,\"awaiting\":true,\"roundAttempt\":1,\"attempt\":1,\"execution\":1,"
                + "\"direction\":\"FORWARD\",\"step\":\"s\\u00e9\"},\"compensated\":[],\"completed\":[\"a\"] } ";
        Execution e = ExecutionFormat.decode(other);
        assertThat(e.parkDeadline()).isEqualTo(Instant.parse("2026-01-01T00:00:00.500Z"));
        assertThat(e.cursor().firstSentAt()).isEqualTo(Instant.parse("2026-01-01T00:00:06Z"));
        assertThat(e.cursor().step()).isEqualTo("sé");
        assertThat(e.cursor().uncertain()).isTrue();
        assertThat(e.completed()).containsExactly("a");
    }

    @Test
    @DisplayName("text that is not an execution state fails with a SagaCodecException that quotes it")
    void rejectsGarbage() {
        for (String bad : List.of("", "[]", "{\"completed\":[\"a\"]", "{\"cursor\":{\"step\":\"a\"}}", "{} trailing",
                "{\"completed\":[1]}", "{\"cursor\":{\"step\":\"a\",\"direction\":\"SIDEWAYS\",\"execution\":1,"
                        + "\"attempt\":1,\"roundAttempt\":1,\"awaiting\":true}}")) {
            assertThatThrownBy(() -> ExecutionFormat.decode(bad)).as(bad).isInstanceOf(SagaCodecException.class)
                    .hasMessageContaining("execution state cannot be read");
        }
    }
}
