package dev.baton.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.kafka.common.KafkaOptions;
import dev.baton.kafka.dev.EmbeddedKafkaBroker;
import dev.baton.kafka.dev.junit.KafkaBrokerExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The engine's own consumers' lag, read from a real broker. */
@ExtendWith(KafkaBrokerExtension.class)
class EngineLagTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Test
    void repliesAndStartsNotYetConsumedByTheEngineGroupsAreCountedPerConsumer(EmbeddedKafkaBroker broker)
            throws Exception {
        KafkaOptions options = KafkaOptions.defaults(broker.bootstrapServers()).withTopicPrefix("lag.")
                .withEngineGroupId("lag-engine");
        try (Admin admin = KafkaClients.admin(broker)) {
            admin.createTopics(List.of(new NewTopic(options.replyTopic(), 2, (short) 1),
                    new NewTopic(options.startTopic(), 1, (short) 1))).all().get();
        }
        try (KafkaProducer<String, String> producer = KafkaClients.producer(broker)) {
            for (int i = 0; i < 5; i++) {
                producer.send(new ProducerRecord<>(options.replyTopic(), i % 2, "k" + i, "reply " + i)).get();
            }
            for (int i = 0; i < 2; i++) {
                producer.send(new ProducerRecord<>(options.startTopic(), "s" + i, "start " + i)).get();
            }
        }
        try (KafkaTransport transport = KafkaTransport.create(options, null)) {
            assertThat(transport.engineLag(TIMEOUT)).as("nothing consumed yet: every record counts")
                    .isEqualTo(Map.of("replies", 5L, "starts", 2L));

            try (KafkaConsumer<String, String> engine = KafkaClients.consumer(broker, options.engineGroupId())) {
                engine.subscribe(List.of(options.replyTopic()));
                KafkaClients.pollUntil(engine, 5, Duration.ofSeconds(30));
                engine.commitSync();
            }
            assertThat(transport.engineLag(TIMEOUT)).as("the reply group committed everything; starts untouched")
                    .isEqualTo(Map.of("replies", 0L, "starts", 2L));
        }
    }

    @Test
    void aConsumerWhoseTopicDoesNotExistIsLeftOut(EmbeddedKafkaBroker broker) {
        KafkaOptions options = KafkaOptions.defaults(broker.bootstrapServers()).withTopicPrefix("lag-none.");
        try (KafkaTransport transport = KafkaTransport.create(options, null)) {
            assertThat(transport.engineLag(TIMEOUT)).isEmpty();
        }
    }
}
