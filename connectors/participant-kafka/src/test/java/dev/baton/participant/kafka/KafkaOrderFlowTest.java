package dev.baton.participant.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.engine.HistoryKind;
import dev.baton.engine.SagaEngine;
import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.SagaView;
import dev.baton.jackson.JacksonCodec;
import dev.baton.jdbi.JdbiSagaStore;
import dev.baton.kafka.KafkaStartConsumer;
import dev.baton.kafka.KafkaTransport;
import dev.baton.kafka.common.KafkaOptions;
import dev.baton.kafka.dev.EmbeddedKafkaBroker;
import dev.baton.kafka.dev.junit.KafkaBrokerExtension;
import dev.baton.testkit.example.OrderSaga.OrderData;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The four-step order saga end to end: engine, four participant services and the real broker, H2 stores. */
@ExtendWith(KafkaBrokerExtension.class)
class KafkaOrderFlowTest {
    private static OrderServices services;
    private static SagaEngine engine;
    private static JdbiSagaStore store;
    private static final List<String> statusChanges = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start(EmbeddedKafkaBroker broker) {
        KafkaOptions options = KafkaOptions.defaults(broker.bootstrapServers()).withTopicPrefix("flow.")
                .withEngineGroupId("flow-engine");
        services = new OrderServices(options, 1);
        engine = SagaEngine.builder()
                .store(store = JdbiSagaStore.h2InMemory("flow-" + UUID.randomUUID()))
                .transport(KafkaTransport.create(options, null))
                .codec(new JacksonCodec())
                .register(OrderServices.SAGA)
                .timerPollInterval(Duration.ofMillis(50))
                .listener(new dev.baton.engine.spi.SagaListener() {
                    @Override
                    public void onStatusChanged(SagaId id, String type, SagaStatus from, SagaStatus to, String reason) {
                        statusChanges.add(id + ":" + to);
                    }
                })
                .build();
        engine.open();
    }

    @AfterAll
    static void stop() {
        if (engine != null) {
            engine.close();
        }
        if (services != null) {
            services.close();
        }
    }

    private static SagaView awaitStatus(SagaId id, SagaStatus status) {
        await("saga " + id + " reaches " + status).atMost(Duration.ofSeconds(30))
                .until(() -> engine.find(id).map(SagaView::status).orElseThrow() == status);
        return engine.find(id).orElseThrow();
    }

    @Test
    @DisplayName("every participant succeeds: COMPLETED, each effect once, replies folded into the data")
    void completes() {
        SagaId id = engine.start(OrderServices.SAGA, OrderData.of("k-1", 100)).id();
        SagaView v = awaitStatus(id, SagaStatus.COMPLETED);
        assertThat(v.data(OrderData.class).reservationId()).isEqualTo("r-k-1");
        assertThat(v.data(OrderData.class).paymentId()).isEqualTo("p-k-1");
        assertThat(services.effects(id.value())).containsOnly(Map.entry("create-order/COMMAND", 1L),
                Map.entry("reserve-inventory/COMMAND", 1L), Map.entry("authorize-payment/COMMAND", 1L),
                Map.entry("schedule-shipment/COMMAND", 1L));
    }

    @Test
    @DisplayName("a declined payment: COMPENSATED, inventory released and order cancelled, once each")
    void compensates() {
        SagaId id = engine.start(OrderServices.SAGA, OrderData.of("k-2", 103)).id();
        SagaView v = awaitStatus(id, SagaStatus.COMPENSATED);
        assertThat(v.reason()).contains("card declined");
        assertThat(services.effects(id.value())).containsOnly(Map.entry("create-order/COMMAND", 1L),
                Map.entry("reserve-inventory/COMMAND", 1L), Map.entry("create-order/COMPENSATION", 1L),
                Map.entry("reserve-inventory/COMPENSATION", 1L));
        List<String> order = engine.history(id).stream().filter(h -> h.kind() == HistoryKind.STEP_COMPENSATED)
                .map(h -> h.step()).toList();
        assertThat(order).containsExactly("reserve-inventory", "create-order");
    }

    @Test
    @DisplayName("a busy payment parks the saga in PENDING_PAYMENT; the timer re-sends and it completes")
    void parksThenCompletes() {
        SagaId id = engine.start(OrderServices.SAGA, OrderData.of("k-3", 107)).id();
        awaitStatus(id, SagaStatus.COMPLETED);
        assertThat(statusChanges).contains(id + ":PENDING");
        assertThat(engine.history(id)).filteredOn(h -> h.kind() == HistoryKind.PARKED).hasSize(2)
                .allSatisfy(h -> assertThat(h.detail()).startsWith("PENDING_PAYMENT"));
        assertThat(services.effects(id.value())).containsEntry("authorize-payment/COMMAND", 1L).hasSize(4);
    }

    @Test
    @DisplayName("starting through the start topic with a business key is idempotent")
    @SuppressWarnings("try") // the start consumer only needs to run during the block
    void startTopic(EmbeddedKafkaBroker broker) throws Exception {
        KafkaOptions options = KafkaOptions.defaults(broker.bootstrapServers()).withTopicPrefix("flow.")
                .withEngineGroupId("flow-engine");
        try (KafkaStartConsumer starts = new KafkaStartConsumer(options, engine, null).start();
             var producer = dev.baton.kafka.common.internal.Clients.producer(options, "test-starts")) {
            for (int i = 0; i < 3; i++) {
                var rec = new org.apache.kafka.clients.producer.ProducerRecord<>(options.startTopic(), "order-k-4",
                        "{\"orderId\":\"k-4\",\"customerId\":\"c\",\"amountCents\":100}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
                rec.headers().add(KafkaStartConsumer.SAGA_TYPE, OrderServices.SAGA.type().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                producer.send(rec).get();
            }
            await("the saga started from the topic completes").atMost(Duration.ofSeconds(30)).until(() -> store.inTransaction(
                    tx -> tx.loadByBusinessKey(OrderServices.SAGA.type(), "order-k-4"))
                    .map(r -> r.status() == SagaStatus.COMPLETED).orElse(false));
            var again = engine.start(OrderServices.SAGA, OrderData.of("k-4", 100), "order-k-4");
            assertThat(again.created()).as("the three records and this call started one saga").isFalse();
            assertThat(services.effects(again.id().value())).containsEntry("create-order/COMMAND", 1L).hasSize(4);
        }
    }
}
