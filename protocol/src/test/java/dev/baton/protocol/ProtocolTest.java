package dev.baton.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The names defined here are the ones docs/protocol.md documents. */
class ProtocolTest {
    private static final Path DOC = Path.of("..", "docs", "protocol.md");

    @Test
    @DisplayName("every header name is documented in docs/protocol.md, as code")
    void headersAreDocumented() throws IOException, IllegalAccessException {
        String doc = Files.readString(DOC);
        List<String> names = headerNames();

        assertThat(names).hasSize(18).doesNotHaveDuplicates();
        assertThat(names).allSatisfy(name -> assertThat(doc).contains("`" + name + "`"));
    }

    @Test
    @DisplayName("kind values and outcome names are documented in docs/protocol.md, as code")
    void valuesAreDocumented() throws IOException {
        String doc = Files.readString(DOC);

        assertThat(Arrays.stream(CommandKind.values()).map(CommandKind::wireValue))
                .containsExactly("command", "compensation")
                .allSatisfy(v -> assertThat(doc).contains("`" + v + "`"));
        assertThat(Arrays.stream(ReplyOutcome.values()).map(Enum::name))
                .containsExactly("SUCCESS", "FAILURE", "RETRY_LATER")
                .allSatisfy(v -> assertThat(doc).contains("`" + v + "`"));
        assertThat(Arrays.stream(RetryCause.values()).map(RetryCause::wireValue))
                .containsExactly("busy", "error")
                .allSatisfy(v -> assertThat(doc).contains("`" + v + "`"));
    }

    @Test
    @DisplayName("a kind is read back from its header value; anything else reads as none")
    void kindFromWire() {
        assertThat(CommandKind.fromWire("command")).isEqualTo(CommandKind.COMMAND);
        assertThat(CommandKind.fromWire("compensation")).isEqualTo(CommandKind.COMPENSATION);
        assertThat(CommandKind.fromWire("COMMAND")).isNull();
        assertThat(CommandKind.fromWire("undo")).isNull();
        assertThat(CommandKind.fromWire(null)).isNull();
    }

    private static List<String> headerNames() throws IllegalAccessException {
        List<String> out = new ArrayList<>();
        for (Field f : Headers.class.getDeclaredFields()) {
            int m = f.getModifiers();
            if (Modifier.isPublic(m) && Modifier.isStatic(m) && f.getType() == String.class) {
                out.add((String) f.get(null));
            }
        }
        return out;
    }
}
