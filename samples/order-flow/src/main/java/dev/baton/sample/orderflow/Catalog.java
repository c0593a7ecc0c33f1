package dev.baton.sample.orderflow;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What the shop sells. One item is a limited edition that runs out during the run. */
final class Catalog {
    private Catalog() {}

    record Item(String sku, long priceCents) {}

    static final List<Item> ITEMS = List.of(new Item("tee", 1_900), new Item("hoodie", 4_900), new Item("mug", 1_200),
            new Item("cap", 2_200), new Item("limited-sneaker", 14_900));

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
