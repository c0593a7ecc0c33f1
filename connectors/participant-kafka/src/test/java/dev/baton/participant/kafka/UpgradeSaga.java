package dev.baton.participant.kafka;

import dev.baton.dsl.Park;
import dev.baton.dsl.Retry;
import dev.baton.dsl.Saga;
import dev.baton.dsl.SagaDefinition;
import dev.baton.testkit.example.OrderSaga.AuthorizePayment;
import dev.baton.testkit.example.OrderSaga.CancelOrder;
import dev.baton.testkit.example.OrderSaga.CreateOrder;
import dev.baton.testkit.example.OrderSaga.ItemsReserved;
import dev.baton.testkit.example.OrderSaga.OrderData;
import dev.baton.testkit.example.OrderSaga.PaymentAuthorized;
import dev.baton.testkit.example.OrderSaga.ReleaseItems;
import dev.baton.testkit.example.OrderSaga.ReserveItems;
import dev.baton.testkit.example.OrderSaga.ScheduleShipment;
import dev.baton.testkit.example.OrderSaga;
import java.time.Duration;

/**
 * The two versions of the order saga that {@link RollingUpgradeTest} upgrades between, shared by the test JVM and its
 * {@link RollingUpgradeNode} processes. Both send the same commands to the same participants with the same
 * compensations, so {@link OrderServices} sees the same four effects per saga whichever version runs it; they differ
 * in their waits only, so that a saga run by the wrong version would still end well and the test tells the versions
 * apart by the {@code definition_version} the engine stores. A busy payment parks for up to 10 minutes: the test keeps
 * some payments busy until the cluster is upgraded, however long that takes on a slow machine.
 */
final class UpgradeSaga {
    private UpgradeSaga() {}

    static final String TYPE = "order-upgrade-kafka";

    /**
     * The version the cluster runs first: 10 s reply timeouts (replies slowed by a loaded machine are waited for), and a
     * busy payment asked again at most every 2 s.
     */
    static final SagaDefinition<OrderData> V1 = define(1, Duration.ofSeconds(10), Duration.ofSeconds(2));

    /** The new version: 8 s reply timeouts and a busy payment asked again at most every half second. */
    static final SagaDefinition<OrderData> V2 = define(2, Duration.ofSeconds(8), Duration.ofMillis(500));

    private static SagaDefinition<OrderData> define(int version, Duration timeout, Duration parkEvery) {
        return Saga.define(TYPE, OrderData.class)
                .version(version)
                .defaultTimeout(timeout)
                .step("create-order")
                    .invoke(OrderSaga.ORDERS, d -> new CreateOrder(d.orderId(), d.customerId()))
                    .compensate(OrderSaga.ORDERS, d -> new CancelOrder(d.orderId()))
                    .retry(Retry.fixed(200, Duration.ofMillis(100)))
                .step("reserve-inventory")
                    .invoke(OrderSaga.INVENTORY, d -> new ReserveItems(d.orderId()))
                    .onReply(ItemsReserved.class, (d, r) -> d.withReservation(r.reservationId()))
                    .compensate(OrderSaga.INVENTORY, d -> new ReleaseItems(d.orderId(), d.reservationId()))
                    .retry(Retry.fixed(200, Duration.ofMillis(100)))
                .step("authorize-payment")
                    .invoke(OrderSaga.PAYMENT, d -> new AuthorizePayment(d.orderId(), d.amountCents()))
                    .onReply(PaymentAuthorized.class, (d, r) -> d.withPayment(r.paymentId()))
                    .whenBusy(Park.as("PENDING_PAYMENT").retryEvery(parkEvery).giveUpAfter(Duration.ofMinutes(10)))
                    .retry(Retry.fixed(200, Duration.ofMillis(100)))
                    .pivot()
                .step("schedule-shipment")
                    .invoke(OrderSaga.LOGISTICS, d -> new ScheduleShipment(d.orderId(), d.paymentId()))
                    .retry(Retry.forever(Duration.ofMillis(100), Duration.ofSeconds(1)))
                .build();
    }
}
