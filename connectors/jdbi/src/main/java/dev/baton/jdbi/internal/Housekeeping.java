package dev.baton.jdbi.internal;

import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * Removal of what the engine no longer needs: sent outbox rows, old inbox ids, ended sagas with their history and
 * timers. Each method runs on the caller's handle, inside the caller's transaction where it says so. Stateless;
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

    /**
     * Deletes up to {@code limit} sagas that ended before {@code endedBefore}, with their history and timers; in one
     * short transaction per call.
     *
     * @return how many sagas were deleted
     */
    public static int purgeEnded(Handle h, Instant endedBefore, int limit) {
        // baton_saga_status_ix (status, updated_at, id) finds the rows
        List<String> ids = h.createQuery("SELECT id FROM baton_saga WHERE status IN ('COMPLETED', 'COMPENSATED')"
                        + " AND updated_at < :before ORDER BY updated_at, id LIMIT :limit")
                .bind("before", Rows.timestamp(endedBefore)).bind("limit", limit).mapTo(String.class).list();
        if (ids.isEmpty()) {
            return 0;
        }
        h.createUpdate("DELETE FROM baton_history WHERE saga_id IN (<ids>)").bindList("ids", ids).execute();
        h.createUpdate("DELETE FROM baton_timer WHERE saga_id IN (<ids>)").bindList("ids", ids).execute();
        // the status again: a saga cannot leave a terminal status, but the check costs nothing
        return h.createUpdate("DELETE FROM baton_saga WHERE id IN (<ids>) AND status IN ('COMPLETED', 'COMPENSATED')")
                .bindList("ids", ids).execute();
    }
}
