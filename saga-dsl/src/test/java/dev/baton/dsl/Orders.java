package dev.baton.dsl;

import java.time.Duration;

/** The order saga of ARCHITECTURE.md section 3, shared by the DSL tests: data, commands, replies, participants. */
final class Orders {
    private Orders() {}

    record OrderData(String orderId, String customerId, long amountCents, String reservationId, String paymentId) {
        OrderData withReservation(String id) {
            return new OrderData(orderId, customerId, amountCents, id, paymentId);
        }

        OrderData withPayment(String id) {
            return new OrderData(orderId, customerId, amountCents, reservationId, id);
        }
    }

    static final OrderData NEW_ORDER = new OrderData("o-1", "c-7", 4_200, null, null);

    sealed interface OrderCommand permits CreateOrder, CancelOrder {}

    record CreateOrder(String orderId, String customerId) implements OrderCommand {}

    record CancelOrder(String orderId) implements OrderCommand {}

    sealed interface InventoryCommand permits ReserveItems, ReleaseItems {}

    record ReserveItems(String orderId) implements InventoryCommand {}

    record ReleaseItems(String reservationId) implements InventoryCommand {}

    record AuthorizePayment(String orderId, long amountCents) {}

    record ScheduleShipment(String orderId) {}

    record ItemsReserved(String reservationId) {}

    record PaymentAuthorized(String paymentId) {}

    static final Participant<OrderCommand> ORDERS = Participant.named("order", OrderCommand.class);
    static final Participant<InventoryCommand> INVENTORY = Participant.named("inventory", InventoryCommand.class);
    static final Participant<AuthorizePayment> PAYMENT = Participant.named("payment", AuthorizePayment.class);
    static final Participant<Object> LOGISTICS = Participant.named("logistics", Object.class);

    static final Park PENDING_PAYMENT = Park.as("PENDING_PAYMENT")
            .retryEvery(Duration.ofSeconds(10)).giveUpAfter(Duration.ofMinutes(30));
    static final Retry SHIPMENT_RETRY = Retry.forever(Duration.ofSeconds(1), Duration.ofMinutes(1));

    /** The valid four-step order saga; only reserve-inventory overrides timeout and retry. */
    static final SagaDefinition<OrderData> ORDER = Saga.define("order-flow", OrderData.class)
            .step("create-order")
                .invoke(ORDERS, d -> new CreateOrder(d.orderId(), d.customerId()))
                .compensate(ORDERS, d -> new CancelOrder(d.orderId()))
            .step("reserve-inventory")
                .invoke(INVENTORY, d -> new ReserveItems(d.orderId()))
                .onReply(ItemsReserved.class, (d, r) -> d.withReservation(r.reservationId()))
                .compensate(INVENTORY, d -> new ReleaseItems(d.reservationId()))
                .timeout(Duration.ofSeconds(5)).retry(Retry.exponential(3, Duration.ofMillis(200)))
            .step("authorize-payment")
                .invoke(PAYMENT, d -> new AuthorizePayment(d.orderId(), d.amountCents()))
                .onReply(PaymentAuthorized.class, (d, r) -> d.withPayment(r.paymentId()))
                .whenBusy(PENDING_PAYMENT)
                .pivot()
            .step("schedule-shipment")
                .invoke(LOGISTICS, d -> new ScheduleShipment(d.orderId()))
                .retry(SHIPMENT_RETRY)
            .build();
}
