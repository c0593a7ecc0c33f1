package dev.baton.engine.internal;

import dev.baton.dsl.Park;
import dev.baton.dsl.Participant;
import dev.baton.dsl.Retry;
import dev.baton.dsl.Saga;
import dev.baton.dsl.SagaDefinition;
import java.time.Duration;
import java.util.List;

/**
 * The design's four-step order saga, as a test fixture:
 * create-order (compensatable) → reserve-inventory (compensatable, folds the reservation id, 5 s timeout,
 * 3 attempts 1 s apart) → authorize-payment (pivot, parks in PENDING_PAYMENT) → schedule-shipment (retriable).
 *
 * <p>User code misbehaves on request, driven by the replies so one definition serves every test: the
 * reserve-inventory and authorize-payment reply handlers throw for an id of {@value #UNREADABLE}, and the
 * shipment command builder throws for a payment id of {@value #BOOM}.
 */
final class OrderSaga {
    private OrderSaga() {}

    static final String CREATE = "create-order";
    static final String RESERVE = "reserve-inventory";
    static final String PAY = "authorize-payment";
    static final String SHIP = "schedule-shipment";
    static final List<String> STEPS = List.of(CREATE, RESERVE, PAY, SHIP);
    static final String FRAUD = "check-fraud";
    static final String ESTIMATE = "estimate-delivery";
    /** The steps of {@link #shaped}, in order. */
    static final List<String> SHAPED_STEPS = List.of(CREATE, FRAUD, RESERVE, PAY, ESTIMATE, SHIP);
    static final String NOTIFY = "notify-warehouse";
    static final String PENDING_FRAUD = "PENDING_FRAUD";
    /** The steps of {@link #parallel}, in order. */
    static final List<String> PARALLEL_STEPS = List.of(CREATE, FRAUD, RESERVE, NOTIFY, ESTIMATE, PAY, SHIP);
    /** Orders below this amount skip the fraud check. */
    static final long FRAUD_FROM_CENTS = 1_000;

    static final String BOOM = "boom";
    static final String UNREADABLE = "unreadable";
    static final String PENDING_PAYMENT = "PENDING_PAYMENT";
    static final Duration RESERVE_TIMEOUT = Duration.ofSeconds(5);
    static final Duration RESERVE_RETRY_DELAY = Duration.ofSeconds(1);
    static final int RESERVE_ATTEMPTS = 3;
    static final Duration PAY_RETRY_EVERY = Duration.ofSeconds(10);
    static final Duration PAY_GIVE_UP = Duration.ofMinutes(30);
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    record OrderData(String orderId, String customerId, long amountCents, String reservationId, String paymentId) {
        OrderData withReservation(String id) {
            return new OrderData(orderId, customerId, amountCents, id, paymentId);
        }

        OrderData withPayment(String id) {
            return new OrderData(orderId, customerId, amountCents, reservationId, id);
        }
    }

    static OrderData order() {
        return new OrderData("o-1", "c-1", 4200, null, null);
    }

    interface OrderCommand {}

    record CreateOrder(String orderId, String customerId) implements OrderCommand {}

    record CancelOrder(String orderId) implements OrderCommand {}

    interface InventoryCommand {}

    record ReserveItems(String orderId) implements InventoryCommand {}

    record ReleaseItems(String orderId, String reservationId) implements InventoryCommand {}

    record AuthorizePayment(String orderId, long amountCents) {}

    record ScheduleShipment(String orderId, String paymentId) {}

    record CheckFraud(String orderId, long amountCents) {}

    record EstimateDelivery(String orderId) {}

    record NotifyWarehouse(String orderId) {}

    record CancelNotice(String orderId) {}

    record ItemsReserved(String reservationId) {}

    record PaymentAuthorized(String paymentId) {}

    static final Participant<OrderCommand> ORDERS = Participant.named("order", OrderCommand.class);
    static final Participant<InventoryCommand> INVENTORY = Participant.named("inventory", InventoryCommand.class);
    static final Participant<AuthorizePayment> PAYMENT = Participant.named("payment", AuthorizePayment.class);
    static final Participant<ScheduleShipment> LOGISTICS = Participant.named("logistics", ScheduleShipment.class);
    static final Participant<CheckFraud> FRAUD_CHECK = Participant.named("fraud", CheckFraud.class);
    static final Participant<EstimateDelivery> CARRIER = Participant.named("carrier", EstimateDelivery.class);
    static final Participant<Object> WAREHOUSE = Participant.named("warehouse", Object.class);

    /** An order of {@code amountCents}. */
    static OrderData order(long amountCents) {
        return new OrderData("o-1", "c-1", amountCents, null, null);
    }

