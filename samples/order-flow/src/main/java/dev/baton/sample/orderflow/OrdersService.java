package dev.baton.sample.orderflow;

import dev.baton.kafka.common.KafkaOptions;
import dev.baton.participant.CommandHandlers;
import dev.baton.participant.Outcome;
import dev.baton.sample.orderflow.OrderFlowSaga.CancelOrder;
import dev.baton.sample.orderflow.OrderFlowSaga.CreateOrder;
import dev.baton.sample.orderflow.OrderFlowSaga.ScreenOrder;
import java.nio.file.Path;
import org.jdbi.v3.core.Handle;

/** The order service: one row per order, PLACED or CANCELLED. */
public final class OrdersService extends Service {
    public OrdersService(Path dataDir, KafkaOptions options) {
        super(OrderFlowSaga.ORDERS.name(), dataDir, options);
    }

    public static void main(String[] args) throws InterruptedException {
        runAlone(args, OrdersService::new);
    }

    @Override
    protected void schema(Handle h) {
        h.execute("CREATE TABLE IF NOT EXISTS orders (order_id VARCHAR(64) PRIMARY KEY, customer_id VARCHAR(64),"
                + " sku VARCHAR(64), quantity INT, amount_cents BIGINT, status VARCHAR(20) NOT NULL)");
    }

    @Override
    protected CommandHandlers handlers() {
        return CommandHandlers.forParticipant(OrderFlowSaga.ORDERS)
                .on(CreateOrder.class, (c, ctx) -> {
                    Handle h = ctx.handle();
                    String status = h.select("SELECT status FROM orders WHERE order_id = ?", c.orderId())
                            .mapTo(String.class).findOne().orElse(null);
                    if ("CANCELLED".equals(status)) {
                        // the cancellation overtook this command (a timeout): refuse, so the order stays cancelled
                        return Outcome.failure("order " + c.orderId() + " was cancelled already");
                    }
                    if (status == null) {
                        h.createUpdate("INSERT INTO orders (order_id, customer_id, sku, quantity, amount_cents, status)"
                                        + " VALUES (:o, :c, :s, :q, :a, 'PLACED')")
                                .bind("o", c.orderId()).bind("c", c.customerId()).bind("s", c.sku())
                                .bind("q", c.quantity()).bind("a", c.amountCents()).execute();
                    }
                    return Outcome.success();
                })
                .on(ScreenOrder.class, (c, ctx) -> flagged(c.orderId())
                        ? Outcome.failure("flagged by fraud screening")
                        : Outcome.success())
                .on(CancelOrder.class, (c, ctx) -> {
                    Handle h = ctx.handle();
                    int n = h.execute("UPDATE orders SET status = 'CANCELLED' WHERE order_id = ?", c.orderId());
                    if (n == 0) {
                        h.execute("INSERT INTO orders (order_id, status) VALUES (?, 'CANCELLED')", c.orderId());
                    }
                    return Outcome.success();
                })
                .build();
    }

    /** About 2 % of orders, decided by the order id (a re-sent screening gets the same answer). */
    public static boolean flagged(String orderId) {
        return Math.floorMod(orderId.hashCode() * 17 + 5, 1_000) < 20;
    }
}
