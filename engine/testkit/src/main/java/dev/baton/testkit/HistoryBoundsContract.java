package dev.baton.testkit;

import static dev.baton.testkit.StoreKitFixtures.at;
import static dev.baton.testkit.StoreKitFixtures.history;
import static dev.baton.testkit.StoreKitFixtures.moved;
import static dev.baton.testkit.StoreKitFixtures.saga;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.engine.HistoryKind;
import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.spi.HistoryFold;
import dev.baton.engine.spi.HistoryFolding;
import dev.baton.engine.spi.HistoryPage;
import dev.baton.engine.spi.HistoryRecord;
import dev.baton.engine.spi.SagaRecord;
import dev.baton.engine.spi.SagaWrite;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The {@link dev.baton.engine.spi.SagaStore} contract, part 12: a bounded history (repeated entries folded into
 * counters, {@link HistoryFolding}), pages of it, and the purge of FAILED sagas. The {@link SagaStoreCompatibilityKit}
 * runs it as a {@code @Nested} group.
 */
abstract class HistoryBoundsContract extends StoreContract {

    private static final String STEP = "reserve-credit";
    private static final List<String> CYCLE = List.of("RESUMED", "COMMAND_SENT", "REPLY_RECEIVED", "PARKED");
    private static final int CYCLES = 200;

    @Test
    @DisplayName("a saga parked and resumed 200 times keeps a bounded history; the folded counters add up to what was written")
    void foldsRepeatedCycles() {
        SagaRecord a = saga("f-a");
        SagaRecord b = saga("f-b");
        insert(a, b);
        tx(t -> {
            t.appendHistory(List.of(history("f-a", 0, "STARTED", null, "v1"), history("f-b", 0, "STARTED", null, "v1")));
            return null;
        });
        for (int i = 1; i <= CYCLES; i++) {
            SagaRecord nextA = moved(a, SagaStatus.PENDING, "BUSY", at(i));
            SagaRecord nextB = moved(b, SagaStatus.PENDING, "BUSY", at(i));
            List<HistoryRecord> ha = cycle("f-a", i);
            List<HistoryRecord> hb = cycle("f-b", i);
            if (i % 2 == 0) { // one saga at a time, then several at once: both write paths fold
                tx(t -> {
                    t.update(nextA);
                    t.appendHistory(ha);
                    t.update(nextB);
                    t.appendHistory(hb);
                    return null;
                });
            } else {
                tx(t -> {
                    t.writeAll(List.of(write(nextA, ha), write(nextB, hb)));
                    return null;
                });
            }
            a = nextA;
            b = nextB;
        }

        for (String id : List.of("f-a", "f-b")) {
            List<HistoryRecord> kept = theStore().history(SagaId.of(id));
            int bound = 1 + HistoryFolding.KEEP_PER_STEP + CYCLE.size() * HistoryFolding.FOLD_EVERY_VERSIONS;
            assertThat(kept).as(id + ": at most the milestones, %d per step and what the last %d versions wrote",
                    HistoryFolding.KEEP_PER_STEP, HistoryFolding.FOLD_EVERY_VERSIONS).hasSizeLessThanOrEqualTo(bound);
            assertThat(kept.getFirst().kind()).as("milestones are never folded").isEqualTo(HistoryKind.STARTED);
            assertThat(kept.getLast().detail()).as("the newest entry is kept").isEqualTo("cycle " + CYCLES + " PARKED");
            assertThat(kept).extracting(HistoryRecord::seq).isSorted();

            List<HistoryFold> folds = theStore().historyFolds(SagaId.of(id));
            Map<HistoryKind, Long> keptByKind = kept.stream().filter(h -> STEP.equals(h.step()))
                    .collect(Collectors.groupingBy(HistoryRecord::kind, Collectors.counting()));
            for (String kind : CYCLE) {
                HistoryKind k = HistoryKind.valueOf(kind);
                long folded = folds.stream().filter(f -> f.kind() == k && f.step().equals(STEP))
                        .mapToLong(HistoryFold::count).sum();
                assertThat(folded + keptByKind.getOrDefault(k, 0L)).as(id + " " + kind + ": kept + folded").isEqualTo(CYCLES);
            }
            HistoryFold resumed = folds.stream().filter(f -> f.kind() == HistoryKind.RESUMED).findFirst().orElseThrow();
            assertThat(resumed.firstAt()).as("the first folded entry's time").isEqualTo(at(1));
            assertThat(resumed.lastAt()).isBefore(at(CYCLES));
        }

        SagaRecord ended = moved(a, SagaStatus.COMPLETED, null, at(CYCLES + 1));
        tx(t -> {
            t.update(ended);
            return null;
        });
        assertThat(theStore().purgeEnded(at(CYCLES + 2), 10)).isEqualTo(1);
        assertThat(theStore().historyFolds(SagaId.of("f-a"))).as("purged with the saga").isEmpty();
        assertThat(theStore().historyFolds(SagaId.of("f-b"))).isNotEmpty();
    }

