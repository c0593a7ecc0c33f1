package dev.baton.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.engine.SagaId;
import dev.baton.engine.spi.HistoryFold;
import dev.baton.engine.spi.HistoryPage;
import dev.baton.engine.spi.HistoryRecord;
import dev.baton.engine.spi.SagaStore;
import java.time.Instant;
import java.util.List;

/**
 * A saga's history as the API shows it: one page of entries, newest page first, and the counters of entries the store
 * folded away ({@link dev.baton.engine.spi.HistoryFolding}). Stateless.
 *
 * @param items the entries of the page, oldest first
 * @param nextBefore pass it as {@code before} for the page of older entries; null when there are none
 * @param folded entries folded away, per step and kind
 * @since 0.5
 */
public record HistoryView(List<Entry> items, Long nextBefore, List<Folded> folded) {
    /** The default and largest page of {@code GET /api/sagas/{id}/history}. */
    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 1000;
    /** The page in a saga's detail ({@code GET /api/sagas/{id}}). */
    public static final int DETAIL_LIMIT = 20;

    /**
     * One history entry; {@code payload} is the command sent or the reply received the entry is about, with the
     * redacted fields masked, or null.
     */
    public record Entry(long seq, Instant at, String kind, String step, String detail, JsonNode payload) {
        static Entry of(HistoryRecord r, Redaction redaction) {
            return new Entry(r.seq(), r.at(), r.kind().name(), r.step(), r.detail(), redaction.payload(r.payload()));
        }
    }

    /** Entries folded away: how many of one kind for one step ({@code null} when they named none), first and last. */
    public record Folded(String step, String kind, long count, Instant firstAt, Instant lastAt) {
        static Folded of(HistoryFold f) {
            return new Folded(f.step().isEmpty() ? null : f.step(), f.kind().name(), f.count(), f.firstAt(), f.lastAt());
        }
    }

    static HistoryView of(HistoryPage page, List<HistoryFold> folds, Redaction redaction) {
        return new HistoryView(page.items().stream().map(r -> Entry.of(r, redaction)).toList(), page.nextBefore(),
                folds.stream().map(Folded::of).toList());
    }

    /** Reads a page and the counters from the store. */
    static HistoryView read(SagaStore store, SagaId id, long before, int limit, Redaction redaction) {
        return of(store.historyPage(id, before, limit), store.historyFolds(id), redaction);
    }
}
