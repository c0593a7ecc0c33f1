package dev.baton.jdbi.internal;

import dev.baton.engine.spi.OutboxRecord;
import dev.baton.engine.spi.TimerKind;
import dev.baton.engine.spi.TimerRecord;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * Leasing of due timers and outbox rows, so that nodes polling together take disjoint rows: the free rows are read
 * {@code FOR UPDATE SKIP LOCKED} (rows another node is leasing at that moment are skipped, not waited for; a lease
 * committed meanwhile is seen when the row is locked) and their lease is set. Each method runs inside the caller's
 * short transaction. Stateless; thread-safe.
 */
public final class Leases {

    private Leases() {}

    /** Leases up to {@code limit} due, unleased timers of {@code kinds} until {@code leaseUntil}. */
    public static List<TimerRecord> dueTimers(Handle h, Instant now, Set<TimerKind> kinds, Instant leaseUntil,
                                              int limit) {
        List<TimerRecord> due = h.createQuery("SELECT " + Rows.TIMER_COLUMNS + " FROM baton_timer"
                        + " WHERE fire_at <= :now AND kind IN (<kinds>) AND (lease_until IS NULL OR lease_until <= :now)"
                        + " ORDER BY fire_at, saga_id, kind, step LIMIT :limit FOR UPDATE SKIP LOCKED")
                .bind("now", Rows.timestamp(now)).bindList("kinds", kinds.stream().map(Enum::name).sorted().toList())
                .bind("limit", limit).map(Rows.TIMER).list();
        if (!due.isEmpty()) {
            PreparedBatch lease = h.prepareBatch(
                    "UPDATE baton_timer SET lease_until = :until WHERE saga_id = :sagaId AND kind = :kind AND step = :step");
            for (TimerRecord t : due) {
                lease.bind("until", Rows.timestamp(leaseUntil)).bind("sagaId", t.sagaId().value())
                        .bind("kind", t.kind().name()).bind("step", t.step()).add();
            }
            lease.execute();
        }
        return due;
    }

    /**
     * Leases up to {@code limit} unleased outbox rows created before {@code createdBefore}, until {@code leaseUntil}.
     */
    public static List<OutboxRecord> outbox(Handle h, Instant createdBefore, Instant now, Instant leaseUntil,
                                            int limit) {
        List<OutboxRecord> rows = h.createQuery("SELECT " + Rows.OUTBOX_COLUMNS + " FROM baton_outbox"
                        + " WHERE created_at < :before AND (lease_until IS NULL OR lease_until <= :now)"
                        + " ORDER BY created_at, seq LIMIT :limit FOR UPDATE SKIP LOCKED")
                .bind("before", Rows.timestamp(createdBefore)).bind("now", Rows.timestamp(now)).bind("limit", limit)
                .map(Rows.OUTBOX).list();
        List<String> ids = rows.stream().map(OutboxRecord::id).toList();
        for (int from = 0; from < ids.size(); from += Rows.IDS_PER_STATEMENT) {
            h.createUpdate("UPDATE baton_outbox SET lease_until = :until WHERE id IN (<ids>)")
                    .bind("until", Rows.timestamp(leaseUntil))
                    .bindList("ids", ids.subList(from, Math.min(ids.size(), from + Rows.IDS_PER_STATEMENT))).execute();
        }
        return rows;
    }
}
