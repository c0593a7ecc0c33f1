package dev.baton.participant.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.engine.SagaEngine;
import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.SagaView;
import dev.baton.engine.spi.SagaListener;
import dev.baton.jackson.JacksonCodec;
import dev.baton.jdbi.JdbiSagaStore;
import dev.baton.kafka.KafkaClients;
import dev.baton.kafka.KafkaTransport;
import dev.baton.kafka.common.KafkaOptions;
import dev.baton.kafka.common.internal.Clients;
import dev.baton.kafka.dev.EmbeddedKafkaBroker;
import dev.baton.kafka.dev.junit.KafkaBrokerExtension;
import dev.baton.protocol.Headers;
import dev.baton.testkit.example.OrderSaga.OrderData;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Malformed records on the reply and command topics go to the dead-letter topics; valid sagas behind them complete. */
@ExtendWith(KafkaBrokerExtension.class)
class PoisonMessageTest {

    @Test
    @DisplayName("poison on the reply and command topics is dead-lettered with a reason; sagas behind it complete")
    @SuppressWarnings("try") // the services only need to run during the block
    void poisonIsDeadLettered(EmbeddedKafkaBroker broker) throws Exception {
        KafkaOptions options = KafkaOptions.defaults(broker.bootstrapServers()).withTopicPrefix("poison.")
                .withEngineGroupId("poison-engine").withPartitions(1); // one partition: the poison is in front of everything
        Map<String, AtomicInteger> deadLetters = new ConcurrentHashMap<>();
        SagaListener listener = new SagaListener() {
            @Override
            public void onDeadLetter(String where, String reason) {
                deadLetters.computeIfAbsent(where, w -> new AtomicInteger()).incrementAndGet();
            }
        };
        String replies = options.replyTopic();
        String payments = options.commandTopic("payment");
        Clients.createTopics(options, List.of(replies, payments));
        try (KafkaProducer<String, byte[]> producer = Clients.producer(options, "poison")) {
            producer.send(record(replies, "not json at all", Map.of())).get();
            producer.send(record(replies, "{}", Map.of("baton-message-id", "x1", "baton-correlation-id", "c",
                    "baton-saga-id", "s", "baton-outcome", "MAYBE"))).get();
            producer.send(record(replies, "{}", Map.of("baton-message-id", "x2", "baton-correlation-id", "c",
                    "baton-saga-id", "no-such-saga", "baton-outcome", "SUCCESS"))).get();
            producer.send(record(payments, "{\"orderId\":", Map.of("baton-message-id", "m1", "baton-saga-id", "s1",
                    "baton-saga-type", "order-flow-kafka", "baton-step", "authorize-payment", "baton-attempt", "1",
                    "baton-message-type", "AuthorizePayment", "baton-kind", "command"))).get();
            producer.send(record(payments, "{}", Map.of())).get();
            producer.send(record(payments, "{}", Map.of("baton-message-id", "m2", "baton-saga-id", "s2",
                    "baton-saga-type", "order-flow-kafka", "baton-step", "x", "baton-attempt", "1",
                    "baton-message-type", "LaunchRocket", "baton-kind", "command"))).get();
        }

        try (OrderServices services = new OrderServices(options, 1);
             SagaEngine engine = SagaEngine.builder()
                     .store(JdbiSagaStore.h2InMemory("poison-" + UUID.randomUUID()))
                     .transport(KafkaTransport.create(options, listener))
                     .codec(new JacksonCodec())
                     .register(OrderServices.SAGA)
                     .timerPollInterval(Duration.ofMillis(50))
                     .listener(listener)
                     .build()) {
            engine.open();
            List<SagaId> ids = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                ids.add(engine.start(OrderServices.SAGA, OrderData.of("p-" + i, 100 + 10 * i)).id());
            }
            await("the valid sagas complete behind the poison").atMost(Duration.ofSeconds(30)).until(() -> ids.stream()
                    .allMatch(id -> engine.find(id).map(SagaView::status).orElseThrow() == SagaStatus.COMPLETED));
        }

        List<ConsumerRecord<String, byte[]>> replyDlq = KafkaClients.readAll(options, KafkaOptions.deadLetterTopic(replies), 3);
        // in any order: the engine dead-letters what it cannot apply through its outbox, after its commit; the transport
        // sends what is not a reply at all before committing the poll's offsets
        assertThat(replyDlq).extracting(r -> KafkaClients.header(r, Headers.DEAD_LETTER_REASON)).containsExactlyInAnyOrder(
                "not a Baton reply: missing header(s) [baton-message-id, baton-correlation-id, baton-saga-id, baton-outcome]",
                "header baton-outcome must be SUCCESS, FAILURE or RETRY_LATER, but was 'MAYBE'",
                "no saga with id no-such-saga");
        assertThat(replyDlq).allSatisfy(r -> {
            assertThat(KafkaClients.header(r, Headers.DEAD_LETTER_TOPIC)).isEqualTo(replies);
            assertThat(KafkaClients.header(r, Headers.DEAD_LETTER_OFFSET)).isNotBlank();
        });
        assertThat(replyDlq).filteredOn(r -> KafkaClients.header(r, Headers.DEAD_LETTER_REASON).startsWith("not a Baton"))
                .singleElement().satisfies(r -> assertThat(new String(r.value(), StandardCharsets.UTF_8)).isEqualTo("not json at all"));
        assertThat(replyDlq).filteredOn(r -> KafkaClients.header(r, Headers.DEAD_LETTER_REASON).startsWith("no saga"))
                .singleElement().satisfies(r -> assertThat(KafkaClients.header(r, Headers.MESSAGE_ID)).isEqualTo("x2"));
        assertThat(deadLetters.get(KafkaOptions.deadLetterTopic(replies))).hasValue(3);

        List<ConsumerRecord<String, byte[]>> commandDlq = KafkaClients.readAll(options, KafkaOptions.deadLetterTopic(payments), 3);
        assertThat(commandDlq).extracting(r -> KafkaClients.header(r, Headers.DEAD_LETTER_REASON)).allSatisfy(reason -> assertThat(reason).isNotBlank());
        assertThat(commandDlq.get(0).headers().lastHeader("baton-message-id")).isNotNull();
        assertThat(String.join("\n", commandDlq.stream().map(r -> KafkaClients.header(r, Headers.DEAD_LETTER_REASON)).toList()))
                .contains("LaunchRocket").contains("AuthorizePayment");
    }

    private static ProducerRecord<String, byte[]> record(String topic, String value, Map<String, String> headers) {
        return new ProducerRecord<>(topic, null, "key", value.getBytes(StandardCharsets.UTF_8), Clients.headers(headers));
    }
}
