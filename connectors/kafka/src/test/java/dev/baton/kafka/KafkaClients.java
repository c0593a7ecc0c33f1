package dev.baton.kafka;

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
final class KafkaClients {
    private KafkaClients() {}

    static Admin admin(EmbeddedKafkaBroker broker) {
        return Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()));
    }

    /** Idempotent, acks=all, no linger: each send goes out at once. */
    static KafkaProducer<String, String> producer(EmbeddedKafkaBroker broker) {
        return new KafkaProducer<>(Map.of(
                "bootstrap.servers", broker.bootstrapServers(),
                "enable.idempotence", true,
                "acks", "all",
                "linger.ms", 0), new StringSerializer(), new StringSerializer());
    }

    /** A member of {@code group} that commits by hand and starts from the earliest record. */
    static KafkaConsumer<String, String> consumer(EmbeddedKafkaBroker broker, String group) {
        return new KafkaConsumer<>(Map.of(
                "bootstrap.servers", broker.bootstrapServers(),
                "group.id", group,
                "enable.auto.commit", false,
                "auto.offset.reset", "earliest",
                "isolation.level", "read_committed"), new StringDeserializer(), new StringDeserializer());
    }

    /** Polls until {@code count} records arrived; fails after {@code timeout}. */
    static List<ConsumerRecord<String, String>> pollUntil(KafkaConsumer<String, String> consumer, int count, Duration timeout) {
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
}