    /** Whether an order is shipped: digital goods (here: an amount that is a multiple of 3) are not. */
    static boolean ships(OrderData d) {
        return d.amountCents() % 3 != 0;
    }

    /**
     * The order saga with a parallel group: create-order → group "checks" of three branches, sent together:
     * check-fraud (only from {@value #FRAUD_FROM_CENTS} cents; a read that parks in {@value #PENDING_FRAUD} when busy),
     * reserve-inventory then notify-warehouse (a branch of two compensatable steps), estimate-delivery (a read with a
     * fallback) → authorize-payment (pivot) → schedule-shipment (only for orders that {@link #ships}).
     */
    static SagaDefinition<OrderData> parallel(Retry shipmentRetry) {
        return Saga.define("order-flow", OrderData.class)
                .version(3)
                .step(CREATE)
                    .invoke(ORDERS, d -> new CreateOrder(d.orderId(), d.customerId()))
                    .compensate(ORDERS, d -> new CancelOrder(d.orderId()))
                    .retry(Retry.none())
                .step(FRAUD)
                    .invoke(FRAUD_CHECK, d -> new CheckFraud(d.orderId(), d.amountCents()))
                    .when(d -> d.amountCents() >= FRAUD_FROM_CENTS)
                    .noCompensation()
                    .timeout(RESERVE_TIMEOUT)
                    .retry(Retry.fixed(2, RESERVE_RETRY_DELAY))
                    .whenBusy(Park.as(PENDING_FRAUD).retryEvery(PAY_RETRY_EVERY).giveUpAfter(PAY_GIVE_UP))
                    .parallel("checks")
                .step(RESERVE)
                    .invoke(INVENTORY, d -> new ReserveItems(d.orderId()))
                    .onReply(ItemsReserved.class, (d, r) -> {
                        if (UNREADABLE.equals(r.reservationId())) {
                            throw new IllegalStateException("cannot fold reservation " + r.reservationId());
                        }
                        return d.withReservation(r.reservationId());
                    })
                    .compensate(INVENTORY, d -> new ReleaseItems(d.orderId(), d.reservationId()))
                    .timeout(RESERVE_TIMEOUT)
                    .retry(Retry.fixed(RESERVE_ATTEMPTS, RESERVE_RETRY_DELAY))
                    .parallel("checks", "stock")
                .step(NOTIFY)
                    .invoke(WAREHOUSE, d -> new NotifyWarehouse(d.orderId()))
                    .compensate(WAREHOUSE, d -> new CancelNotice(d.orderId()))
                    .retry(Retry.fixed(2, RESERVE_RETRY_DELAY))
                    .parallel("checks", "stock")
                .step(ESTIMATE)
                    .invoke(CARRIER, d -> new EstimateDelivery(d.orderId()))
                    .noCompensation()
                    .retry(Retry.fixed(2, RESERVE_RETRY_DELAY))
                    .fallback(d -> d)
                    .parallel("checks")
                .step(PAY)
                    .invoke(PAYMENT, d -> new AuthorizePayment(d.orderId(), d.amountCents()))
                    .onReply(PaymentAuthorized.class, (d, r) -> {
                        if (UNREADABLE.equals(r.paymentId())) {
                            throw new IllegalStateException("cannot fold payment " + r.paymentId());
                        }
                        return d.withPayment(r.paymentId());
                    })
                    .whenBusy(Park.as(PENDING_PAYMENT).retryEvery(PAY_RETRY_EVERY).giveUpAfter(PAY_GIVE_UP))
                    .retry(Retry.none())
                    .pivot()
                .step(SHIP)
                    .invoke(LOGISTICS, d -> {
                        if (BOOM.equals(d.paymentId())) {
                            throw new IllegalArgumentException("no shipment for payment " + d.paymentId());
                        }
                        return new ScheduleShipment(d.orderId(), d.paymentId());
                    })
                    .when(OrderSaga::ships)
                    .retry(shipmentRetry)
                .build();
    }