    @Test
    @DisplayName("a history that never repeats past the bound is kept whole, with no counters")
    void shortHistoryIsKept() {
        insert(saga("f-short"));
        List<HistoryRecord> written = new ArrayList<>();
        written.add(history("f-short", 0, "STARTED", null, null));
        for (int attempt = 1; attempt <= 3; attempt++) {
            written.add(history("f-short", attempt, "COMMAND_SENT", STEP, "attempt " + attempt));
            written.add(history("f-short", attempt, "REPLY_RECEIVED", STEP, "RETRY_LATER"));
            written.add(history("f-short", attempt, "RETRY_SCHEDULED", STEP, null));
        }
        written.add(history("f-short", 9, "STEP_COMPLETED", STEP, null));
        SagaRecord s = saga("f-short");
        for (int v = 2; v <= HistoryFolding.FOLD_EVERY_VERSIONS; v++) {
            SagaRecord next = moved(s, SagaStatus.RUNNING, null, at(v));
            List<HistoryRecord> entries = v == 2 ? written : List.of();
            tx(t -> {
                t.update(next);
                t.appendHistory(entries);
                return null;
            });
            s = next;
        }
        assertThat(withoutSeq(theStore().history(SagaId.of("f-short")))).containsExactlyElementsOf(written);
        assertThat(theStore().historyFolds(SagaId.of("f-short"))).isEmpty();
    }

    @Test
    @DisplayName("historyPage pages backwards from the newest entry: oldest first within a page, a cursor to the older ones")
    void pages() {
        insert(saga("p-a"), saga("p-b"));
        tx(t -> {
            List<HistoryRecord> entries = new ArrayList<>();
            for (int i = 0; i < 25; i++) {
                entries.add(history("p-a", i, "OPERATOR_ACTION", "s" + i, "action " + i));
                entries.add(history("p-b", i, "OPERATOR_ACTION", "s" + i, "other " + i));
            }
            t.appendHistory(entries);
            return null;
        });
        List<HistoryRecord> all = theStore().history(SagaId.of("p-a"));
        HistoryPage latest = theStore().historyPage(SagaId.of("p-a"), Long.MAX_VALUE, 10);
        assertThat(latest.items()).containsExactlyElementsOf(all.subList(15, 25));
        assertThat(latest.nextBefore()).isEqualTo(all.get(15).seq());
        HistoryPage middle = theStore().historyPage(SagaId.of("p-a"), latest.nextBefore(), 10);
        assertThat(middle.items()).containsExactlyElementsOf(all.subList(5, 15));
        HistoryPage oldest = theStore().historyPage(SagaId.of("p-a"), middle.nextBefore(), 10);
        assertThat(oldest.items()).containsExactlyElementsOf(all.subList(0, 5));
        assertThat(oldest.nextBefore()).as("no older entries").isNull();
        assertThat(theStore().historyPage(SagaId.of("p-a"), Long.MAX_VALUE, 25).nextBefore()).isNull();
        assertThat(theStore().historyPage(SagaId.of("p-none"), Long.MAX_VALUE, 10).items()).isEmpty();
    }

    @Test
    @DisplayName("purgeFailed deletes only FAILED sagas changed before the cut-off, with their history")
    void purgeFailed() {
        insert(saga("x-failed-old", ORDER, SagaStatus.FAILED, null, "x-1", at(1), at(10)),
                saga("x-failed-new", ORDER, SagaStatus.FAILED, null, "x-2", at(2), at(100)),
                saga("x-done-old", ORDER, SagaStatus.COMPLETED, null, "x-3", at(3), at(10)),
                saga("x-running", ORDER, SagaStatus.RUNNING, null, "x-4", at(4), at(5)));
        tx(t -> {
            t.appendHistory(List.of(history("x-failed-old", 1, "FAILED", null, "no"), history("x-done-old", 1, "COMPLETED", null, null)));
            return null;
        });
        assertThat(theStore().purgeFailed(at(50), 10)).isEqualTo(1);
        assertThat(theStore().find(SagaId.of("x-failed-old"))).isEmpty();
        assertThat(theStore().history(SagaId.of("x-failed-old"))).isEmpty();
        for (String kept : Set.of("x-failed-new", "x-done-old", "x-running")) {
            assertThat(theStore().find(SagaId.of(kept))).as(kept).isPresent();
        }
        assertThat(theStore().purgeFailed(at(50), 10)).isZero();
    }

    private static List<HistoryRecord> cycle(String id, int i) {
        return CYCLE.stream().map(k -> history(id, i, k, STEP, "cycle " + i + " " + k)).toList();
    }

    private static SagaWrite write(SagaRecord saga, List<HistoryRecord> history) {
        return new SagaWrite(saga, false, history, List.of(), Set.of(), List.of());
    }
}
