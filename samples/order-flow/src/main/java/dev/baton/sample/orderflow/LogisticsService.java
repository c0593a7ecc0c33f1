package dev.baton.sample.orderflow;

import dev.baton.kafka.common.KafkaOptions;
import dev.baton.participant.CommandHandlers;
import dev.baton.participant.Outcome;
import dev.baton.sample.orderflow.OrderFlowSaga.DeliveryEstimated;
import dev.baton.sample.orderflow.OrderFlowSaga.EstimateDelivery;
import dev.baton.sample.orderflow.OrderFlowSaga.ShipOrder;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import org.jdbi.v3.core.Handle;

/**
 * The logistics service: estimates deliveries and books shipments. The carrier's API fails now and then
 * ({@code failureRate}); the service answers "retry later". For a shipment the saga, past its pivot, retries until it
 * succeeds; for an estimate it does not wait: the order is promised standard delivery (the step's fallback).
 */
public final class LogisticsService extends Service {
    private final double failureRate;

    public LogisticsService(Path dataDir, KafkaOptions options, double failureRate) {
        super(OrderFlowSaga.LOGISTICS.name(), dataDir, options);
        this.failureRate = failureRate;
    }

    public static void main(String[] args) throws InterruptedException {
        runAlone(args, (d, o) -> new LogisticsService(d, o, 0.05));
    }

    @Override
    protected void schema(Handle h) {
        h.execute("CREATE TABLE IF NOT EXISTS shipment (shipment_id VARCHAR(80) PRIMARY KEY, order_id VARCHAR(64) NOT NULL,"
                + " sku VARCHAR(64), quantity INT NOT NULL)");
        h.execute("CREATE INDEX IF NOT EXISTS shipment_order ON shipment (order_id)");
    }

    @Override
    protected CommandHandlers handlers() {
        return CommandHandlers.forParticipant(OrderFlowSaga.LOGISTICS)
                .on(EstimateDelivery.class, (c, ctx) -> {
                    if (ThreadLocalRandom.current().nextDouble() < failureRate) {
                        return Outcome.retryLater("carrier estimate API overloaded");
                    }
                    return Outcome.success(new DeliveryEstimated(c.quantity() > 2 ? "3 working days" : "next working day"));
                })
                .on(ShipOrder.class, (c, ctx) -> {
                    if (ThreadLocalRandom.current().nextDouble() < failureRate) {
                        return Outcome.retryLater("carrier API timed out");
                    }
                    ctx.handle().execute("INSERT INTO shipment (shipment_id, order_id, sku, quantity) VALUES (?, ?, ?, ?)",
                            "ship-" + java.util.UUID.randomUUID(), c.orderId(), c.sku(), c.quantity());
                    return Outcome.success();
                })
                .build();
    }
}
