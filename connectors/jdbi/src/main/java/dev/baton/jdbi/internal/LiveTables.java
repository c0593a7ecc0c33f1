package dev.baton.jdbi.internal;

import dev.baton.engine.SagaStatus;
import dev.baton.engine.spi.LiveSetting;
import dev.baton.engine.spi.NodeRecord;
import dev.baton.engine.spi.SettingChange;
import dev.baton.engine.spi.VersionCount;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * The statements of what operators change at run time ({@code baton_setting} and its audit trail
 * {@code baton_setting_log}), of the node list ({@code baton_node}) and of the count of unended sagas by definition
 * version. Each method runs inside the caller's transaction. Stateless; thread-safe.
 */
public final class LiveTables {

    private LiveTables() {}

    public static List<LiveSetting> settings(Handle h) {
        return h.createQuery("SELECT kind, target, setting, changed_by, reason, changed_at FROM baton_setting"
                        + " ORDER BY kind, target")
                .map((rs, ctx) -> new LiveSetting(rs.getString("kind"), rs.getString("target"), rs.getString("setting"),
                        rs.getString("changed_by"), rs.getString("reason"), Rows.instant(rs, "changed_at")))
                .list();
    }

    /**
     * Sets or (value null) removes a setting and logs the change. The row is locked first, so two operators changing
     * the same setting at once are logged in order, each with the value the other left.
     */
    public static String change(Handle h, String kind, String target, String value, String actor, String reason,
                                Instant now) {
        Optional<String> before = h.createQuery("SELECT setting FROM baton_setting WHERE kind = :kind AND target = :target"
                        + " FOR UPDATE")
                .bind("kind", kind).bind("target", target).mapTo(String.class).findOne();
        if (value == null) {
            h.createUpdate("DELETE FROM baton_setting WHERE kind = :kind AND target = :target")
                    .bind("kind", kind).bind("target", target).execute();
        } else if (before.isPresent()) {
            h.createUpdate("UPDATE baton_setting SET setting = :value, changed_by = :actor, reason = :reason,"
                            + " changed_at = :now WHERE kind = :kind AND target = :target")
                    .bind("kind", kind).bind("target", target).bind("value", value).bind("actor", actor)
                    .bind("reason", reason).bind("now", Rows.timestamp(now)).execute();
        } else {
            h.createUpdate("INSERT INTO baton_setting (kind, target, setting, changed_by, reason, changed_at)"
                            + " VALUES (:kind, :target, :value, :actor, :reason, :now)")
                    .bind("kind", kind).bind("target", target).bind("value", value).bind("actor", actor)
                    .bind("reason", reason).bind("now", Rows.timestamp(now)).execute();
        }
        h.createUpdate("INSERT INTO baton_setting_log (at, kind, target, before_value, after_value, actor, reason)"
                        + " VALUES (:now, :kind, :target, :before, :after, :actor, :reason)")
                .bind("now", Rows.timestamp(now)).bind("kind", kind).bind("target", target)
                .bind("before", before.orElse(null)).bind("after", value).bind("actor", actor).bind("reason", reason)
                .execute();
        return before.orElse(null);
    }

    public static List<SettingChange> changes(Handle h, int limit) {
        return h.createQuery("SELECT seq, at, kind, target, before_value, after_value, actor, reason"
                        + " FROM baton_setting_log ORDER BY seq DESC LIMIT :limit")
                .bind("limit", limit)
                .map((rs, ctx) -> new SettingChange(rs.getLong("seq"), Rows.instant(rs, "at"), rs.getString("kind"),
                        rs.getString("target"), rs.getString("before_value"), rs.getString("after_value"),
                        rs.getString("actor"), rs.getString("reason")))
                .list();
    }

    public static void heartbeat(Handle h, String node, String definitions, Instant startedAt, Instant now) {
        int updated = h.createUpdate("UPDATE baton_node SET definitions = :definitions, started_at = :started,"
                        + " seen_at = :now WHERE node = :node")
                .bind("node", node).bind("definitions", definitions).bind("started", Rows.timestamp(startedAt))
                .bind("now", Rows.timestamp(now)).execute();
        if (updated == 0) {
            h.createUpdate("INSERT INTO baton_node (node, definitions, started_at, seen_at)"
                            + " VALUES (:node, :definitions, :started, :now)")
                    .bind("node", node).bind("definitions", definitions).bind("started", Rows.timestamp(startedAt))
                    .bind("now", Rows.timestamp(now)).execute();
        }
    }

    public static void leave(Handle h, String node) {
        h.createUpdate("DELETE FROM baton_node WHERE node = :node").bind("node", node).execute();
    }

    public static int forget(Handle h, Instant seenBefore) {
        return h.createUpdate("DELETE FROM baton_node WHERE seen_at < :before").bind("before", Rows.timestamp(seenBefore))
                .execute();
    }

    public static List<NodeRecord> nodes(Handle h) {
        return h.createQuery("SELECT node, definitions, started_at, seen_at FROM baton_node ORDER BY node")
                .map((rs, ctx) -> new NodeRecord(rs.getString("node"), rs.getString("definitions"),
                        Rows.instant(rs, "started_at"), Rows.instant(rs, "seen_at")))
                .list();
    }

    public static List<VersionCount> unendedByVersion(Handle h) {
        return h.createQuery("SELECT type, definition_version, status, current_step, pending_state, COUNT(*) AS n"
                        + " FROM baton_saga WHERE status IN ('RUNNING', 'PENDING', 'COMPENSATING', 'FAILED')"
                        + " GROUP BY type, definition_version, status, current_step, pending_state"
                        + " ORDER BY type, definition_version, status, current_step NULLS FIRST, pending_state NULLS FIRST")
                .map((rs, ctx) -> new VersionCount(rs.getString("type"), rs.getInt("definition_version"),
                        SagaStatus.valueOf(rs.getString("status")), rs.getString("current_step"),
                        rs.getString("pending_state"), rs.getLong("n")))
                .list();
    }
}
