package dev.baton.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The transport reads {@code baton-outcome} into the engine's {@link dev.baton.engine.spi.ReplyOutcome} by name: every
 * outcome the protocol defines (and the participant SDK writes) must be one the engine knows, and no more.
 */
class ReplyOutcomeNamesTest {

    @Test
    @DisplayName("the engine's ReplyOutcome has exactly the protocol's outcome names")
    void sameNames() {
        assertThat(Arrays.stream(dev.baton.engine.spi.ReplyOutcome.values()).map(Enum::name))
                .containsExactlyElementsOf(Arrays.stream(dev.baton.protocol.ReplyOutcome.values()).map(Enum::name).toList());
    }
}
