package dev.baton.participant.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.dsl.MessageType;
import dev.baton.dsl.Park;
import dev.baton.dsl.Retry;
import dev.baton.dsl.Saga;
import dev.baton.dsl.SagaDefinition;
import dev.baton.engine.HistoryKind;
import dev.baton.engine.OperatorAction;
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
import dev.baton.kafka.dev.EmbeddedKafkaBroker;
import dev.baton.kafka.dev.junit.KafkaBrokerExtension;
import dev.baton.participant.CommandHandlers;
import dev.baton.participant.JdbiIdempotencyStore;
import dev.baton.participant.Outcome;
import dev.baton.participant.ParticipantRuntime;
import dev.baton.protocol.Headers;
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
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 14 finding 9 over the real broker: a participant answers the outstanding command with SUCCESS, but its payload
 * does not map onto the step's reply type. The saga fails at once (no timeout, no re-send, no loop) with a reason that
 * names the step, the reply type and the field, the reply is in the replies' dead-letter topic, and the operator's
 * actions work from there: before the pivot abort compensates, on the pivot (the payment was captured) skip moves on.
 */
@ExtendWith(KafkaBrokerExtension.class)
class UnreadableReplyKafkaTest {
    /** Long: a saga that waited for its timeout would not be FAILED within the awaits below. */
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    static final SagaDefinition<OrderData> SAGA = Saga.define("order-unreadable-kafka", OrderData.class)
            .defaultTimeout(TIMEOUT)
            .step("create-order")
                .invoke(OrderSaga.ORDERS, d -> new CreateOrder(d.orderId(), d.customerId()))
                .compensate(OrderSaga.ORDERS, d -> new CancelOrder(d.orderId()))
            .step("reserve-inventory")
                .invoke(OrderSaga.INVENTORY, d -> new ReserveItems(d.orderId()))
                .onReply(ItemsReserved.class, (d, r) -> d.withReservation(r.reservationId()))
                .compensate(OrderSaga.INVENTORY, d -> new ReleaseItems(d.orderId(), d.reservationId()))
                .retry(Retry.fixed(5, Duration.ofMillis(200)))
            .step("authorize-payment")
                .invoke(OrderSaga.PAYMENT, d -> new AuthorizePayment(d.orderId(), d.amountCents()))
                .onReply(PaymentAuthorized.class, (d, r) -> d.withPayment(r.paymentId()))
                .whenBusy(Park.as("PENDING_PAYMENT").retryEvery(Duration.ofMillis(300)).giveUpAfter(Duration.ofMinutes(2)))
                .pivot()
            .step("schedule-shipment")
                .invoke(OrderSaga.LOGISTICS, d -> new ScheduleShipment(d.orderId(), d.paymentId()))
                .retry(Retry.forever(Duration.ofMillis(200), Duration.ofSeconds(2)))
            .build();

    /** A participant's reply that shares the wire name of the engine's reply type but not its shape. */
    @MessageType("ItemsReserved")
    record BadItemsReserved(Map<String, String> reservationId) {}

    @MessageType("PaymentAuthorized")
    record BadPaymentAuthorized(List<String> paymentId) {}

    private final Map<String, AtomicInteger> handled = new ConcurrentHashMap<>();

    private Outcome count(String what, Outcome o) {
        handled.computeIfAbsent(what, k -> new AtomicInteger()).incrementAndGet();
        return o;
    }

