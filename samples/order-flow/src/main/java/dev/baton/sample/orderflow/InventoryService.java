package dev.baton.sample.orderflow;

import dev.baton.kafka.common.KafkaOptions;
import dev.baton.participant.CommandHandlers;
import dev.baton.participant.Outcome;
import dev.baton.sample.orderflow.OrderFlowSaga.ReleaseStock;
import dev.baton.sample.orderflow.OrderFlowSaga.ReserveStock;
import dev.baton.sample.orderflow.OrderFlowSaga.StockReserved;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;

/**
 * The inventory service: stock levels per SKU and reservations. A SKU that has run out refuses the reservation (a
 * business failure: the saga cancels the order). Releasing puts the quantity back.
 */
public final class InventoryService extends Service {
    private final Map<String, Integer> initialStock;

    /** @param initialStock the stock per SKU, set when the database is new */
    public InventoryService(Path dataDir, KafkaOptions options, Map<String, Integer> initialStock) {
        super(OrderFlowSaga.INVENTORY.name(), dataDir, options);
        this.initialStock = Map.copyOf(initialStock);
    }

    public static void main(String[] args) throws InterruptedException {
        runAlone(args, (d, o) -> new InventoryService(d, o, Catalog.stock(2000)));
    }

    @Override
    protected void schema(Handle h) {
        h.execute("CREATE TABLE IF NOT EXISTS stock (sku VARCHAR(64) PRIMARY KEY, initial INT NOT NULL, available INT NOT NULL)");
        h.execute("CREATE TABLE IF NOT EXISTS reservation (reservation_id VARCHAR(80) PRIMARY KEY, order_id VARCHAR(64) NOT NULL,"
                + " sku VARCHAR(64), quantity INT NOT NULL, status VARCHAR(20) NOT NULL)");
        h.execute("CREATE INDEX IF NOT EXISTS reservation_order ON reservation (order_id)");
        for (Map.Entry<String, Integer> e : initialStock.entrySet()) {
            // H2 and PostgreSQL alike: stock is set once, a restart on existing data keeps it
            h.execute("INSERT INTO stock (sku, initial, available) SELECT ?, ?, ?"
                    + " WHERE NOT EXISTS (SELECT 1 FROM stock WHERE sku = ?)", e.getKey(), e.getValue(), e.getValue(), e.getKey());
        }
    }

    @Override
    protected CommandHandlers handlers() {
        return CommandHandlers.forParticipant(OrderFlowSaga.INVENTORY)
                .on(ReserveStock.class, (c, ctx) -> {
                    Handle h = ctx.handle();
                    List<String> earlier = h.select("SELECT status FROM reservation WHERE order_id = ?", c.orderId())
                            .mapTo(String.class).list();
                    if (earlier.contains("RELEASED")) {
                        return Outcome.failure("order " + c.orderId() + " was cancelled already");
                    }
                    int taken = h.execute("UPDATE stock SET available = available - ? WHERE sku = ? AND available >= ?",
                            c.quantity(), c.sku(), c.quantity());
                    if (taken == 0) {
                        return Outcome.failure("out of stock: " + c.sku());
                    }
                    String id = "res-" + c.orderId();
                    h.execute("INSERT INTO reservation (reservation_id, order_id, sku, quantity, status) VALUES (?, ?, ?, ?, 'RESERVED')",
                            id, c.orderId(), c.sku(), c.quantity());
                    return Outcome.success(new StockReserved(id));
                })
                .on(ReleaseStock.class, (c, ctx) -> {
                    Handle h = ctx.handle();
                    List<Map<String, Object>> held = h.select("SELECT reservation_id, sku, quantity FROM reservation"
                            + " WHERE order_id = ? AND status = 'RESERVED'", c.orderId()).mapToMap().list();
                    for (Map<String, Object> r : held) {
                        h.execute("UPDATE stock SET available = available + ? WHERE sku = ?", r.get("quantity"), r.get("sku"));
                        h.execute("UPDATE reservation SET status = 'RELEASED' WHERE reservation_id = ?", r.get("reservation_id"));
                    }
                    boolean any = h.select("SELECT COUNT(*) FROM reservation WHERE order_id = ?", c.orderId())
                            .mapTo(Integer.class).one() > 0;
                    if (!any) {
                        // released before it was made (a timeout): a marker so that a late reservation is refused
                        h.execute("INSERT INTO reservation (reservation_id, order_id, sku, quantity, status) VALUES (?, ?, NULL, 0, 'RELEASED')",
                                "res-" + c.orderId(), c.orderId());
                    }
                    return Outcome.success();
                })
                .build();
    }
}
