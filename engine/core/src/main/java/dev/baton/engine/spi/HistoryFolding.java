package dev.baton.engine.spi;

import dev.baton.engine.HistoryKind;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How a store keeps a saga's history bounded: entries that a park or retry cycle repeats (a command sent again, its
 * busy answer, a time-out, parking and resuming; see {@link #foldable}) are kept for the newest
 * {@value #KEEP_PER_STEP} of each step; older ones are deleted and added to {@link HistoryFold} counters per step and
 * kind. Every other entry (started, a step completed or compensated, an operator's action, the end) is kept, so a
 * saga's history has at most about {@code steps * (KEEP_PER_STEP + 4)} entries plus its operator actions, however
 * long it was parked.
 *
 * <p>A store folds a saga's history at the latest when it writes a version of the saga that is a multiple of
 * {@value #FOLD_EVERY_VERSIONS} ({@link #due}): fewer reads on the write path, at most that many versions' entries
 * above the bound. It may fold more often. Pure and thread-safe.
 *
 * @since 0.5
 */
public final class HistoryFolding {
    /** The foldable entries kept per saga and step, the newest. */
    public static final int KEEP_PER_STEP = 12;
    /** A store folds a saga's history when it writes a version that is a multiple of this. */
    public static final int FOLD_EVERY_VERSIONS = 16;

    private HistoryFolding() {}

    /** True for the kinds a park or retry cycle repeats. */
    public static boolean foldable(HistoryKind kind) {
        return switch (kind) {
            case COMMAND_SENT, COMPENSATION_SENT, REPLY_RECEIVED, TIMED_OUT, RETRY_SCHEDULED, PARKED, RESUMED, NOT_SENT -> true;
            case STARTED, STEP_COMPLETED, STEP_FAILED, GAVE_UP, COMPENSATION_STARTED, STEP_COMPENSATED, COMPENSATION_FAILED,
                 OPERATOR_ACTION, COMPLETED, COMPENSATED, FAILED, STEP_SKIPPED, STEP_DEGRADED -> false;
        };
    }

    /** True when a store writing {@code version} of a saga should fold its history. */
    public static boolean due(long version) {
        return version > 0 && version % FOLD_EVERY_VERSIONS == 0;
    }

    /**
     * What folding removes from one saga's history.
     *
     * @param removed the {@code seq} of each entry to delete
     * @param folds what to add to the saga's counters, one per step and kind
     */
    public record Plan(List<Long> removed, List<HistoryFold> folds) {
        public Plan {
            removed = List.copyOf(removed);
            folds = List.copyOf(folds);
        }

        public boolean isEmpty() {
            return removed.isEmpty();
        }
    }

    /** The plan for {@code history}, one saga's entries oldest first. */
    public static Plan plan(List<HistoryRecord> history) {
        Map<String, Integer> seenPerStep = new HashMap<>();
        List<HistoryRecord> removed = new ArrayList<>();
        for (int i = history.size() - 1; i >= 0; i--) {
            HistoryRecord h = history.get(i);
            if (foldable(h.kind()) && seenPerStep.merge(stepOf(h), 1, Integer::sum) > KEEP_PER_STEP) {
                removed.add(h);
            }
        }
        Map<String, HistoryFold> folds = new LinkedHashMap<>();
        List<Long> seqs = new ArrayList<>(removed.size());
        for (HistoryRecord h : removed.reversed()) {
            seqs.add(h.seq());
            folds.merge(stepOf(h) + '\u0000' + h.kind(), new HistoryFold(stepOf(h), h.kind(), 1, h.at(), h.at()),
                    HistoryFold::plus);
        }
        return new Plan(seqs, new ArrayList<>(folds.values()));
    }

    /** {@code more} added to {@code folds}, per step and kind, in a stable order (step, then kind). */
    public static List<HistoryFold> merge(Collection<HistoryFold> folds, Collection<HistoryFold> more) {
        Map<String, HistoryFold> byKey = new java.util.TreeMap<>();
        for (HistoryFold f : folds) {
            byKey.merge(f.step() + '\u0000' + f.kind(), f, HistoryFold::plus);
        }
        for (HistoryFold f : more) {
            byKey.merge(f.step() + '\u0000' + f.kind(), f, HistoryFold::plus);
        }
        return List.copyOf(byKey.values());
    }

    private static String stepOf(HistoryRecord h) {
        return Objects.requireNonNullElse(h.step(), "");
    }
}
