package dev.baton.participant.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.dsl.Participant;
import dev.baton.dsl.Retry;
import dev.baton.dsl.Saga;
import dev.baton.dsl.SagaDefinition;
import dev.baton.engine.HistoryKind;
import dev.baton.engine.SagaEngine;
import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.SagaView;
import dev.baton.engine.spi.HistoryRecord;
import dev.baton.jackson.JacksonCodec;
import dev.baton.jdbi.JdbiSagaStore;
import dev.baton.kafka.KafkaTransport;
import dev.baton.kafka.common.KafkaOptions;
import dev.baton.kafka.dev.EmbeddedKafkaBroker;
import dev.baton.kafka.dev.junit.KafkaBrokerExtension;
import dev.baton.participant.CommandHandlers;
import dev.baton.participant.Outcome;
import dev.baton.testkit.example.OrderSaga;
import dev.baton.testkit.example.OrderSaga.AuthorizePayment;
import dev.baton.testkit.example.OrderSaga.CancelOrder;
import dev.baton.testkit.example.OrderSaga.CreateOrder;
import dev.baton.testkit.example.OrderSaga.ItemsReserved;
import dev.baton.testkit.example.OrderSaga.OrderData;
import dev.baton.testkit.example.OrderSaga.PaymentAuthorized;
import dev.baton.testkit.example.OrderSaga.ReleaseItems;
import dev.baton.testkit.example.OrderSaga.ReserveItems;
import dev.baton.testkit.example.OrderSaga.ScheduleShipment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A parallel group over the real broker, with every command and every reply delivered twice: a fraud check and the
 * stock reservation go out together; for some orders the fraud check refuses at once while the reservation is still
 * being made (its service is slow for them), so the reservation's success arrives after the group failed. The saga
 * must wait for it, then release it and cancel the order: every effect exactly once in the services' tables.
 */
@ExtendWith(KafkaBrokerExtension.class)
class ParallelGroupKafkaTest {
    private static final int SAGAS = 40;

    public record CheckFraud(String orderId, long amountCents) {}

    static final Participant<CheckFraud> FRAUD = Participant.named("fraud", CheckFraud.class);

    static final SagaDefinition<OrderData> SAGA = Saga.define("parallel-kafka", OrderData.class)
            .defaultTimeout(Duration.ofSeconds(10))
            .step("create-order")
                .invoke(OrderSaga.ORDERS, d -> new CreateOrder(d.orderId(), d.customerId()))
                .compensate(OrderSaga.ORDERS, d -> new CancelOrder(d.orderId()))
            .step("check-fraud")
                .invoke(FRAUD, d -> new CheckFraud(d.orderId(), d.amountCents()))
                .noCompensation()
                .parallel("checks")
            .step("reserve-inventory")
                .invoke(OrderSaga.INVENTORY, d -> new ReserveItems(d.orderId()))
                .onReply(ItemsReserved.class, (d, r) -> d.withReservation(r.reservationId()))
                .compensate(OrderSaga.INVENTORY, d -> new ReleaseItems(d.orderId(), d.reservationId()))
                .parallel("checks")
            .step("authorize-payment")
                .invoke(OrderSaga.PAYMENT, d -> new AuthorizePayment(d.orderId(), d.amountCents()))
                .onReply(PaymentAuthorized.class, (d, r) -> d.withPayment(r.paymentId()))
                .pivot()
            .step("schedule-shipment")
                .invoke(OrderSaga.LOGISTICS, d -> new ScheduleShipment(d.orderId(), d.paymentId()))
                .retry(Retry.forever(Duration.ofMillis(200), Duration.ofSeconds(2)))
            .build();

    /** Orders the fraud check refuses: amounts ending in 3 (the stock service is slow for them, see below). */
    private static boolean suspicious(long amount) {
        return amount % 10 == 3;
    }

