package dev.baton.engine.spi;

import java.util.List;
import java.util.Objects;

/**
 * One page of a saga's history ({@link SagaStore#historyPage}).
 *
 * @param items the entries, oldest first
 * @param nextBefore pass it as {@code before} for the page of older entries; null when there are none
 * @since 0.5
 */
public record HistoryPage(List<HistoryRecord> items, Long nextBefore) {
    public HistoryPage {
        items = List.copyOf(Objects.requireNonNull(items, "items"));
    }

    /**
     * The page of {@code history} (all of one saga's entries, oldest first) with entries before {@code before}: the
     * newest {@code limit} of them. For stores that read a saga's whole history at once.
     */
    public static HistoryPage of(List<HistoryRecord> history, long before, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1, but was " + limit);
        }
        List<HistoryRecord> older = history.stream().filter(h -> h.seq() < before).toList();
        List<HistoryRecord> page = older.subList(Math.max(0, older.size() - limit), older.size());
        return new HistoryPage(page, page.size() < older.size() ? page.getFirst().seq() : null);
    }
}
