package dev.baton.jdbi.internal;

import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * Removal of what the engine no longer needs: sent outbox rows, old inbox ids, ended (or failed) sagas with their
 * history and timers. Each method runs on the caller's handle, inside the caller's transaction where it says so. Stateless;
 * thread-safe.
 */
public final class Housekeeping {

    private Housekeeping() {}

    /** Deletes the outbox rows with these ids, {@link Rows#IDS_PER_STATEMENT} per statement; in a transaction. */
    public static void deleteOutbox(Handle h, List<String> ids) {
        for (int from = 0; from < ids.size(); from += Rows.IDS_PER_STATEMENT) {
            h.createUpdate("DELETE FROM baton_outbox WHERE id IN (<ids>)")
                    .bindList("ids", ids.subList(from, Math.min(ids.size(), from + Rows.IDS_PER_STATEMENT))).execute();
        }
    }

    /** Deletes the inbox ids received before {@code before}; one statement. */
    public static int purgeInbox(Handle h, Instant before) {
        return h.createUpdate("DELETE FROM baton_inbox WHERE received_at < :before")
                .bind("before", Rows.timestamp(before)).execute();
    }

    /** The statuses of ended sagas, for {@link #purgeSagas}. */
    public static final List<String> ENDED = List.of("COMPLETED", "COMPENSATED");
    /** The status of failed sagas, for {@link #purgeSagas}. */
    public static final List<String> FAILED = List.of("FAILED");

    /**
     * Deletes up to {@code limit} sagas in one of {@code statuses} last changed before {@code before}, the oldest
     * first, with their history, folded history counters and timers; in one short transaction per call.
     *
     * @return how many sagas were deleted
     */
    public static int purgeSagas(Handle h, List<String> statuses, Instant before, int limit) {
        // baton_saga_status_ix (status, updated_at, id) finds the rows
        List<String> ids = h.createQuery("SELECT id FROM baton_saga WHERE status IN (<statuses>)"
                        + " AND updated_at < :before ORDER BY updated_at, id LIMIT :limit")
                .bindList("statuses", statuses).bind("before", Rows.timestamp(before)).bind("limit", limit)
                .mapTo(String.class).list();
        if (ids.isEmpty()) {
            return 0;
        }
        h.createUpdate("DELETE FROM baton_history WHERE saga_id IN (<ids>)").bindList("ids", ids).execute();
        h.createUpdate("DELETE FROM baton_history_fold WHERE saga_id IN (<ids>)").bindList("ids", ids).execute();
        h.createUpdate("DELETE FROM baton_timer WHERE saga_id IN (<ids>)").bindList("ids", ids).execute();
        // the status again: an operator may have acted on a FAILED saga since it was read
        return h.createUpdate("DELETE FROM baton_saga WHERE id IN (<ids>) AND status IN (<statuses>)")
                .bindList("ids", ids).bindList("statuses", statuses).execute();
    }
}
