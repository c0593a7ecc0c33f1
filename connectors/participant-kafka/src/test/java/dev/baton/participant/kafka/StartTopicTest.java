package dev.baton.participant.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.engine.SagaEngine;
import dev.baton.engine.spi.SagaListener;
import dev.baton.engine.spi.StoreTransaction;
import dev.baton.jackson.JacksonCodec;
import dev.baton.jdbi.JdbiSagaStore;
import dev.baton.kafka.KafkaClients;
import dev.baton.kafka.KafkaStartConsumer;
import dev.baton.kafka.common.KafkaOptions;
import dev.baton.kafka.common.internal.Clients;
import dev.baton.kafka.dev.EmbeddedKafkaBroker;
import dev.baton.kafka.dev.junit.KafkaBrokerExtension;
import dev.baton.protocol.Headers;
import dev.baton.testkit.ForwardingSagaStore;
import dev.baton.testkit.InMemoryTransport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The start topic: a backlog of start records is started in shared transactions (the consumer starts a poll's
 * records concurrently, and the engine group-commits them), business keys stay idempotent, and malformed records
 * go to the start topic's dead-letter topic with their reason.
 */
@ExtendWith(KafkaBrokerExtension.class)
class StartTopicTest {
    static final int PLAIN = 120;
    static final int KEYS = 30;

    /** Counts the store's transactions; the first {@code failures} of them fail as if the database were down. */
    static final class CountingStore extends ForwardingSagaStore {
        final AtomicInteger transactions = new AtomicInteger();
        final AtomicInteger failures = new AtomicInteger();

        CountingStore(JdbiSagaStore delegate) {
            super(delegate);
        }

        @Override
        public <T> T inTransaction(Function<StoreTransaction, T> work) {
            transactions.incrementAndGet();
            if (failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new dev.baton.engine.SagaStoreException("saga store: the database is unreachable (test)", null);
            }
            return delegate.inTransaction(work);
        }
    }

    @Test
    @DisplayName("when the store fails, the start records are read again: each keyed saga starts once, nothing is dead-lettered")
    @SuppressWarnings("try") // the consumer only needs to run during the block
    void storeFailure(EmbeddedKafkaBroker broker) throws Exception {
        KafkaOptions options = KafkaOptions.defaults(broker.bootstrapServers()).withTopicPrefix("starts-" + UUID.randomUUID() + ".")
                .withEngineGroupId("starts-engine").withPartitions(2).withRetryBackoff(Duration.ofMillis(200));
        AtomicInteger deadLetters = new AtomicInteger();
        SagaListener listener = new SagaListener() {
            @Override
            public void onDeadLetter(String where, String reason) {
                deadLetters.incrementAndGet();
            }
        };
        String type = OrderServices.SAGA.type();
        Clients.createTopics(options, List.of(options.startTopic()));
        try (KafkaProducer<String, byte[]> producer = Clients.producer(options, "starts-test")) {
            for (int k = 0; k < 40; k++) {
                producer.send(record(options, "key-" + k, order("keyed-" + k), Map.of(KafkaStartConsumer.SAGA_TYPE, type)));
            }
            producer.send(record(options, null, order("no-type"), Map.of()));
            producer.flush();
        }
        CountingStore store = new CountingStore(JdbiSagaStore.h2InMemory("starts-" + UUID.randomUUID()));
        store.failures.set(5);
        try (SagaEngine engine = SagaEngine.builder().store(store).transport(new InMemoryTransport())
                .codec(new JacksonCodec()).register(OrderServices.SAGA).listener(listener).build();
             KafkaStartConsumer starts = new KafkaStartConsumer(options, engine, listener).start()) {
            await("every keyed record started its saga despite the failures").atMost(Duration.ofSeconds(60))
                    .until(() -> store.counts().stream().mapToLong(c -> c.count()).sum() >= 40);
            await("the record without a type is dead-lettered").atMost(Duration.ofSeconds(30)).until(() -> deadLetters.get() >= 1);
            assertThat(store.failures).as("the failures happened").hasValue(0);
            assertThat(store.counts().stream().mapToLong(c -> c.count()).sum()).as("one saga per key").isEqualTo(40);
            for (int k = 0; k < 40; k++) {
                String key = "key-" + k;
                java.util.Optional<dev.baton.engine.spi.SagaRecord> saga = store.inTransaction(tx -> tx.loadByBusinessKey(type, key));
                assertThat(saga).as(key).isPresent();
            }
            List<ConsumerRecord<String, byte[]>> dlq = KafkaClients.readAll(options, KafkaOptions.deadLetterTopic(options.startTopic()), 1);
            assertThat(dlq).as("dead-lettered once, though its poll may have been read again").hasSize(1);
        }
    }

