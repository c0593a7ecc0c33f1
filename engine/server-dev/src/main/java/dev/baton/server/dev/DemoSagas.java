package dev.baton.server.dev;

import dev.baton.dsl.Park;
import dev.baton.dsl.Participant;
import dev.baton.dsl.Retry;
import dev.baton.dsl.Saga;
import dev.baton.dsl.SagaDefinition;
import dev.baton.kafka.common.KafkaOptions;
import dev.baton.participant.kafka.KafkaParticipant;
import dev.baton.participant.CommandHandlers;
import dev.baton.participant.JdbiIdempotencyStore;
import dev.baton.participant.Outcome;
import dev.baton.participant.ParticipantRuntime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The saga that {@code --dev} runs out of the box, with its four participant services in the same JVM: a small
 * order flow to try the API on. Payment declines amounts over 100000 cents (the saga compensates) and is busy on
 * the first try for amounts divisible by 7 (the saga parks in PENDING_PAYMENT for a moment). Bad data is refused at
 * the start (400) by the saga's validations, and by the services as a business failure, never by throwing.
 */
public final class DemoSagas {
    private DemoSagas() {}

    public record DemoOrder(String orderId, long amountCents, String reservationId) {}
    public record PlaceOrder(String orderId) {}
    public record CancelOrder(String orderId) {}
    public record ReserveStock(String orderId) {}
    public record StockReserved(String reservationId) {}
    public record ReleaseStock(String reservationId) {}
    public record ChargeCard(String orderId, long amountCents) {}
    public record ShipOrder(String orderId) {}

    static final Participant<Object> ORDERS = Participant.named("demo-order", Object.class);
    static final Participant<Object> STOCK = Participant.named("demo-inventory", Object.class);
    static final Participant<Object> PAYMENT = Participant.named("demo-payment", Object.class);
    static final Participant<Object> SHIPPING = Participant.named("demo-shipping", Object.class);

    /** The demo saga definition. */
    public static final SagaDefinition<DemoOrder> DEMO_ORDER = Saga.define("demo-order", DemoOrder.class)
            .validate(d -> d.orderId() == null || d.orderId().isBlank() ? "orderId is required" : null)
            .validate(d -> d.amountCents() > 0 ? null : "amountCents must be a positive number of cents, but was "
                    + d.amountCents())
            .validate(d -> d.reservationId() == null ? null : "reservationId is set by the stock service's reply; leave it"
                    + " out")
            .defaultTimeout(Duration.ofSeconds(10))
            .step("place-order")
                .invoke(ORDERS, PlaceOrder.class, d -> new PlaceOrder(d.orderId()))
                .compensate(ORDERS, CancelOrder.class, d -> new CancelOrder(d.orderId()))
            .step("reserve-stock")
                .invoke(STOCK, ReserveStock.class, d -> new ReserveStock(d.orderId()))
                .onReply(StockReserved.class, (d, r) -> new DemoOrder(d.orderId(), d.amountCents(), r.reservationId()))
                .compensate(STOCK, ReleaseStock.class, d -> new ReleaseStock(d.reservationId()))
            .step("charge-card")
                .invoke(PAYMENT, ChargeCard.class, d -> new ChargeCard(d.orderId(), d.amountCents()))
                .whenBusy(Park.as("PENDING_PAYMENT").retryEvery(Duration.ofSeconds(5)).giveUpAfter(Duration.ofMinutes(30)))
                .pivot()
            .step("ship-order")
                .invoke(SHIPPING, ShipOrder.class, d -> new ShipOrder(d.orderId()))
                .retry(Retry.forever(Duration.ofSeconds(1), Duration.ofSeconds(30)))
            .build();

    /** The four demo participant services, running until closed. */
    public static AutoCloseable startParticipants(KafkaOptions options) {
        Map<String, Boolean> busyOnce = new ConcurrentHashMap<>();
        List<AutoCloseable> running = new ArrayList<>();
        List<CommandHandlers> services = List.of(
                // bad data is a business failure (the saga compensates), never an exception: the saga's validations
                // refuse it at the start, and these services refuse it again should it come another way
                CommandHandlers.forParticipant(ORDERS).on(PlaceOrder.class, c -> c.orderId() == null || c.orderId().isBlank()
                                ? Outcome.failure("an order needs an order id") : Outcome.success())
                        .on(CancelOrder.class, c -> Outcome.success()).build(),
                CommandHandlers.forParticipant(STOCK)
                        .on(ReserveStock.class, c -> Outcome.success(new StockReserved("r-" + c.orderId())))
                        .on(ReleaseStock.class, c -> Outcome.success()).build(),
                CommandHandlers.forParticipant(PAYMENT).on(ChargeCard.class, c -> {
                    if (c.orderId() == null || c.amountCents() <= 0) {
                        return Outcome.failure("a charge needs an order id and a positive amount");
                    }
                    if (c.amountCents() > 100_000) {
                        return Outcome.failure("amount over the demo card limit");
                    }
                    if (c.amountCents() % 7 == 0 && busyOnce.putIfAbsent(c.orderId(), Boolean.TRUE) == null) {
                        return Outcome.retryLater("demo payment service is busy");
                    }
                    return Outcome.success();
                }).build(),
                CommandHandlers.forParticipant(SHIPPING).on(ShipOrder.class, c -> Outcome.success()).build());
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
