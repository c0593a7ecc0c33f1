package dev.baton.participant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.engine.SagaEngine;
import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.spi.InboundReply;
import dev.baton.engine.spi.OutboxRecord;
import dev.baton.jackson.JacksonCodec;
import dev.baton.testkit.InMemorySagaStore;
import dev.baton.testkit.InMemoryTransport;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The real engine drives the four order-flow participants built with the SDK, through an in-memory transport that
 * maps messages exactly as a transport binding must: the command's headers and payload in, the reply's headers and
 * payload out. Every command is delivered twice.
 */
class EngineRoundTripTest extends H2Test {

    private final Map<String, AtomicInteger> effects = new ConcurrentHashMap<>();
    private final AtomicInteger replayed = new AtomicInteger();
    private InMemoryTransport transport;
    private SagaEngine engine;
    private Map<String, ParticipantRuntime> participants;

    private Outcome effect(String what, Outcome outcome) {
        effects.computeIfAbsent(what, k -> new AtomicInteger()).incrementAndGet();
        return outcome;
    }

    @BeforeEach
    void wire() {
        // four services; here they share one database, each keeping its own records
        participants = Map.of(
                "order", runtime(CommandHandlers.forParticipant(OrderSaga.ORDERS)
                        .on(CreateOrder.class, c -> effect("create " + c.orderId(), Outcome.success()))
                        .on(CancelOrder.class, c -> effect("cancel " + c.orderId(), Outcome.success()))
                        .build()),
                "inventory", runtime(CommandHandlers.forParticipant(OrderSaga.INVENTORY)
                        .on(ReserveItems.class, c -> effect("reserve " + c.orderId(),
                                Outcome.success(new ItemsReserved("r-" + c.orderId()))))
                        .on(ReleaseItems.class, c -> effect("release " + c.reservationId(), Outcome.success()))
                        .build()),
                "payment", runtime(CommandHandlers.forParticipant(OrderSaga.PAYMENT)
                        .on(AuthorizePayment.class, c -> c.amountCents() % 5 == 0
                                ? effect("decline " + c.orderId(), Outcome.failure("card declined"))
                                : effect("charge " + c.orderId(), Outcome.success(new PaymentAuthorized("p-" + c.orderId()))))
                        .build()),
                "logistics", runtime(CommandHandlers.forParticipant(OrderSaga.LOGISTICS)
                        .on(ScheduleShipment.class, c -> effect("ship " + c.orderId() + " paid by " + c.paymentId(),
                                Outcome.success()))
                        .build()));
        transport = new InMemoryTransport();
        engine = SagaEngine.builder().store(new InMemorySagaStore()).transport(transport).codec(new JacksonCodec())
                .register(OrderSaga.DEFINITION).build();
        engine.open();
    }

    @AfterEach
    void close() {
        engine.close();
    }

    /** What a transport binding does with one delivered command. */
    private InboundReply deliver(OutboxRecord record) {
        IncomingCommand command = IncomingCommand.of(record.headers(), record.payload());
        HandlingResult result = participants.get(record.destination()).handle(command);
        Reply reply = TestMessages.reply(result);
        if (reply.disposition() == Disposition.REPLAYED) {
            replayed.incrementAndGet();
        }
        return new InboundReply(reply.messageId(), reply.correlationId(), SagaId.of(reply.sagaId()),
                dev.baton.engine.spi.ReplyOutcome.valueOf(reply.outcome().name()), reply.payloadType(), reply.payload(),
                reply.reason());
    }

    @Test
    @DisplayName("20 order sagas, every command delivered twice: each completes or compensates, every effect happens once")
    void orderFlow() throws InterruptedException {
        List<SagaId> ids = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            ids.add(engine.start(OrderSaga.DEFINITION, OrderData.of("o-" + i, i * 100L + i), "order-" + i).id());
        }
        int delivered = 0;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!ids.stream().allMatch(id -> terminal(engine.find(id).orElseThrow().status()))) {
            assertThat(System.nanoTime()).as("sagas end within 30 s").isLessThan(deadline);
            for (OutboxRecord record : transport.poll(Duration.ofMillis(50))) {
                transport.reply(List.of(deliver(record), deliver(record))); // a duplicate delivery, and a duplicate reply
                delivered++;
            }
        }

        assertThat(effects.values()).extracting(AtomicInteger::get).as("no effect twice").containsOnly(1);
        assertThat(replayed).hasValue(delivered);
        for (int i = 1; i <= 20; i++) {
            SagaId id = ids.get(i - 1);
            String order = "o-" + i;
            if (i % 5 == 0) {
                assertThat(engine.find(id).orElseThrow().status()).isEqualTo(SagaStatus.COMPENSATED);
                assertThat(effects).containsKeys("create " + order, "reserve " + order, "decline " + order,
                        "release r-" + order, "cancel " + order);
                assertThat(effects).doesNotContainKey("charge " + order);
            } else {
                assertThat(engine.find(id).orElseThrow().status()).isEqualTo(SagaStatus.COMPLETED);
                // the payment's reply payload reached the saga's data through onReply, and the next command
                assertThat(engine.find(id).orElseThrow().data(OrderData.class).paymentId()).isEqualTo("p-" + order);
                assertThat(effects).containsKeys("ship " + order + " paid by p-" + order);
                assertThat(effects).doesNotContainKeys("release r-" + order, "cancel " + order);
            }
        }
    }

    private static boolean terminal(SagaStatus s) {
        return s == SagaStatus.COMPLETED || s == SagaStatus.COMPENSATED || s == SagaStatus.FAILED;
    }
}