    /**
     * The order saga with the shapes of real processes: create-order → check-fraud (only from
     * {@value #FRAUD_FROM_CENTS} cents; a read with a fallback: unchecked orders go on) → reserve-inventory →
     * authorize-payment (pivot) → estimate-delivery (after the pivot, 2 attempts, a fallback) → schedule-shipment
     * (only for orders that {@link #ships}).
     */
    static SagaDefinition<OrderData> shaped(Retry shipmentRetry) {
        return Saga.define("order-flow", OrderData.class)
                .version(2)
                .step(CREATE)
                    .invoke(ORDERS, d -> new CreateOrder(d.orderId(), d.customerId()))
                    .compensate(ORDERS, d -> new CancelOrder(d.orderId()))
                    .retry(Retry.none())
                .step(FRAUD)
                    .invoke(FRAUD_CHECK, d -> new CheckFraud(d.orderId(), d.amountCents()))
                    .when(d -> d.amountCents() >= FRAUD_FROM_CENTS)
                    .noCompensation()
                    .timeout(RESERVE_TIMEOUT)
                    .retry(Retry.fixed(2, RESERVE_RETRY_DELAY))
                    .fallback(d -> d)
                .step(RESERVE)
                    .invoke(INVENTORY, d -> new ReserveItems(d.orderId()))
                    .onReply(ItemsReserved.class, (d, r) -> {
                        if (UNREADABLE.equals(r.reservationId())) {
                            throw new IllegalStateException("cannot fold reservation " + r.reservationId());
                        }
                        return d.withReservation(r.reservationId());
                    })
                    .compensate(INVENTORY, d -> new ReleaseItems(d.orderId(), d.reservationId()))
                    .timeout(RESERVE_TIMEOUT)
                    .retry(Retry.fixed(RESERVE_ATTEMPTS, RESERVE_RETRY_DELAY))
                .step(PAY)
                    .invoke(PAYMENT, d -> new AuthorizePayment(d.orderId(), d.amountCents()))
                    .onReply(PaymentAuthorized.class, (d, r) -> {
                        if (UNREADABLE.equals(r.paymentId())) {
                            throw new IllegalStateException("cannot fold payment " + r.paymentId());
                        }
                        return d.withPayment(r.paymentId());
                    })
                    .whenBusy(Park.as(PENDING_PAYMENT).retryEvery(PAY_RETRY_EVERY).giveUpAfter(PAY_GIVE_UP))
                    .retry(Retry.none())
                    .pivot()
                .step(ESTIMATE)
                    .invoke(CARRIER, d -> new EstimateDelivery(d.orderId()))
                    .retry(Retry.fixed(2, RESERVE_RETRY_DELAY))
                    .fallback(d -> d)
                .step(SHIP)
                    .invoke(LOGISTICS, d -> {
                        if (BOOM.equals(d.paymentId())) {
                            throw new IllegalArgumentException("no shipment for payment " + d.paymentId());
                        }
                        return new ScheduleShipment(d.orderId(), d.paymentId());
                    })
                    .when(OrderSaga::ships)
                    .retry(shipmentRetry)
                .build();
    }

    /** The standard saga: shipment retried forever. */
    static SagaDefinition<OrderData> definition() {
        return definition(Retry.forever(Duration.ofSeconds(1), Duration.ofMinutes(1)));
    }

    /** The saga with the given retry policy on the step after the pivot. */
    static SagaDefinition<OrderData> definition(Retry shipmentRetry) {
        return Saga.define("order-flow", OrderData.class)
                .version(1)
                .step(CREATE)
                    .invoke(ORDERS, d -> new CreateOrder(d.orderId(), d.customerId()))
                    .compensate(ORDERS, d -> new CancelOrder(d.orderId()))
                    .retry(Retry.none()) // one attempt: a busy answer or a timeout compensates at once
                .step(RESERVE)
                    .invoke(INVENTORY, d -> new ReserveItems(d.orderId()))
                    .onReply(ItemsReserved.class, (d, r) -> {
                        if (UNREADABLE.equals(r.reservationId())) {
                            throw new IllegalStateException("cannot fold reservation " + r.reservationId());
                        }
                        return d.withReservation(r.reservationId());
                    })
                    .compensate(INVENTORY, d -> new ReleaseItems(d.orderId(), d.reservationId()))
                    .timeout(RESERVE_TIMEOUT)
                    .retry(Retry.fixed(RESERVE_ATTEMPTS, RESERVE_RETRY_DELAY))
                .step(PAY)
                    .invoke(PAYMENT, d -> new AuthorizePayment(d.orderId(), d.amountCents()))
                    .onReply(PaymentAuthorized.class, (d, r) -> {
                        if (UNREADABLE.equals(r.paymentId())) {
                            throw new IllegalStateException("cannot fold payment " + r.paymentId());
                        }
                        return d.withPayment(r.paymentId());
                    })
                    .whenBusy(Park.as(PENDING_PAYMENT).retryEvery(PAY_RETRY_EVERY).giveUpAfter(PAY_GIVE_UP))
                    .retry(Retry.none()) // a timeout parks at once
                    .pivot()
                .step(SHIP)
                    .invoke(LOGISTICS, d -> {
                        if (BOOM.equals(d.paymentId())) {
                            throw new IllegalArgumentException("no shipment for payment " + d.paymentId());
                        }
                        return new ScheduleShipment(d.orderId(), d.paymentId());
                    })
                    .retry(shipmentRetry)
                .build();
    }
}
