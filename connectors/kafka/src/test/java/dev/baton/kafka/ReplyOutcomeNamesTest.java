package dev.baton.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The transport reads {@code baton-outcome} into the engine's {@link dev.baton.engine.spi.ReplyOutcome} by name: every
 * outcome the protocol defines (and the participant SDK writes) must be one the engine knows. The engine has one
 * more, ERROR, which the transport derives from RETRY_LATER with {@code baton-retry-cause: error} and never reads
 * from the wire ({@link ReplyParsingTest}).
 */
class ReplyOutcomeNamesTest {

    @Test
    @DisplayName("the engine's ReplyOutcome has the protocol's outcome names, and ERROR after them")
    void sameNames() {
        java.util.List<String> wire = Arrays.stream(dev.baton.protocol.ReplyOutcome.values()).map(Enum::name).toList();
        java.util.List<String> engine = new java.util.ArrayList<>(wire);
        engine.add("ERROR");
        assertThat(Arrays.stream(dev.baton.engine.spi.ReplyOutcome.values()).map(Enum::name)).containsExactlyElementsOf(engine);
    }
}
