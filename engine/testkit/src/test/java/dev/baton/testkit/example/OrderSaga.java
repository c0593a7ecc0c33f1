package dev.baton.testkit.example;

import dev.baton.dsl.Park;
import dev.baton.dsl.Participant;
import dev.baton.dsl.Retry;
import dev.baton.dsl.Saga;
import dev.baton.dsl.SagaDefinition;
import java.time.Duration;

/** The four-step order saga of the design, used by tests across modules (shipped in the test jar). */
public final class OrderSaga {
    private OrderSaga() {}

    public record OrderData(String orderId, String customerId, long amountCents, String reservationId, String paymentId) {
        public OrderData withReservation(String id) {
            return new OrderData(orderId, customerId, amountCents, id, paymentId);
        }

        public OrderData withPayment(String id) {
            return new OrderData(orderId, customerId, amountCents, reservationId, id);
        }

        public static OrderData of(String orderId, long amountCents) {
            return new OrderData(orderId, "customer-1", amountCents, null, null);
        }
    }

    public sealed interface OrderCommand permits CreateOrder, CancelOrder {}
    public record CreateOrder(String orderId, String customerId) implements OrderCommand {}
    public record CancelOrder(String orderId) implements OrderCommand {}

    public sealed interface InventoryCommand permits ReserveItems, ReleaseItems {}
    public record ReserveItems(String orderId) implements InventoryCommand {}
    public record ReleaseItems(String orderId, String reservationId) implements InventoryCommand {}
    public record ItemsReserved(String reservationId) {}

    public sealed interface PaymentCommand permits AuthorizePayment {}
    public record AuthorizePayment(String orderId, long amountCents) implements PaymentCommand {}
    public record PaymentAuthorized(String paymentId) {}

    public sealed interface LogisticsCommand permits ScheduleShipment {}
    public record ScheduleShipment(String orderId, String paymentId) implements LogisticsCommand {}

    public static final Participant<OrderCommand> ORDERS = Participant.named("order", OrderCommand.class);
    public static final Participant<InventoryCommand> INVENTORY = Participant.named("inventory", InventoryCommand.class);
    public static final Participant<PaymentCommand> PAYMENT = Participant.named("payment", PaymentCommand.class);
    public static final Participant<LogisticsCommand> LOGISTICS = Participant.named("logistics", LogisticsCommand.class);

    public static final Duration PAYMENT_RETRY_EVERY = Duration.ofSeconds(10);
    public static final Duration PAYMENT_GIVE_UP_AFTER = Duration.ofMinutes(30);

    public static final SagaDefinition<OrderData> DEFINITION = Saga.define("order-flow", OrderData.class)
            .version(1)
            .step("create-order")
                .invoke(ORDERS, d -> new CreateOrder(d.orderId(), d.customerId()))
                .compensate(ORDERS, d -> new CancelOrder(d.orderId()))
                .retry(Retry.none()) // one attempt: a timeout compensates at once (the tests count on it)
            .step("reserve-inventory")
                .invoke(INVENTORY, d -> new ReserveItems(d.orderId()))
                .onReply(ItemsReserved.class, (d, r) -> d.withReservation(r.reservationId()))
                .compensate(INVENTORY, d -> new ReleaseItems(d.orderId(), d.reservationId()))
                .timeout(Duration.ofSeconds(5))
                .retry(Retry.fixed(3, Duration.ofMillis(500)))
            .step("authorize-payment")
                .invoke(PAYMENT, d -> new AuthorizePayment(d.orderId(), d.amountCents()))
                .onReply(PaymentAuthorized.class, (d, r) -> d.withPayment(r.paymentId()))
                .whenBusy(Park.as("PENDING_PAYMENT").retryEvery(PAYMENT_RETRY_EVERY).giveUpAfter(PAYMENT_GIVE_UP_AFTER))
                .retry(Retry.none()) // a timeout parks at once
                .pivot()
            .step("schedule-shipment")
                .invoke(LOGISTICS, d -> new ScheduleShipment(d.orderId(), d.paymentId()))
                .retry(Retry.forever(Duration.ofSeconds(1), Duration.ofMinutes(1)))
            .build();
}
