package dev.baton.kafka;

import dev.baton.kafka.common.KafkaOptions;
import dev.baton.kafka.dev.EmbeddedKafkaBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Client settings the transport will use, for tests against the shared broker. */
public final class KafkaClients {
    private KafkaClients() {}

    public static Admin admin(EmbeddedKafkaBroker broker) {
        return Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()));
    }

    /** Idempotent, acks=all, no linger: each send goes out at once. */
    public static KafkaProducer<String, String> producer(EmbeddedKafkaBroker broker) {
        return new KafkaProducer<>(Map.of(
                "bootstrap.servers", broker.bootstrapServers(),
                "enable.idempotence", true,
                "acks", "all",
                "linger.ms", 0), new StringSerializer(), new StringSerializer());
    }

    /** A member of {@code group} that commits by hand and starts from the earliest record. */
    public static KafkaConsumer<String, String> consumer(EmbeddedKafkaBroker broker, String group) {
        return new KafkaConsumer<>(Map.of(
                "bootstrap.servers", broker.bootstrapServers(),
                "group.id", group,
                "enable.auto.commit", false,
                "auto.offset.reset", "earliest",
                "isolation.level", "read_committed"), new StringDeserializer(), new StringDeserializer());
    }

    /** Polls until {@code count} records arrived; fails after {@code timeout}. */
    public static List<ConsumerRecord<String, String>> pollUntil(KafkaConsumer<String, String> consumer, int count, Duration timeout) {
        List<ConsumerRecord<String, String>> got = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (got.size() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("expected " + count + " records within " + timeout + " but got " + got.size() + ": " + got);
            }
            consumer.poll(Duration.ofMillis(100)).forEach(got::add);
        }
        return got;
    }

    /** A header's value as UTF-8 text, or null. */
    public static String header(ConsumerRecord<String, byte[]> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Reads {@code topic} from the start with a new group until {@code expected} records arrived (30 s at most). */
    public static List<ConsumerRecord<String, byte[]>> readAll(KafkaOptions options, String topic, int expected) {
        List<ConsumerRecord<String, byte[]>> out = new java.util.ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(dev.baton.kafka.common.internal.Clients.consumer(options,
                "reader-" + java.util.UUID.randomUUID(), "reader"))) {
            c.subscribe(List.of(topic));
            org.awaitility.Awaitility.await("records on " + topic).atMost(Duration.ofSeconds(30)).until(() -> {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
                return out.size() >= expected;
            });
        }
        return out;
    }
}
