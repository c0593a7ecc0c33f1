package dev.baton.kafka.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.kafka.common.internal.Clients;
import dev.baton.kafka.common.internal.ConsumerLoop;
import dev.baton.kafka.dev.EmbeddedKafkaBroker;
import dev.baton.kafka.dev.junit.KafkaBrokerExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The supervised consumer loop keeps going through handler failures, reports them, and loses no record. */
@ExtendWith(KafkaBrokerExtension.class)
class ConsumerLoopRecoveryTest {
    private static final int RECORDS = 40;

    @Test
    @DisplayName("a handler that fails four times in a row: the loop backs off, re-reads, handles every record, and recovers")
    void handlerFailuresBackOffAndResume(EmbeddedKafkaBroker broker) throws Exception {
        KafkaOptions options = KafkaOptions.defaults(broker.bootstrapServers())
                .withTopicPrefix("recovery-" + UUID.randomUUID() + ".").withPartitions(2);
        String topic = options.replyTopic();
        Clients.createTopics(options, List.of(topic));
        try (KafkaProducer<String, byte[]> producer = Clients.producer(options, "recovery-test")) {
            for (int i = 0; i < RECORDS; i++) {
                producer.send(new ProducerRecord<>(topic, "k" + i, ("v" + i).getBytes(StandardCharsets.UTF_8))).get();
            }
        }
        AtomicInteger calls = new AtomicInteger();
        Set<String> handled = ConcurrentHashMap.newKeySet();
        List<String> events = new CopyOnWriteArrayList<>();
        ConsumerLoop.Observer observer = new ConsumerLoop.Observer() {
            @Override
            public void failing(LoopHealth health) {
                events.add("failing:" + health.consecutiveFailures());
            }

            @Override
            public void recovered(LoopHealth health) {
                events.add("recovered");
            }
        };
        try (ConsumerLoop loop = new ConsumerLoop("test-recovery", Clients.consumer(options, "recovery-" + UUID.randomUUID(),
                "recovery"), List.of(topic), Duration.ofMillis(100), Duration.ofMillis(50), records -> {
                    if (calls.incrementAndGet() <= 4) {
                        throw new IllegalStateException("the database is down (failure " + calls.get() + ")");
                    }
                    records.forEach(r -> handled.add(new String(r.value(), StandardCharsets.UTF_8)));
                    return Map.of();
                }, observer)) {
            loop.start();
            await("every record handled after the failures").atMost(Duration.ofSeconds(60))
                    .until(() -> handled.size() == RECORDS);
            await("the loop reports it works again").atMost(Duration.ofSeconds(30))
                    .until(() -> !loop.health().failing());
            LoopHealth h = loop.health();
            assertThat(h.restarts()).as("a handler failure does not replace the consumer").isZero();
            assertThat(h.lastError()).contains("the database is down (failure 4)");
            assertThat(h.name()).isEqualTo("test-recovery");
        }
        assertThat(handled).isEqualTo(IntStream.range(0, RECORDS).mapToObj(i -> "v" + i).collect(Collectors.toSet()));
        assertThat(events).containsExactly("failing:1", "recovered");
    }
}
