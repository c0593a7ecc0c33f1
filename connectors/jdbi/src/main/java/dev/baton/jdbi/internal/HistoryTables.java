package dev.baton.jdbi.internal;

import dev.baton.engine.HistoryKind;
import dev.baton.engine.SagaId;
import dev.baton.engine.spi.HistoryFold;
import dev.baton.engine.spi.HistoryFolding;
import dev.baton.engine.spi.HistoryPage;
import dev.baton.engine.spi.HistoryRecord;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.mapper.RowMapper;

/**
 * A saga's history beyond appending: pages of it, and folding repeated entries into {@code baton_history_fold}
 * ({@link HistoryFolding}). Each method runs on the caller's handle; {@link #fold} inside the transaction that holds
 * the saga's row. Stateless; thread-safe.
 */
public final class HistoryTables {

    private static final RowMapper<HistoryFold> FOLD = (rs, ctx) -> new HistoryFold(rs.getString("step"),
            HistoryKind.valueOf(rs.getString("kind")), rs.getLong("folded"), Rows.instant(rs, "first_at"),
            Rows.instant(rs, "last_at"));
    /** What folding needs of a row: not its detail. */
    private static final RowMapper<HistoryRecord> FOLD_INPUT = (rs, ctx) -> new HistoryRecord(rs.getLong("seq"),
            SagaId.of(rs.getString("saga_id")), Rows.instant(rs, "at"), HistoryKind.valueOf(rs.getString("kind")),
            rs.getString("step"), null);

    private HistoryTables() {}

    /** The newest {@code limit} entries before {@code before}, oldest first; one query over the saga's index. */
    public static HistoryPage page(Handle h, SagaId id, long before, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1, but was " + limit);
        }
        List<HistoryRecord> newestFirst = new ArrayList<>(h.createQuery("SELECT " + Rows.HISTORY_COLUMNS
                        + " FROM baton_history WHERE saga_id = :id AND seq < :before ORDER BY seq DESC LIMIT :limit")
                .bind("id", id.value()).bind("before", before).bind("limit", limit + 1).map(Rows.HISTORY).list());
        boolean more = newestFirst.size() > limit;
        List<HistoryRecord> page = newestFirst.subList(0, Math.min(limit, newestFirst.size()));
        Collections.reverse(page);
        return new HistoryPage(page, more ? page.getFirst().seq() : null);
    }

    /** The saga's fold counters, by step and kind. */
    public static List<HistoryFold> folds(Handle h, SagaId id) {
        return h.createQuery("SELECT step, kind, folded, first_at, last_at FROM baton_history_fold WHERE saga_id = :id"
                + " ORDER BY step, kind").bind("id", id.value()).map(FOLD).list();
    }

    /**
     * Folds the saga's repeated history entries: deletes those beyond the newest {@link HistoryFolding#KEEP_PER_STEP}
     * per step and adds them to its counters. Call it holding the saga's row (after its update), so that two folds of
     * one saga never run at once.
     *
     * @return how many entries were folded
     */
    public static int fold(Handle h, SagaId id) {
        List<HistoryRecord> rows = h.createQuery("SELECT seq, saga_id, at, kind, step FROM baton_history"
                + " WHERE saga_id = :id ORDER BY seq").bind("id", id.value()).map(FOLD_INPUT).list();
        HistoryFolding.Plan plan = HistoryFolding.plan(rows);
        if (plan.isEmpty()) {
            return 0;
        }
        List<Long> seqs = plan.removed();
        for (int from = 0; from < seqs.size(); from += Rows.IDS_PER_STATEMENT) {
            h.createUpdate("DELETE FROM baton_history WHERE seq IN (<seqs>)")
                    .bindList("seqs", seqs.subList(from, Math.min(seqs.size(), from + Rows.IDS_PER_STATEMENT))).execute();
        }
        for (HistoryFold f : plan.folds()) {
            int updated = h.createUpdate("UPDATE baton_history_fold SET folded = folded + :n,"
                            + " first_at = CASE WHEN first_at < :first THEN first_at ELSE :first END,"
                            + " last_at = CASE WHEN last_at > :last THEN last_at ELSE :last END"
                            + " WHERE saga_id = :id AND step = :step AND kind = :kind")
                    .bind("n", f.count()).bind("first", Rows.timestamp(f.firstAt())).bind("last", Rows.timestamp(f.lastAt()))
                    .bind("id", id.value()).bind("step", f.step()).bind("kind", f.kind().name()).execute();
            if (updated == 0) {
                h.createUpdate("INSERT INTO baton_history_fold (saga_id, step, kind, folded, first_at, last_at)"
                                + " VALUES (:id, :step, :kind, :n, :first, :last)")
                        .bind("id", id.value()).bind("step", f.step()).bind("kind", f.kind().name()).bind("n", f.count())
                        .bind("first", Rows.timestamp(f.firstAt())).bind("last", Rows.timestamp(f.lastAt())).execute();
            }
        }
        return seqs.size();
    }
}
