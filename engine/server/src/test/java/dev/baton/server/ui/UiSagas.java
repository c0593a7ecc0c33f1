package dev.baton.server.ui;

import dev.baton.dsl.Park;
import dev.baton.dsl.Participant;
import dev.baton.dsl.Retry;
import dev.baton.dsl.Saga;
import dev.baton.dsl.SagaDefinition;
import dev.baton.kafka.common.KafkaOptions;
import dev.baton.participant.CommandHandlers;
import dev.baton.participant.JdbiIdempotencyStore;
import dev.baton.participant.Outcome;
import dev.baton.participant.ParticipantRuntime;
import dev.baton.participant.kafka.KafkaParticipant;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The seed's incident in small: an order saga whose payment service is overloaded, so orders park in
 * {@value #PENDING_PAYMENT} until the test lets an order's payment through ({@link #release}) and an operator resumes
 * it. Two types with the same steps, so the bulk test's filter by type touches only its own sagas.
 */
final class UiSagas {
    static final String PENDING_PAYMENT = "PENDING_PAYMENT";
    static final String ORDER_TYPE = "ui-order";
    static final String BULK_TYPE = "ui-bulk-order";

    record Order(String orderId, long amountCents) {}
    record Reserve(String orderId) {}
    record Release(String orderId) {}
    record Charge(String orderId, long amountCents) {}
    record Ship(String orderId) {}

    static final Participant<Object> STOCK = Participant.named("ui-inventory", Object.class);
    static final Participant<Object> PAYMENT = Participant.named("ui-payment", Object.class);
    static final Participant<Object> SHIPPING = Participant.named("ui-shipping", Object.class);

    static final SagaDefinition<Order> ORDER = define(ORDER_TYPE);
    static final SagaDefinition<Order> BULK_ORDER = define(BULK_TYPE);

    /** Orders whose payment goes through; every other order's payment answers busy. */
    private static final Set<String> RELEASED = ConcurrentHashMap.newKeySet();

    private UiSagas() {}

    private static SagaDefinition<Order> define(String type) {
        return Saga.define(type, Order.class)
                .defaultTimeout(Duration.ofMinutes(10))
                .step("reserve-stock")
                    .invoke(STOCK, Reserve.class, d -> new Reserve(d.orderId()))
                    .compensate(STOCK, Release.class, d -> new Release(d.orderId()))
                .step("charge-payment")
                    .invoke(PAYMENT, Charge.class, d -> new Charge(d.orderId(), d.amountCents()))
                    // parked for the whole test: the busy answer asks for an hour, so no re-send comes before an
                    // operator's resume
                    .whenBusy(Park.as(PENDING_PAYMENT).retryEvery(Duration.ofHours(1)).giveUpAfter(Duration.ofHours(2)))
                    .pivot()
                .step("ship-order")
                    .invoke(SHIPPING, Ship.class, d -> new Ship(d.orderId()))
                    .retry(Retry.forever(Duration.ofMillis(200), Duration.ofSeconds(5)))
                .build();
    }

    /** Lets the payment of {@code orderId} through from now on. */
    static void release(String orderId) {
        RELEASED.add(orderId);
    }

    /** The three services, until closed. */
    static AutoCloseable startParticipants(KafkaOptions options) {
        List<AutoCloseable> running = new ArrayList<>();
        List<CommandHandlers> services = List.of(
                CommandHandlers.forParticipant(STOCK)
                        .on(Reserve.class, c -> Outcome.success())
                        .on(Release.class, c -> Outcome.success()).build(),
                CommandHandlers.forParticipant(PAYMENT)
                        .on(Charge.class, c -> RELEASED.contains(c.orderId()) ? Outcome.success()
                                : Outcome.retryLater("payments overloaded", Duration.ofHours(1)))
                        .build(),
                CommandHandlers.forParticipant(SHIPPING).on(Ship.class, c -> Outcome.success()).build());
        for (CommandHandlers h : services) {
            JdbiIdempotencyStore store = JdbiIdempotencyStore.h2InMemory(h.participant() + "-" + UUID.randomUUID());
            running.add(store);
            running.add(KafkaParticipant.create(options, ParticipantRuntime.builder().handlers(h).store(store).build()).start());
        }
        return () -> {
            for (int i = running.size() - 1; i >= 0; i--) {
                running.get(i).close();
            }
        };
    }
}
