package dev.baton.participant.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.engine.SagaEngine;
import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.SagaView;
import dev.baton.engine.spi.OutboxRecord;
import dev.baton.engine.spi.SagaListener;
import dev.baton.engine.spi.Transport;
import dev.baton.jackson.JacksonCodec;
import dev.baton.jdbi.JdbiSagaStore;
import dev.baton.kafka.KafkaTransport;
import dev.baton.kafka.common.KafkaOptions;
import dev.baton.kafka.dev.EmbeddedKafkaBroker;
import dev.baton.kafka.dev.junit.KafkaBrokerExtension;
import dev.baton.testkit.example.OrderSaga.OrderData;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every command and every reply is delivered at least twice, across many sagas: each participant's effect must
 * still happen exactly once per saga step, and every saga must end as it would without the duplicates.
 */
@ExtendWith(KafkaBrokerExtension.class)
class DuplicateDeliveryTest {
    private static final int SAGAS = 60;

    /** Sends every outbox batch twice: each command reaches its participant at least twice. */
    static final class DoubleSend implements Transport {
        private final Transport delegate;

        DoubleSend(Transport delegate) {
            this.delegate = delegate;
        }

        @Override
        public CompletableFuture<Void> send(List<OutboxRecord> messages) {
            return delegate.send(messages).thenCompose(v -> delegate.send(messages));
        }

        @Override
        public void prepare(Set<String> destinations) {
            delegate.prepare(destinations);
        }

        @Override
        public void start(ReplySink sink) {
            delegate.start(sink);
        }

        @Override
        public void close() {
            delegate.close();
        }
    }

    @Test
    @DisplayName("commands and replies each delivered twice: every effect once, every saga ends correctly, duplicates counted")
    void everythingTwice(EmbeddedKafkaBroker broker) {
        // three reply consumers, one per partition: the engine applies replies from three threads at once
        KafkaOptions options = KafkaOptions.defaults(broker.bootstrapServers()).withTopicPrefix("dup.")
                .withEngineGroupId("dup-engine").withReplyConsumers(3);
        AtomicLong duplicates = new AtomicLong();
        AtomicLong ignored = new AtomicLong();
        SagaListener counting = new SagaListener() {
            @Override
            public void onDuplicateMessage(String messageId) {
                duplicates.incrementAndGet();
            }

            @Override
            public void onIgnoredReply(SagaId id, String reason) {
                ignored.incrementAndGet();
            }
        };
        try (OrderServices services = new OrderServices(options, 2);
             SagaEngine engine = SagaEngine.builder()
                     .store(JdbiSagaStore.h2InMemory("dup-" + UUID.randomUUID()))
                     .transport(new DoubleSend(KafkaTransport.create(options, counting)))
                     .codec(new JacksonCodec())
                     .register(OrderServices.SAGA)
                     .timerPollInterval(Duration.ofMillis(50))
                     .listener(counting)
                     .build()) {
            engine.open();
            List<SagaId> ids = new ArrayList<>();
            for (int i = 0; i < SAGAS; i++) {
                ids.add(engine.start(OrderServices.SAGA, OrderData.of("d-" + i, 100 + i)).id());
            }
            await("all " + SAGAS + " sagas end").atMost(Duration.ofSeconds(60)).until(() -> ids.stream()
                    .allMatch(id -> engine.find(id).map(SagaView::status).orElseThrow().isTerminal()));

            for (int i = 0; i < SAGAS; i++) {
                SagaId id = ids.get(i);
                int amount = 100 + i;
                SagaView v = engine.find(id).orElseThrow();
                Map<String, Long> effects = services.effects(id.value());
                assertThat(effects.values()).as("saga %d: every effect exactly once: %s", i, effects).allMatch(n -> n == 1);
                if (amount % 10 == 3) {
                    assertThat(v.status()).isEqualTo(SagaStatus.COMPENSATED);
                    assertThat(effects).containsOnlyKeys("create-order/COMMAND", "reserve-inventory/COMMAND",
                            "create-order/COMPENSATION", "reserve-inventory/COMPENSATION");
                } else {
                    assertThat(v.status()).as("saga %d", i).isEqualTo(SagaStatus.COMPLETED);
                    assertThat(effects).containsOnlyKeys("create-order/COMMAND", "reserve-inventory/COMMAND",
                            "authorize-payment/COMMAND", "schedule-shipment/COMMAND");
                }
            }
            // every reply arrived twice (one of each pair is a duplicate by its own id, or a stale answer)
            assertThat(duplicates.get() + ignored.get()).as("duplicates %d + ignored %d", duplicates.get(), ignored.get())
                    .isGreaterThanOrEqualTo(SAGAS * 4L);
        }
    }
}
