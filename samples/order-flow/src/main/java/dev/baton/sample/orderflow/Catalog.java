package dev.baton.sample.orderflow;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the shop sells. One item is a limited edition that runs out during the run; the gift card is digital (nothing
 * to ship, no delivery to promise).
 */
final class Catalog {
    private Catalog() {}

    record Item(String sku, long priceCents, boolean digital) {}

    /** The limited edition comes last. */
    static final List<Item> ITEMS = List.of(new Item("tee", 1_900, false), new Item("hoodie", 4_900, false),
            new Item("mug", 1_200, false), new Item("cap", 2_200, false), new Item("gift-card", 2_500, true),
            new Item("limited-sneaker", 14_900, false));

    /** Whether {@code sku} is a digital item: the order saga skips the delivery estimate and the shipment. */
    static boolean isDigital(String sku) {
        return ITEMS.stream().anyMatch(i -> i.sku().equals(sku) && i.digital());
    }

    static final String LIMITED = "limited-sneaker";

    /** Stock for a run of {@code orders}: plenty of everything but the limited edition (about half its orders fail). */
    static Map<String, Integer> stock(int orders) {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (Item i : ITEMS) {
            m.put(i.sku(), i.sku().equals(LIMITED) ? Math.max(3, orders / 16) : orders * 10);
        }
        return m;
    }
}
