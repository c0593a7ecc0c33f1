package dev.baton.engine.spi;

import dev.baton.engine.HistoryKind;
import java.time.Instant;
import java.util.Objects;

/**
 * History entries a store folded away: how many of one kind, for one step of one saga, and when the first and the
 * last of them happened. The entries themselves are gone; see {@link HistoryFolding}.
 *
 * @param step the step, or the empty string for entries that named none
 * @param kind one of the {@linkplain HistoryFolding#foldable foldable} kinds
 * @param count how many entries were folded, at least 1
 * @since 0.5
 */
public record HistoryFold(String step, HistoryKind kind, long count, Instant firstAt, Instant lastAt) {
    public HistoryFold {
        Objects.requireNonNull(step, "step");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(firstAt, "firstAt");
        Objects.requireNonNull(lastAt, "lastAt");
        if (count < 1) {
            throw new IllegalArgumentException("count must be >= 1, but was " + count);
        }
    }

    /** This fold and {@code more} of the same step and kind, added up. */
    public HistoryFold plus(HistoryFold more) {
        if (!step.equals(more.step) || kind != more.kind) {
            throw new IllegalArgumentException("cannot add a fold of " + more.step + "/" + more.kind + " to " + step + "/" + kind);
        }
        return new HistoryFold(step, kind, count + more.count, firstAt.isBefore(more.firstAt) ? firstAt : more.firstAt,
                lastAt.isAfter(more.lastAt) ? lastAt : more.lastAt);
    }
}