    @Test
    @DisplayName("a backlog of starts is written in shared transactions; repeated keys start once; bad records are dead-lettered")
    @SuppressWarnings("try") // the consumer only needs to run during the block
    void backlog(EmbeddedKafkaBroker broker) throws Exception {
        KafkaOptions options = KafkaOptions.defaults(broker.bootstrapServers()).withTopicPrefix("starts-" + UUID.randomUUID() + ".")
                .withEngineGroupId("starts-engine").withPartitions(2);
        Map<String, AtomicInteger> deadLetters = new java.util.concurrent.ConcurrentHashMap<>();
        SagaListener listener = new SagaListener() {
            @Override
            public void onDeadLetter(String where, String reason) {
                deadLetters.computeIfAbsent(where, w -> new AtomicInteger()).incrementAndGet();
            }
        };
        String type = OrderServices.SAGA.type();
        Clients.createTopics(options, List.of(options.startTopic()));
        int records = 0;
        try (KafkaProducer<String, byte[]> producer = Clients.producer(options, "starts-test")) {
            for (int i = 0; i < PLAIN; i++) {
                producer.send(record(options, null, order("plain-" + i), Map.of(KafkaStartConsumer.SAGA_TYPE, type)));
                records++;
            }
            for (int copy = 0; copy < 2; copy++) {
                for (int k = 0; k < KEYS; k++) {
                    producer.send(record(options, "key-" + k, order("keyed-" + k), Map.of(KafkaStartConsumer.SAGA_TYPE, type)));
                    records++;
                }
            }
            producer.send(record(options, null, order("no-type"), Map.of()));
            producer.send(record(options, null, order("unknown"), Map.of(KafkaStartConsumer.SAGA_TYPE, "no-such-saga")));
            producer.send(record(options, null, "{\"orderId\":", Map.of(KafkaStartConsumer.SAGA_TYPE, type)));
            producer.flush();
        }

        CountingStore store = new CountingStore(JdbiSagaStore.h2InMemory("starts-" + UUID.randomUUID()));
        try (SagaEngine engine = SagaEngine.builder().store(store).transport(new InMemoryTransport())
                .codec(new JacksonCodec()).register(OrderServices.SAGA).listener(listener).build();
             KafkaStartConsumer starts = new KafkaStartConsumer(options, engine, listener).start()) {
            int expectedSagas = PLAIN + KEYS;
            await("every valid record started its saga").atMost(Duration.ofSeconds(60))
                    .until(() -> store.counts().stream().mapToLong(c -> c.count()).sum() >= expectedSagas);
            List<ConsumerRecord<String, byte[]>> dlq = KafkaClients.readAll(options, KafkaOptions.deadLetterTopic(options.startTopic()), 3);

            List<String> reasons = dlq.stream().map(r -> KafkaClients.header(r, Headers.DEAD_LETTER_REASON)).sorted().toList();
            assertThat(reasons).hasSize(3);
            assertThat(reasons.get(0)).startsWith("cannot read a OrderData from JSON: Unexpected end-of-input");
            assertThat(reasons.get(1)).isEqualTo("missing header " + KafkaStartConsumer.SAGA_TYPE);
            assertThat(reasons.get(2)).isEqualTo("no saga type 'no-such-saga' is registered; known types: [" + type + "]");
            assertThat(deadLetters.get(KafkaOptions.deadLetterTopic(options.startTopic()))).hasValue(3);
            assertThat(store.counts().stream().mapToLong(c -> c.count()).sum()).as("sagas: one per plain record and key")
                    .isEqualTo(expectedSagas);
            for (int k = 0; k < KEYS; k++) {
                String key = "key-" + k;
                java.util.Optional<dev.baton.engine.spi.SagaRecord> saga = store.inTransaction(tx -> tx.loadByBusinessKey(type, key));
                assertThat(saga).as(key).isPresent();
            }
            assertThat(store.transactions.get()).as("transactions for %d start records", records).isLessThan(records / 2);
        }
    }

    private static String order(String id) {
        return "{\"orderId\":\"" + id + "\",\"customerId\":\"c\",\"amountCents\":100}";
    }

    private static ProducerRecord<String, byte[]> record(KafkaOptions options, String key, String value, Map<String, String> headers) {
        return new ProducerRecord<>(options.startTopic(), null, key, value.getBytes(StandardCharsets.UTF_8),
                Clients.headers(new HashMap<>(headers)));
    }
}