    @Test
    @DisplayName("a branch refuses while the other is in flight: its late success is released, every effect once, under duplicates")
    void lateSuccessOfAnotherBranchIsCompensated(EmbeddedKafkaBroker broker) {
        KafkaOptions options = KafkaOptions.defaults(broker.bootstrapServers()).withTopicPrefix("par.")
                .withEngineGroupId("par-engine").withReplyConsumers(3);
        JdbiSagaStore store = JdbiSagaStore.h2InMemory("par-" + UUID.randomUUID());
        try (OrderServices services = new OrderServices(options, 2, Set.of(OrderSaga.ORDERS.name(),
                     OrderSaga.PAYMENT.name(), OrderSaga.LOGISTICS.name()));
             SagaEngine engine = SagaEngine.builder()
                     .store(store)
                     .transport(new DuplicateDeliveryTest.DoubleSend(KafkaTransport.create(options, dev.baton.engine.spi.SagaListener.NOOP)))
                     .codec(new JacksonCodec())
                     .register(SAGA)
                     .timerPollInterval(Duration.ofMillis(50))
                     .build()) {
            services.startService(options, 2, CommandHandlers.forParticipant(FRAUD)
                    .on(CheckFraud.class, (c, ctx) -> suspicious(c.amountCents())
                            ? Outcome.failure("card used in three countries today")
                            : OrderServices.effect(ctx, c.orderId()))
                    .build());
            services.startService(options, 2, CommandHandlers.forParticipant(OrderSaga.INVENTORY)
                    .on(ReserveItems.class, (c, ctx) -> {
                        if (c.orderId().endsWith("-s")) {
                            // slow for the suspicious orders: the fraud check's refusal comes first
                            LockSupport.parkNanos(Duration.ofMillis(800).toNanos());
                        }
                        OrderServices.effect(ctx, c.orderId());
                        return Outcome.success(new ItemsReserved("r-" + c.orderId()));
                    })
                    .on(ReleaseItems.class, (c, ctx) -> OrderServices.effect(ctx, c.orderId()))
                    .build());
            engine.open();
            List<SagaId> ids = new ArrayList<>();
            for (int i = 0; i < SAGAS; i++) {
                long amount = 100 + i;
                String orderId = "par-" + i + (suspicious(amount) ? "-s" : "");
                ids.add(engine.start(SAGA, OrderData.of(orderId, amount)).id());
            }
            await("all " + SAGAS + " sagas end").atMost(Duration.ofSeconds(90)).until(() -> ids.stream()
                    .allMatch(id -> engine.find(id).map(SagaView::status).orElseThrow().isTerminal()));

            int lateCompensated = 0;
            for (int i = 0; i < SAGAS; i++) {
                SagaId id = ids.get(i);
                SagaView v = engine.find(id).orElseThrow();
                Map<String, Long> effects = services.effects(id.value());
                assertThat(effects.values()).as("saga %d: every effect exactly once: %s", i, effects).allMatch(n -> n == 1);
                if (suspicious(100 + i)) {
                    assertThat(v.status()).as("saga %d", i).isEqualTo(SagaStatus.COMPENSATED);
                    assertThat(effects).as("saga %d", i).containsOnlyKeys("create-order/COMMAND",
                            "reserve-inventory/COMMAND", "reserve-inventory/COMPENSATION", "create-order/COMPENSATION");
                    List<HistoryKind> kinds = store.history(id).stream().map(HistoryRecord::kind).toList();
                    int failedAt = kinds.indexOf(HistoryKind.COMPENSATION_STARTED);
                    int reservedAt = -1;
                    List<HistoryRecord> history = store.history(id);
                    for (int h = 0; h < history.size(); h++) {
                        if (history.get(h).kind() == HistoryKind.STEP_COMPLETED
                                && "reserve-inventory".equals(history.get(h).step())) {
                            reservedAt = h;
                        }
                    }
                    if (reservedAt > failedAt) {
                        lateCompensated++; // the reservation succeeded after the group failed: waited for, then released
                    }
                } else {
                    assertThat(v.status()).as("saga %d", i).isEqualTo(SagaStatus.COMPLETED);
                    assertThat(effects).as("saga %d", i).containsOnlyKeys("create-order/COMMAND", "check-fraud/COMMAND",
                            "reserve-inventory/COMMAND", "authorize-payment/COMMAND", "schedule-shipment/COMMAND");
                }
            }
            System.out.printf("parallel-kafka: sagas=%d compensated=%d late_success_compensated=%d%n", SAGAS,
                    ids.stream().filter(id -> engine.find(id).orElseThrow().status() == SagaStatus.COMPENSATED).count(),
                    lateCompensated);
            assertThat(lateCompensated).as("refusals that came while the reservation was in flight").isPositive();
        }
    }
}
