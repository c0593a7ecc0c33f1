package dev.baton.dsl;

import java.util.Objects;

/**
 * Entry point of the definition DSL.
 *
 * <pre>{@code
 * static final SagaDefinition<OrderData> ORDER = Saga.define("order-flow", OrderData.class)
 *     .version(1)
 *     .step("create-order")
 *         .invoke(ORDERS, d -> new CreateOrder(d.orderId()))
 *         .compensate(ORDERS, d -> new CancelOrder(d.orderId()))
 *     .step("authorize-payment")
 *         .invoke(PAYMENT, d -> new AuthorizePayment(d.orderId(), d.amountCents()))
 *         .whenBusy(Park.as("PENDING_PAYMENT"))
 *         .pivot()
 *     .step("schedule-shipment")
 *         .invoke(LOGISTICS, d -> new ScheduleShipment(d.orderId()))
 *         .retry(Retry.forever(Duration.ofSeconds(1), Duration.ofMinutes(1)))
 *     .build();
 * }</pre>
 *
 * Every builder call returns a new immutable builder, so partial chains can be shared safely.
 *
 * @since 0.1
 */
public final class Saga {
    private Saga() {}

    /**
     * Starts a definition.
     *
     * @param type the saga type: stable, shown to operators, stored with every instance
     * @param dataType the saga data's type, usually a record; serialised where the engine stores it
     */
    public static <D> SagaBuilder<D> define(String type, Class<D> dataType) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(dataType, "dataType");
        return new SagaBuilder<>(Draft.start(type, dataType));
    }
}
