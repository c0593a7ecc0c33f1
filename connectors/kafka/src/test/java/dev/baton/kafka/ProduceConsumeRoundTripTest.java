package dev.baton.kafka;

import static dev.baton.kafka.KafkaClients.pollUntil;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.baton.kafka.dev.EmbeddedKafkaBroker;
import dev.baton.kafka.dev.junit.KafkaBrokerExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(KafkaBrokerExtension.class)
class ProduceConsumeRoundTripTest {
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @BeforeAll
    static void shareTheBroker(EmbeddedKafkaBroker broker) {
        SharedBrokerProbe.record(ProduceConsumeRoundTripTest.class, broker);
    }

    @Test
    void recordsSentByAnIdempotentProducerAreReadAndCommittedByAConsumerGroup(EmbeddedKafkaBroker broker) throws Exception {
        String topic = "round-trip.commands";
        try (Admin admin = KafkaClients.admin(broker)) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }

        try (KafkaProducer<String, String> producer = KafkaClients.producer(broker)) {
            for (int i = 0; i < 10; i++) {
                RecordMetadata sent = producer.send(new ProducerRecord<>(topic, "saga-" + i, "command-" + i)).get();
                assertThat(sent.offset()).isEqualTo(i);
            }
        }

        TopicPartition partition = new TopicPartition(topic, 0);
        try (KafkaConsumer<String, String> consumer = KafkaClients.consumer(broker, "round-trip")) {
            consumer.subscribe(List.of(topic));
            long t0 = System.nanoTime();
            List<ConsumerRecord<String, String>> got = pollUntil(consumer, 10, PATIENCE);
            System.out.printf("first consumer group join and fetch took %d ms%n", (System.nanoTime() - t0) / 1_000_000);

            assertThat(got).extracting(ConsumerRecord::key, ConsumerRecord::value).containsExactly(
                    IntStream.range(0, 10).mapToObj(i -> tuple("saga-" + i, "command-" + i)).toArray(Tuple[]::new));
            consumer.commitSync(Map.of(partition, new OffsetAndMetadata(10)));
            assertThat(consumer.committed(Set.of(partition))).containsEntry(partition, new OffsetAndMetadata(10));
        }

        // a new member of the same group resumes after the commit: nothing is redelivered
        try (KafkaProducer<String, String> producer = KafkaClients.producer(broker);
                KafkaConsumer<String, String> consumer = KafkaClients.consumer(broker, "round-trip")) {
            producer.send(new ProducerRecord<>(topic, "saga-10", "command-10")).get();
            consumer.subscribe(List.of(topic));
            assertThat(pollUntil(consumer, 1, PATIENCE)).extracting(ConsumerRecord::offset).containsExactly(10L);
        }
    }
}