    @Test
    @DisplayName("a SUCCESS whose payload does not map fails the saga at once, is dead-lettered, and the operator can act:"
            + " abort before the pivot, skip on the pivot")
    void unreadableReplyFailsAtOnce(EmbeddedKafkaBroker broker) throws Exception {
        KafkaOptions options = KafkaOptions.defaults(broker.bootstrapServers()).withTopicPrefix("unreadable.")
                .withEngineGroupId("unreadable-engine");
        Map<String, AtomicInteger> deadLetters = new ConcurrentHashMap<>();
        SagaListener listener = new SagaListener() {
            @Override
            public void onDeadLetter(String where, String reason) {
                deadLetters.computeIfAbsent(where, w -> new AtomicInteger()).incrementAndGet();
            }
        };
        List<AutoCloseable> services = new ArrayList<>();
        try {
            services.add(service(options, CommandHandlers.forParticipant(OrderSaga.ORDERS)
                    .on(CreateOrder.class, (c, ctx) -> count("create " + c.orderId(), Outcome.success()))
                    .on(CancelOrder.class, (c, ctx) -> count("cancel " + c.orderId(), Outcome.success()))
                    .build()));
            services.add(service(options, CommandHandlers.forParticipant(OrderSaga.INVENTORY)
                    .on(ReserveItems.class, (c, ctx) -> count("reserve " + c.orderId(), c.orderId().startsWith("bad-")
                            ? Outcome.success(new BadItemsReserved(Map.of("secret", "card-4111")))
                            : Outcome.success(new ItemsReserved("r-" + c.orderId()))))
                    .on(ReleaseItems.class, (c, ctx) -> count("release " + c.orderId(), Outcome.success()))
                    .build()));
            services.add(service(options, CommandHandlers.forParticipant(OrderSaga.PAYMENT)
                    .on(AuthorizePayment.class, (c, ctx) -> count("pay " + c.orderId(), c.orderId().startsWith("captured-")
                            ? Outcome.success(new BadPaymentAuthorized(List.of("p-1", "p-2")))
                            : Outcome.success(new PaymentAuthorized("p-" + c.orderId()))))
                    .build()));
            services.add(service(options, CommandHandlers.forParticipant(OrderSaga.LOGISTICS)
                    .on(ScheduleShipment.class, (c, ctx) -> count("ship " + c.orderId(), Outcome.success()))
                    .build()));

            try (SagaEngine engine = SagaEngine.builder()
                    .store(JdbiSagaStore.h2InMemory("unreadable-" + UUID.randomUUID()))
                    .transport(KafkaTransport.create(options, listener))
                    .codec(new JacksonCodec())
                    .register(SAGA)
                    .timerPollInterval(Duration.ofMillis(50))
                    .listener(listener)
                    .build()) {
                engine.open();
                SagaId before = engine.start(SAGA, OrderData.of("bad-1", 100)).id();
                SagaId pivot = engine.start(SAGA, OrderData.of("captured-1", 200)).id();
                SagaId good = engine.start(SAGA, OrderData.of("good-1", 300)).id();

                await("the saga whose reservation reply cannot be read fails").atMost(Duration.ofSeconds(30))
                        .until(() -> status(engine, before) == SagaStatus.FAILED);
                await("the saga whose payment reply cannot be read fails").atMost(Duration.ofSeconds(30))
                        .until(() -> status(engine, pivot) == SagaStatus.FAILED);
                await("the good saga completes").atMost(Duration.ofSeconds(30))
                        .until(() -> status(engine, good) == SagaStatus.COMPLETED);

                SagaView failedBefore = engine.find(before).orElseThrow();
                assertThat(failedBefore.reason()).contains("step 'reserve-inventory'", "'ItemsReserved'",
                        "field 'reservationId'").doesNotContain("card-4111", "dev.baton", "OrderSaga");
                assertThat(failedBefore.currentStep()).isEqualTo("reserve-inventory");
                SagaView failedPivot = engine.find(pivot).orElseThrow();
                assertThat(failedPivot.reason()).contains("step 'authorize-payment'", "'PaymentAuthorized'",
                        "field 'paymentId'").doesNotContain("p-1", "dev.baton");
                assertThat(engine.history(before)).extracting(h -> h.kind())
                        .doesNotContain(HistoryKind.TIMED_OUT, HistoryKind.RETRY_SCHEDULED);
                assertThat(handled.get("reserve bad-1")).as("the command was sent once: no re-send loop").hasValue(1);
                assertThat(handled.get("pay captured-1")).hasValue(1);

                // dead-lettered too, for inspection, with the reason and where it was read from
                List<ConsumerRecord<String, byte[]>> dlq = KafkaClients.readAll(options,
                        KafkaOptions.deadLetterTopic(options.replyTopic()), 2);
                assertThat(dlq).extracting(r -> KafkaClients.header(r, Headers.DEAD_LETTER_REASON))
                        .anySatisfy(reason -> assertThat(reason).contains("reserve-inventory", "reservationId"))
                        .anySatisfy(reason -> assertThat(reason).contains("authorize-payment", "paymentId"));
                assertThat(dlq).allSatisfy(r -> {
                    assertThat(KafkaClients.header(r, Headers.DEAD_LETTER_TOPIC)).isEqualTo(options.replyTopic());
                    assertThat(KafkaClients.header(r, Headers.DEAD_LETTER_OFFSET)).isNotBlank();
                    assertThat(KafkaClients.header(r, Headers.CORRELATION_ID)).isNotBlank();
                });
                await("the dead letters are counted").atMost(Duration.ofSeconds(10)).until(() ->
                        deadLetters.getOrDefault(KafkaOptions.deadLetterTopic(options.replyTopic()), new AtomicInteger()).get() == 2);

                // before the pivot: abort compensates the reservation (it took effect) and the order
                engine.act(before, OperatorAction.ABORT, "alice", "the inventory service sent a reply we cannot read");
                await("the aborted saga is compensated").atMost(Duration.ofSeconds(30))
                        .until(() -> status(engine, before) == SagaStatus.COMPENSATED);
                assertThat(handled.get("release bad-1")).hasValue(1);
                assertThat(handled.get("cancel bad-1")).hasValue(1);

                // on the pivot: the payment was captured; abort is refused, skip moves on to the shipment
                assertThat(org.assertj.core.api.Assertions.catchThrowable(() ->
                        engine.act(pivot, OperatorAction.ABORT, "alice", "undo"))).isNotNull();
                engine.act(pivot, OperatorAction.SKIP, "alice", "payment p-1 checked by hand");
                await("the skipped saga completes").atMost(Duration.ofSeconds(30))
                        .until(() -> status(engine, pivot) == SagaStatus.COMPLETED);
                assertThat(handled.get("pay captured-1")).as("the payment ran once").hasValue(1);
                assertThat(handled.get("ship captured-1")).hasValue(1);
            }
        } finally {
            for (AutoCloseable s : services) {
                s.close();
            }
        }
    }

    private static SagaStatus status(SagaEngine engine, SagaId id) {
        return engine.find(id).map(SagaView::status).orElseThrow();
    }

    private static AutoCloseable service(KafkaOptions options, CommandHandlers handlers) {
        JdbiIdempotencyStore store = JdbiIdempotencyStore.h2InMemory(handlers.participant() + "-" + UUID.randomUUID());
        ParticipantRuntime runtime = ParticipantRuntime.builder().handlers(handlers).store(store).build();
        KafkaParticipant participant = KafkaParticipant.create(options, runtime).start();
        return () -> {
            participant.close();
            store.close();
        };
    }
}
