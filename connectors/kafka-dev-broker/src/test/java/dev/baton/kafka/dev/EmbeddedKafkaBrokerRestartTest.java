package dev.baton.kafka.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaBrokerRestartTest {
    private static final String TOPIC = "restart.orders";
    private static final int RECORDS = 30;

    @Test
    void aBrokerRestartedOnTheSameDirectoryAndPortKeepsTopicsRecordsAndCommittedOffsets(@TempDir Path dir) throws Exception {
        EmbeddedKafkaBroker first = EmbeddedKafkaBroker.builder().dataDirectory(dir).build().start();
        int port = first.port();
        String clusterId = first.clusterId();
        System.out.printf("first start (formats storage) took %d ms%n", first.startupDuration().toMillis());
        try (first) {
            try (Admin admin = admin(first)) {
                admin.createTopics(List.of(new NewTopic(TOPIC, 3, (short) 1))).all().get();
            }
            try (KafkaProducer<String, String> producer = producer(first)) {
                for (int i = 0; i < RECORDS; i++) {
                    producer.send(new ProducerRecord<>(TOPIC, i % 3, "order-" + i, "placed-" + i)).get();
                }
            }
            try (KafkaConsumer<String, String> consumer = consumer(first, "shipping")) {
                consumer.subscribe(List.of(TOPIC));
                assertThat(pollUntil(consumer, RECORDS)).hasSize(RECORDS);
                consumer.commitSync();
            }
        }
        first.close(); // again: a no-op
        assertThat(first.isRunning()).isFalse();
        assertThat(dir.resolve("meta.properties")).exists();

        long t0 = System.nanoTime();
        try (EmbeddedKafkaBroker second = EmbeddedKafkaBroker.builder().dataDirectory(dir).port(port).build().start()) {
            System.out.printf("restart took %d ms (start %d ms)%n", (System.nanoTime() - t0) / 1_000_000, second.startupDuration().toMillis());
            assertThat(second.bootstrapServers()).isEqualTo("127.0.0.1:" + port);
            assertThat(second.clusterId()).isEqualTo(clusterId);
            try (Admin admin = admin(second)) {
                assertThat(admin.describeTopics(List.of(TOPIC)).allTopicNames().get().get(TOPIC).partitions()).hasSize(3);
                Map<TopicPartition, OffsetAndMetadata> committed =
                        admin.listConsumerGroupOffsets("shipping").partitionsToOffsetAndMetadata().get();
                assertThat(committed.values()).extracting(OffsetAndMetadata::offset).containsOnly((long) RECORDS / 3);
            }
            try (KafkaConsumer<String, String> consumer = consumer(second, "audit")) {
                consumer.subscribe(List.of(TOPIC));
                assertThat(pollUntil(consumer, RECORDS)).extracting(ConsumerRecord::value)
                        .containsExactlyInAnyOrderElementsOf(IntStream.range(0, RECORDS).mapToObj(i -> "placed-" + i).toList());
            }
        }
        assertThat(dir).isDirectory(); // a configured directory is kept
    }

    @Test
    void aBrokerWhosePortIsTakenFailsAtOnceNamingThePort() throws Exception {
        try (var taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().port(taken.getLocalPort()).build();
            assertThatThrownBy(broker::start)
                    .isInstanceOf(KafkaBrokerException.class)
                    .hasMessageContaining("127.0.0.1:" + taken.getLocalPort())
                    .hasMessageContaining("in use");
            assertThat(broker.isRunning()).isFalse();
            broker.close();
        }
    }

    @Test
    void withoutADirectoryTheBrokerUsesATemporaryOneDeletedOnCloseAndTakesExtraProperties() throws Exception {
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder()
                .defaultPartitions(2)
                .brokerProperty("auto.create.topics.enable", "false")
                .build().start();
        Path dir = broker.dataDirectory();
        try (broker; Admin admin = admin(broker)) {
            assertThat(dir.resolve("meta.properties")).exists();
            admin.createTopics(List.of(new NewTopic("temporary.defaults", Optional.empty(), Optional.empty()))).all().get();
            assertThat(admin.describeTopics(List.of("temporary.defaults")).allTopicNames().get().get("temporary.defaults").partitions())
                    .hasSize(2);
            ConfigResource node = new ConfigResource(ConfigResource.Type.BROKER, "1");
            Config config = admin.describeConfigs(List.of(node)).all().get().get(node);
            assertThat(config.get("auto.create.topics.enable").value()).isEqualTo("false");
            assertThat(config.get("group.initial.rebalance.delay.ms").value()).isEqualTo("0");
        }
        assertThat(dir).doesNotExist();
    }

    private static Admin admin(EmbeddedKafkaBroker broker) {
        return Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()));
    }

    private static KafkaProducer<String, String> producer(EmbeddedKafkaBroker broker) {
        return new KafkaProducer<>(Map.of("bootstrap.servers", broker.bootstrapServers(), "enable.idempotence", true, "linger.ms", 0),
                new StringSerializer(), new StringSerializer());
    }

    private static KafkaConsumer<String, String> consumer(EmbeddedKafkaBroker broker, String group) {
        return new KafkaConsumer<>(Map.of("bootstrap.servers", broker.bootstrapServers(), "group.id", group,
                "enable.auto.commit", false, "auto.offset.reset", "earliest"), new StringDeserializer(), new StringDeserializer());
    }

    private static List<ConsumerRecord<String, String>> pollUntil(KafkaConsumer<String, String> consumer, int count) {
        List<ConsumerRecord<String, String>> got = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (got.size() < count && System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(100)).forEach(got::add);
        }
        return got;
    }
}
