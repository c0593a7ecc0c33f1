package dev.baton.sample.orderflow;

import dev.baton.engine.SagaStatus;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;

/**
 * Reads the four services' databases and checks them against the sagas' outcomes:
 * <ul>
 * <li>a COMPLETED order is PLACED, has exactly one reservation held, one captured payment, and one shipment unless
 *     it is digital (then none: its saga skipped shipping);</li>
 * <li>a COMPENSATED order is CANCELLED, holds no reservation, has no captured payment and no shipment;</li>
 * <li>no payment is captured twice, no order reserved or shipped twice (counted as duplicates);</li>
 * <li>per SKU, the stock available plus the quantities held equals the initial stock.</li>
 * </ul>
 * Orders whose saga is not terminal are not checked.
 */
final class ConsistencyCheck {
    private ConsistencyCheck() {}

    /** @param problems the first few problems, for the report */
    record Report(int inconsistent, int duplicates, List<String> problems) {}

    static Report run(Map<String, SagaStatus> outcomes, Jdbi orders, Jdbi inventory, Jdbi payment, Jdbi logistics) {
        Map<String, String> orderStatus = new HashMap<>();
        Map<String, String> orderSku = new HashMap<>();
        orders.useHandle(h -> h.select("SELECT order_id, status, sku FROM orders").map((rs, ctx) -> {
            orderStatus.put(rs.getString(1), rs.getString(2));
            orderSku.put(rs.getString(1), rs.getString(3));
            return null;
        }).list());
        Map<String, Integer> held = counts(inventory, "SELECT order_id, COUNT(*) FROM reservation WHERE status = 'RESERVED' GROUP BY order_id");
        Map<String, Integer> captured = counts(payment, "SELECT order_id, COUNT(*) FROM payment WHERE status = 'CAPTURED' GROUP BY order_id");
        Map<String, Integer> shipped = counts(logistics, "SELECT order_id, COUNT(*) FROM shipment GROUP BY order_id");

        List<String> problems = new ArrayList<>();
        int inconsistent = 0;
        int duplicates = 0;
        for (Map<String, Integer> m : List.of(held, captured, shipped)) {
            for (int n : m.values()) {
                duplicates += Math.max(0, n - 1);
            }
        }
        for (Map.Entry<String, SagaStatus> e : outcomes.entrySet()) {
            String id = e.getKey();
            int r = held.getOrDefault(id, 0);
            int p = captured.getOrDefault(id, 0);
            int s = shipped.getOrDefault(id, 0);
            String o = orderStatus.get(id);
            int shipments = Catalog.isDigital(orderSku.get(id)) ? 0 : 1;
            String problem = switch (e.getValue()) {
                case COMPLETED -> "PLACED".equals(o) && r == 1 && p == 1 && s == shipments ? null
                        : "completed but order=" + o + " reservations=" + r + " payments=" + p + " shipments=" + s;
                case COMPENSATED -> (o == null || "CANCELLED".equals(o)) && r == 0 && p == 0 && s == 0 ? null
                        : "compensated but order=" + o + " reservations=" + r + " payments=" + p + " shipments=" + s;
                default -> null;
            };
            if (problem != null) {
                inconsistent++;
                if (problems.size() < 10) {
                    problems.add(id + ": " + problem);
                }
            }
        }
        // stock is conserved: available + held = initial, per SKU
        List<String> stock = inventory.withHandle(h -> h.select("SELECT s.sku, s.initial, s.available,"
                + " COALESCE((SELECT SUM(r.quantity) FROM reservation r WHERE r.sku = s.sku AND r.status = 'RESERVED'), 0)"
                + " FROM stock s").map((rs, ctx) -> rs.getInt(2) == rs.getInt(3) + rs.getInt(4) ? null
                : "stock of " + rs.getString(1) + ": initial " + rs.getInt(2) + " != available " + rs.getInt(3)
                + " + held " + rs.getInt(4)).list());
        for (String p : stock) {
            if (p != null) {
                inconsistent++;
                problems.add(p);
            }
        }
        return new Report(inconsistent, duplicates, problems);
    }

    private static Map<String, Integer> counts(Jdbi db, String sql) {
        Map<String, Integer> m = new HashMap<>();
        db.useHandle(h -> h.select(sql).map((rs, ctx) -> {
            m.put(rs.getString(1), rs.getInt(2));
            return null;
        }).list());
        return m;
    }
}
