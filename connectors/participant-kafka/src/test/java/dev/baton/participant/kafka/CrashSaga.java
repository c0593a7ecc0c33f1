package dev.baton.participant.kafka;

import dev.baton.dsl.Park;
import dev.baton.dsl.Retry;
import dev.baton.dsl.Saga;
import dev.baton.dsl.SagaDefinition;
import dev.baton.kafka.common.KafkaOptions;
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

/** The order saga and Kafka settings of the crash tests, shared by the test JVM and the child processes. */
final class CrashSaga {
    private CrashSaga() {}

    /**
     * The order saga with 1 s timeouts and retry budgets of minutes: a command lost in a crash is re-sent within a
     * second, and the seconds a dead process holds its partitions cost retries, never a saga.
     */
    static final SagaDefinition<OrderData> DEFINITION = define("order-crash-kafka", Duration.ofSeconds(1));

    /**
     * The order saga for several engine nodes on one busy machine ({@link MultiNodeFailoverTest}): 10 s timeouts, so
     * that replies slowed by the load (thousands of sagas on a couple of cores) are waited for instead of re-sent.
     */
    static final SagaDefinition<OrderData> MULTI_NODE = define("order-failover-kafka", Duration.ofSeconds(10));

    /** The order saga with this type and reply timeout; the rest as {@link #DEFINITION}. */
    private static SagaDefinition<OrderData> define(String type, Duration timeout) {
        return Saga.define(type, OrderData.class)
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
                    .whenBusy(Park.as("PENDING_PAYMENT").retryEvery(Duration.ofMillis(300)).giveUpAfter(Duration.ofMinutes(3)))
                    .retry(Retry.fixed(200, Duration.ofMillis(100)))
                    .pivot()
                .step("schedule-shipment")
                    .invoke(OrderSaga.LOGISTICS, d -> new ScheduleShipment(d.orderId(), d.paymentId()))
                    .retry(Retry.forever(Duration.ofMillis(100), Duration.ofSeconds(1)))
                .build();
    }

    /** Saga {@code i} is for this amount: {@code i % 10 == 3} is declined (compensated), {@code 7} is busy twice. */
    static long amount(int i) {
        return 100 + i;
    }

    static String businessKey(int i) {
        return "order-" + i;
    }

    /**
     * Kafka settings of one test: its own topics and engine group, and a 6 s consumer session (the broker's minimum)
     * instead of Kafka's 45 s, so the partitions of a killed process go to its replacement within seconds.
     */
    static KafkaOptions options(String bootstrapServers, String prefix) {
        return KafkaOptions.defaults(bootstrapServers).withTopicPrefix(prefix).withEngineGroupId(prefix + "engine")
                .withClientProperty("session.timeout.ms", "6000")
                .withClientProperty("heartbeat.interval.ms", "1000");
    }
}
