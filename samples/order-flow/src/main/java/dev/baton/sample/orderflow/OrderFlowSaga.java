package dev.baton.sample.orderflow;

import dev.baton.dsl.Park;
import dev.baton.dsl.Participant;
import dev.baton.dsl.Retry;
import dev.baton.dsl.Saga;
import dev.baton.dsl.SagaDefinition;
import java.time.Duration;

/**
 * The order saga and the messages it exchanges with the four services.
 *
 * <pre>
 * create-order       orders     compensated by CancelOrder
 * then, in parallel (group "checks"), the three sent together:
 *   screen-order     orders     a fraud screening (a read): a flagged order is refused, and the saga compensates what
 *                               the other branches did, once their answers are in
 *   reserve-stock    inventory  compensated by ReleaseStock (stock can run out: business FAILURE, the order is cancelled)
 *   estimate-delivery logistics a read, skipped for digital items; when the carrier's estimate API cannot answer in
 *                               time (busy, slow, its breaker open) the order is promised standard delivery instead
 *                               (a fallback): the order goes on, the step marked degraded
 * authorize-payment  payment    the pivot; busy (over capacity) parks the saga in PENDING_PAYMENT; a decline compensates
 * ship-order         logistics  after the pivot, skipped for digital items: retried until it succeeds, never compensated
 * </pre>
 */
public final class OrderFlowSaga {
    private OrderFlowSaga() {}

    /**
     * The saga's data. {@code reservationId} is set by the inventory's reply, {@code deliveryPromise} by the
     * logistics' estimate (or its fallback, {@link #STANDARD_DELIVERY}).
     */
    public record OrderData(String orderId, String customerId, String sku, int quantity, long amountCents, String reservationId,
                            String deliveryPromise) {
        /** An order as a shop starts it: nothing reserved or promised yet. */
        public OrderData(String orderId, String customerId, String sku, int quantity, long amountCents) {
            this(orderId, customerId, sku, quantity, amountCents, null, null);
        }

        OrderData reserved(String reservation) {
            return new OrderData(orderId, customerId, sku, quantity, amountCents, reservation, deliveryPromise);
        }

        OrderData promised(String promise) {
            return new OrderData(orderId, customerId, sku, quantity, amountCents, reservationId, promise);
        }
    }

    public record CreateOrder(String orderId, String customerId, String sku, int quantity, long amountCents) {}
    public record CancelOrder(String orderId) {}
    public record ScreenOrder(String orderId, String customerId, long amountCents) {}
    public record ReserveStock(String orderId, String sku, int quantity) {}
    public record StockReserved(String reservationId) {}
    public record ReleaseStock(String orderId, String reservationId) {}
    public record EstimateDelivery(String orderId, String sku, int quantity) {}
    public record DeliveryEstimated(String promise) {}
    public record AuthorizePayment(String orderId, long amountCents) {}
    public record ShipOrder(String orderId, String sku, int quantity) {}

    public static final Participant<Object> ORDERS = Participant.named("orders", Object.class);
    public static final Participant<Object> INVENTORY = Participant.named("inventory", Object.class);
    public static final Participant<Object> PAYMENT = Participant.named("payment", Object.class);
    public static final Participant<Object> LOGISTICS = Participant.named("logistics", Object.class);

    /** The pending state of a saga whose payment service is over capacity. */
    public static final String PENDING_PAYMENT = "PENDING_PAYMENT";

    /** What an order is promised when the carrier cannot estimate its delivery in time. */
    public static final String STANDARD_DELIVERY = "standard delivery (3-5 working days)";

    public static final SagaDefinition<OrderData> ORDER_FLOW = Saga.define("order-flow", OrderData.class)
            .validate(d -> d.orderId() == null || d.orderId().isBlank() ? "orderId is required" : null)
            .validate(d -> d.customerId() == null || d.customerId().isBlank() ? "customerId is required" : null)
            .validate(d -> d.sku() == null || d.sku().isBlank() ? "sku is required" : null)
            .validate(d -> d.quantity() > 0 ? null : "quantity must be at least 1, but was " + d.quantity())
            .validate(d -> d.amountCents() >= 0 ? null : "amountCents must not be negative, but was " + d.amountCents())
            .validate(d -> d.reservationId() == null ? null : "reservationId is set by the inventory's reply; leave it out")
            .validate(d -> d.deliveryPromise() == null ? null : "deliveryPromise is set by the logistics' estimate; leave it out")
            .defaultTimeout(Duration.ofSeconds(30))
            .step("create-order")
                .invoke(ORDERS, CreateOrder.class,
                        d -> new CreateOrder(d.orderId(), d.customerId(), d.sku(), d.quantity(), d.amountCents()))
                .compensate(ORDERS, CancelOrder.class, d -> new CancelOrder(d.orderId()))
            .step("screen-order")
                .invoke(ORDERS, ScreenOrder.class, d -> new ScreenOrder(d.orderId(), d.customerId(), d.amountCents()))
                .noCompensation()
                .parallel("checks")
            .step("reserve-stock")
                .invoke(INVENTORY, ReserveStock.class, d -> new ReserveStock(d.orderId(), d.sku(), d.quantity()))
                .onReply(StockReserved.class, (d, r) -> d.reserved(r.reservationId()))
                .compensate(INVENTORY, ReleaseStock.class, d -> new ReleaseStock(d.orderId(), d.reservationId()))
                .parallel("checks")
            .step("estimate-delivery")
                .invoke(LOGISTICS, EstimateDelivery.class, d -> new EstimateDelivery(d.orderId(), d.sku(), d.quantity()))
                .onReply(DeliveryEstimated.class, (d, r) -> d.promised(r.promise()))
                .when(d -> !Catalog.isDigital(d.sku()))
                .noCompensation()
                .timeout(Duration.ofSeconds(2))
                .retry(Retry.none())
                .fallback(d -> d.promised(STANDARD_DELIVERY))
                .parallel("checks")
            .step("authorize-payment")
                .invoke(PAYMENT, AuthorizePayment.class, d -> new AuthorizePayment(d.orderId(), d.amountCents()))
                .whenBusy(Park.as(PENDING_PAYMENT).retryEvery(Duration.ofSeconds(1)).giveUpAfter(Duration.ofMinutes(10)))
                .pivot()
            .step("ship-order")
                .invoke(LOGISTICS, ShipOrder.class, d -> new ShipOrder(d.orderId(), d.sku(), d.quantity()))
                .when(d -> !Catalog.isDigital(d.sku()))
                .retry(Retry.forever(Duration.ofMillis(200), Duration.ofSeconds(2)))
            .build();
}
