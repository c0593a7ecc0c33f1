package dev.baton.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.engine.spi.ReplyOutcome;
import dev.baton.protocol.Headers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** How a reply record's headers become an InboundReply: the retry-after hint of a busy answer reaches the engine. */
class ReplyParsingTest {

    private static ConsumerRecord<String, byte[]> reply(String outcome, String retryAfterMs) {
        return reply(outcome, retryAfterMs, null);
    }

    private static ConsumerRecord<String, byte[]> reply(String outcome, String retryAfterMs, String cause) {
        return reply(outcome, retryAfterMs, cause, "r-1");
    }

    private static ConsumerRecord<String, byte[]> reply(String outcome, String retryAfterMs, String cause, String id) {
        Map<String, String> h = new LinkedHashMap<>();
        if (cause != null) {
            h.put(Headers.RETRY_CAUSE, cause);
        }
        h.put(Headers.MESSAGE_ID, id);
        h.put(Headers.CORRELATION_ID, "s-1/pay/do/1");
        h.put(Headers.SAGA_ID, "s-1");
        h.put(Headers.OUTCOME, outcome);
        if (retryAfterMs != null) {
            h.put(Headers.RETRY_AFTER_MS, retryAfterMs);
        }
        RecordHeaders headers = new RecordHeaders();
        h.forEach((k, v) -> headers.add(k, v.getBytes(StandardCharsets.UTF_8)));
        return new ConsumerRecord<>("baton.replies", 0, 0, 0L, org.apache.kafka.common.record.TimestampType.CREATE_TIME,
                0, 0, "s-1", null, headers, java.util.Optional.empty());
    }

    @Test
    @DisplayName("RETRY_LATER with baton-retry-after-ms: the hint becomes InboundReply.retryAfter, cut to an hour")
    void retryAfterReachesTheEngine() {
        assertThat(KafkaTransport.parse(reply("RETRY_LATER", "30000")).reply().retryAfter()).isEqualTo(Duration.ofSeconds(30));
        assertThat(KafkaTransport.parse(reply("RETRY_LATER", "999999999999")).reply().retryAfter())
                .isEqualTo(KafkaTransport.MAX_RETRY_AFTER);
        assertThat(KafkaTransport.parse(reply("RETRY_LATER", null)).reply().retryAfter()).isNull();
        assertThat(KafkaTransport.parse(reply("SUCCESS", "30000")).reply()).satisfies(r -> {
            assertThat(r.outcome()).isEqualTo(ReplyOutcome.SUCCESS);
            assertThat(r.retryAfter()).as("a hint means nothing without RETRY_LATER").isNull();
        });
    }

    @Test
    @DisplayName("a message id longer than the inbox keeps is a problem (dead-lettered), not a batch that fails forever")
    void overlongMessageId() {
        assertThat(KafkaTransport.parse(reply("SUCCESS", null, null, "r".repeat(255))).reply()).isNotNull();
        KafkaTransport.Parsed p = KafkaTransport.parse(reply("SUCCESS", null, null, "r".repeat(256)));
        assertThat(p.reply()).isNull();
        assertThat(p.problem()).contains("baton-message-id has 256 characters").contains("at most 255");
    }

    @Test
    @DisplayName("a retry-after that is not a positive whole number of milliseconds is a problem, with the reason")
    void badRetryAfter() {
        for (String bad : new String[] {"soon", "0", "-5", "1.5"}) {
            KafkaTransport.Parsed p = KafkaTransport.parse(reply("RETRY_LATER", bad));
            assertThat(p.reply()).as(bad).isNull();
            assertThat(p.problem()).contains("baton-retry-after-ms").contains("'" + bad + "'");
        }
    }

    @Test
    @DisplayName("RETRY_LATER with baton-retry-cause: error reaches the engine as ERROR; busy, absent or unknown causes as RETRY_LATER")
    void retryCause() {
        assertThat(KafkaTransport.parse(reply("RETRY_LATER", null, "error")).reply().outcome()).isEqualTo(ReplyOutcome.ERROR);
        assertThat(KafkaTransport.parse(reply("RETRY_LATER", "500", "error")).reply().retryAfter())
                .isEqualTo(Duration.ofMillis(500));
        for (String cause : new String[] {"busy", null, "overheated"}) {
            assertThat(KafkaTransport.parse(reply("RETRY_LATER", null, cause)).reply().outcome()).as(cause)
                    .isEqualTo(ReplyOutcome.RETRY_LATER);
        }
        assertThat(KafkaTransport.parse(reply("SUCCESS", null, "error")).reply().outcome())
                .as("the cause qualifies only RETRY_LATER").isEqualTo(ReplyOutcome.SUCCESS);
    }

    @Test
    @DisplayName("ERROR is not an outcome on the wire: a reply that says so is a problem")
    void errorIsNotAWireOutcome() {
        KafkaTransport.Parsed p = KafkaTransport.parse(reply("ERROR", null));
        assertThat(p.reply()).isNull();
        assertThat(p.problem()).contains("baton-outcome").contains("'ERROR'");
    }
}
