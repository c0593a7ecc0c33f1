package dev.baton.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.kafka.dev.EmbeddedKafkaBroker;
import dev.baton.kafka.dev.junit.KafkaBrokerExtension;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(KafkaBrokerExtension.class)
class AdminTopicsTest {

    @BeforeAll
    static void shareTheBroker(EmbeddedKafkaBroker broker) {
        SharedBrokerProbe.record(AdminTopicsTest.class, broker);
    }

    @Test
    void aTopicCreatedThroughTheAdminClientHasItsPartitionsEachLedByTheOneNode(EmbeddedKafkaBroker broker) throws Exception {
        String topic = "admin.replies";
        try (Admin admin = KafkaClients.admin(broker)) {
            admin.createTopics(List.of(new NewTopic(topic, 4, (short) 1))).all().get();

            TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
            assertThat(description.partitions()).hasSize(4).allSatisfy(p -> {
                assertThat(p.leader().id()).isEqualTo(1);
                assertThat(p.isr()).hasSize(1);
            });
            assertThat(description.partitions()).extracting(TopicPartitionInfo::partition).containsExactly(0, 1, 2, 3);
            assertThat(admin.listTopics().names().get()).contains(topic);
        }

        try (KafkaProducer<String, String> producer = KafkaClients.producer(broker)) {
            for (int p = 0; p < 4; p++) {
                RecordMetadata sent = producer.send(new ProducerRecord<>(topic, p, "key", "to partition " + p)).get();
                assertThat(sent.partition()).isEqualTo(p);
                assertThat(sent.offset()).isZero();
            }
        }
    }

    @Test
    void anAutoCreatedTopicGetsTheDefaultPartitionCount(EmbeddedKafkaBroker broker) throws Exception {
        String topic = "admin.auto-created";
        try (KafkaProducer<String, String> producer = KafkaClients.producer(broker)) {
            producer.send(new ProducerRecord<>(topic, "k", "v")).get();
        }
        try (Admin admin = KafkaClients.admin(broker)) {
            assertThat(admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()).hasSize(1);
            assertThat(admin.describeCluster().nodes().get()).singleElement().satisfies(node -> {
                assertThat(node.host()).isEqualTo("127.0.0.1");
                assertThat(node.port()).isEqualTo(broker.port());
            });
        }
    }
}
