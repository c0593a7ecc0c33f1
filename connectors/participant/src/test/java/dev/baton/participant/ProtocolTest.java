package dev.baton.participant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.engine.internal.Headers;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The SDK's copy of the protocol must not drift from the engine's until the two share one module. */
class ProtocolTest {

    @Test
    @DisplayName("every header name the engine defines has the same name and value in Protocol")
    void headersMatchTheEngine() throws IllegalAccessException {
        Map<String, Object> engine = constants(Headers.class);
        Map<String, Object> sdk = constants(Protocol.class);

        assertThat(engine).isNotEmpty();
        assertThat(sdk).containsAllEntriesOf(engine);
    }

    @Test
    @DisplayName("outcome names match the engine's ReplyOutcome, in order")
    void outcomesMatchTheEngine() {
        assertThat(Arrays.stream(ReplyOutcome.values()).map(Enum::name))
                .containsExactlyElementsOf(Arrays.stream(dev.baton.engine.spi.ReplyOutcome.values()).map(Enum::name).toList());
    }

    @Test
    @DisplayName("kind values are those the engine writes")
    void kinds() {
        assertThat(CommandKind.COMMAND.wireValue()).isEqualTo("command");
        assertThat(CommandKind.COMPENSATION.wireValue()).isEqualTo("compensation");
    }

    private static Map<String, Object> constants(Class<?> type) throws IllegalAccessException {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Field f : type.getDeclaredFields()) {
            int m = f.getModifiers();
            if (Modifier.isPublic(m) && Modifier.isStatic(m) && f.getType() == String.class) {
                out.put(f.getName(), f.get(null));
            }
        }
        return out;
    }
}
