package dev.baton.jdbi.internal;

import dev.baton.engine.spi.FlowCount;
import dev.baton.engine.spi.FlowShare;
import dev.baton.engine.spi.TimerRecord;
import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * The statements of flow control: what is in flight and waiting per participant (counted from the timers that name
 * one), the lease on a participant's waiting commands, and the shared limit in {@code baton_flow}. Each method runs
 * inside the caller's transaction. Stateless; thread-safe.
 */
public final class FlowTables {

    private FlowTables() {}

    private static final RowMapper<FlowCount> COUNT = (rs, ctx) -> new FlowCount(rs.getString("participant"),
            rs.getLong("in_flight"), rs.getLong("waiting"), rs.getLong("ready"), Rows.instantOrNull(rs, "oldest"));

    private static final RowMapper<FlowShare> SHARE = (rs, ctx) -> new FlowShare(rs.getString("participant"),
            rs.getDouble("limit_value"), rs.getLong("answered"), rs.getLong("busy"), rs.getLong("timed_out"),
            rs.getString("leader"), Rows.instantOrNull(rs, "lease_until"));

    /** In flight (TIMEOUT timers) and waiting (WAIT timers) per participant; one indexed scan. */
    public static List<FlowCount> counts(Handle h, Instant now) {
        return h.createQuery("SELECT participant,"
                        + " SUM(CASE WHEN kind = 'TIMEOUT' THEN 1 ELSE 0 END) AS in_flight,"
                        + " SUM(CASE WHEN kind = 'WAIT' THEN 1 ELSE 0 END) AS waiting,"
                        + " SUM(CASE WHEN kind = 'WAIT' AND fire_at <= :now THEN 1 ELSE 0 END) AS ready,"
                        + " MIN(CASE WHEN kind = 'WAIT' THEN fire_at END) AS oldest"
                        + " FROM baton_timer WHERE participant IS NOT NULL GROUP BY participant ORDER BY participant")
                .bind("now", Rows.timestamp(now)).map(COUNT).list();
    }

    /** Leases up to {@code limit} ready, unleased WAIT timers of {@code participant}, earliest first. */
    public static List<TimerRecord> leaseWaiting(Handle h, String participant, Instant now, Instant leaseUntil,
                                                 int limit) {
        List<TimerRecord> ready = h.createQuery("SELECT " + Rows.TIMER_COLUMNS + " FROM baton_timer"
                        + " WHERE participant = :participant AND kind = 'WAIT' AND fire_at <= :now"
                        + " AND (lease_until IS NULL OR lease_until <= :now)"
                        + " ORDER BY fire_at, saga_id, step LIMIT :limit FOR UPDATE SKIP LOCKED")
                .bind("participant", participant).bind("now", Rows.timestamp(now)).bind("limit", limit)
                .map(Rows.TIMER).list();
        if (!ready.isEmpty()) {
            PreparedBatch lease = h.prepareBatch(
                    "UPDATE baton_timer SET lease_until = :until WHERE saga_id = :sagaId AND kind = 'WAIT' AND step = :step");
            for (TimerRecord t : ready) {
                lease.bind("until", Rows.timestamp(leaseUntil)).bind("sagaId", t.sagaId().value()).bind("step", t.step())
                        .add();
            }
            lease.execute();
        }
        return ready;
    }

    /** The participant's shared row, if there is one. */
    public static java.util.Optional<FlowShare> find(Handle h, String participant) {
        return h.createQuery("SELECT participant, limit_value, answered, busy, timed_out, leader, lease_until"
                        + " FROM baton_flow WHERE participant = :participant")
                .bind("participant", participant).map(SHARE).findOne();
    }

    /** Creates the participant's row; fails with a unique violation when another node just did. */
    public static void insert(Handle h, String participant, double limit, Instant now) {
        h.createUpdate("INSERT INTO baton_flow (participant, limit_value, answered, busy, timed_out, updated_at)"
                        + " VALUES (:participant, :limit, 0, 0, 0, :now)")
                .bind("participant", participant).bind("limit", limit).bind("now", Rows.timestamp(now)).execute();
    }

    /** Adds the outcomes and takes or renews the lease when it is free, ended or the node's own. */
    public static void exchange(Handle h, String participant, String node, long answered, long busy, long timedOut,
                                Instant now, Instant leaseUntil) {
        String mine = "(leader IS NULL OR leader = :node OR lease_until IS NULL OR lease_until <= :now)";
        h.createUpdate("UPDATE baton_flow SET answered = answered + :answered, busy = busy + :busy,"
                        + " timed_out = timed_out + :timedOut,"
                        + " lease_until = CASE WHEN " + mine + " THEN :until ELSE lease_until END,"
                        + " leader = CASE WHEN " + mine + " THEN :node ELSE leader END,"
                        + " updated_at = :now WHERE participant = :participant")
                .bind("answered", answered).bind("busy", busy).bind("timedOut", timedOut).bind("node", node)
                .bind("now", Rows.timestamp(now)).bind("until", Rows.timestamp(leaseUntil))
                .bind("participant", participant).execute();
    }

    /** Sets the limit if {@code node} holds the lease; returns whether it did. */
    public static boolean setLimit(Handle h, String participant, String node, double limit, Instant now) {
        return h.createUpdate("UPDATE baton_flow SET limit_value = :limit, updated_at = :now"
                        + " WHERE participant = :participant AND leader = :node AND lease_until > :now")
                .bind("limit", limit).bind("now", Rows.timestamp(now)).bind("participant", participant)
                .bind("node", node).execute() == 1;
    }
}
