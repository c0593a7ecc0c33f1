package dev.baton.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.server.api.Json;
import dev.baton.server.ops.LogSetup;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** baton.log.format and baton.log.level, applied to the real Logback context; the console captured. */
class LogSetupTest {
    private final PrintStream original = System.out;

    @AfterEach
    void restore() {
        System.setOut(original);
        LogSetup.apply("text", "INFO");
    }

    private static List<String> capture(String format, String level, Runnable logging) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        LogSetup.apply(format, level);
        logging.run();
        System.out.flush();
        return bytes.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    @DisplayName("json: one JSON object per line with level, logger and message; library chatter below WARN is dropped")
    void json() throws IOException {
        List<String> lines = capture("json", "INFO", () -> {
            LoggerFactory.getLogger("dev.baton.server.Example").info("saga {} started", "s-1");
            LoggerFactory.getLogger("dev.baton.saga").debug("not shown at INFO");
            LoggerFactory.getLogger("org.apache.kafka.clients.NetworkClient").info("kafka chatter");
            LoggerFactory.getLogger("org.apache.kafka.clients.NetworkClient").warn("kafka warning");
        });
        assertThat(lines).hasSize(2);
        JsonNode first = Json.MAPPER.readTree(lines.get(0));
        assertThat(first.get("level").asText()).isEqualTo("INFO");
        assertThat(first.get("loggerName").asText()).isEqualTo("dev.baton.server.Example");
        assertThat(first.get("formattedMessage").asText()).isEqualTo("saga s-1 started");
        assertThat(first.get("timestamp").asLong()).isPositive();
        assertThat(Json.MAPPER.readTree(lines.get(1)).get("level").asText()).isEqualTo("WARN");
    }

    @Test
    @DisplayName("text with baton.log.level=DEBUG: saga transitions show, libraries stay at WARN")
    void textDebug() {
        List<String> lines = capture("text", "DEBUG", () -> {
            Logger saga = LoggerFactory.getLogger("dev.baton.saga");
            saga.debug("saga s-1 (order) RUNNING -> COMPLETED");
            LoggerFactory.getLogger("com.zaxxer.hikari.HikariDataSource").info("pool starting");
        });
        assertThat(lines).singleElement().asString().contains("DEBUG", "dev.baton.saga", "RUNNING -> COMPLETED");
    }
}
