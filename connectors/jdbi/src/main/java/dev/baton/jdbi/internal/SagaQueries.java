package dev.baton.jdbi.internal;

import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.spi.SagaCount;
import dev.baton.engine.spi.SagaPage;
import dev.baton.engine.spi.SagaQuery;
import dev.baton.engine.spi.SagaRecord;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.function.Consumer;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.argument.Argument;
import org.jdbi.v3.core.statement.Query;

/**
 * The read-only queries behind {@code SagaStore.query} and {@code counts}. The SQL text is assembled only from the
 * fixed fragments below, one per filter present; every value is a bound parameter. Stateless; thread-safe.
 *
 * <p><b>Cursor.</b> Base64url (no padding) of {@code "<epochMicros>:<id>"}: the creation time, in microseconds (the
 * precision of the column), and the id of the last saga on the page. The next page holds the sagas strictly after
 * it in the query's order, {@code created_at DESC, id DESC} (newest first) or {@code created_at ASC, id ASC} (oldest
 * first), so updates never move a saga (created_at is fixed at insert); newest first, sagas created later never
 * shift it either. The cursor does not record the order: it is valid only with the query's order and filters.
 */
public final class SagaQueries {

    /** Sagas that can still change: what {@code stuckBefore} looks at (RUNNING, PENDING, COMPENSATING, FAILED). */
    private static final List<String> NON_TERMINAL = Arrays.stream(SagaStatus.values())
            .filter(s -> !s.isTerminal()).map(SagaStatus::name).toList();

    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private SagaQueries() {}

    /** The position after the last saga of a page: its creation time and id. */
    public record Cursor(Instant createdAt, String id) {

        static Cursor after(SagaRecord last) {
            return new Cursor(last.createdAt(), last.id().value());
        }

        String encode() {
            long micros = Math.addExact(Math.multiplyExact(createdAt.getEpochSecond(), 1_000_000L),
                    createdAt.getNano() / 1_000);
            return ENCODER.encodeToString((micros + ":" + id).getBytes(StandardCharsets.UTF_8));
        }

        /** @throws IllegalArgumentException when {@code token} is not a cursor this store issues */
        public static Cursor decode(String token) {
            try {
                String text = new String(DECODER.decode(token), StandardCharsets.UTF_8);
                int colon = text.indexOf(':');
                if (colon < 1) {
                    throw new IllegalArgumentException("no ':'");
                }
                long micros = Long.parseLong(text, 0, colon, 10);
                String id = SagaId.of(text.substring(colon + 1)).value();
                return new Cursor(Instant.EPOCH.plus(micros, ChronoUnit.MICROS), id);
            } catch (IllegalArgumentException e) { // bad base64, number or id (NumberFormatException is one too)
                throw new IllegalArgumentException("invalid cursor: pass the nextCursor of a previous page unchanged",
                        e);
            }
        }
    }

    /** One page of {@code query}, starting after {@code cursor} (null for the first page). */
    public static SagaPage page(Handle handle, SagaQuery query, Cursor cursor) {
        List<String> where = new ArrayList<>();
        List<Consumer<Query>> binds = new ArrayList<>();
        if (query.type() != null) {
            where.add("type = :type");
            binds.add(q -> q.bind("type", query.type()));
        }
        if (query.status() != null) {
            where.add("status = :status");
            binds.add(q -> q.bind("status", query.status().name()));
        }
        if (query.pendingState() != null) {
            where.add("pending_state = :pendingState");
            binds.add(q -> q.bind("pendingState", query.pendingState()));
        }
        if (query.businessKey() != null) {
            where.add("business_key = :businessKey");
            binds.add(q -> q.bind("businessKey", query.businessKey()));
        }
        if (query.createdFrom() != null) {
            where.add("created_at >= :createdFrom");
            binds.add(q -> q.bind("createdFrom", bound(query.createdFrom())));
        }
        if (query.createdTo() != null) {
            where.add("created_at < :createdTo");
            binds.add(q -> q.bind("createdTo", bound(query.createdTo())));
        }
        if (query.updatedFrom() != null) {
            where.add("updated_at >= :updatedFrom");
            binds.add(q -> q.bind("updatedFrom", bound(query.updatedFrom())));
        }
        if (query.updatedTo() != null) {
            where.add("updated_at < :updatedTo");
            binds.add(q -> q.bind("updatedTo", bound(query.updatedTo())));
        }
        if (query.stuckBefore() != null) {
            where.add("status IN (<nonTerminal>) AND updated_at < :stuckBefore");
            binds.add(q -> q.bindList("nonTerminal", NON_TERMINAL).bind("stuckBefore", bound(query.stuckBefore())));
        }
        boolean oldestFirst = query.order() == SagaQuery.Order.OLDEST_FIRST;
        if (cursor != null) {
            // newest first (created_at, id) < (:c, :id), oldest first (created_at, id) > (:c, :id); written so that
            // created_at <= :c (>= :c) is a plain range on the index
            where.add(oldestFirst
                    ? "created_at >= :afterCreated AND (created_at > :afterCreated OR id > :afterId)"
                    : "created_at <= :afterCreated AND (created_at < :afterCreated OR id < :afterId)");
            binds.add(q -> q.bind("afterCreated", Rows.timestamp(cursor.createdAt())).bind("afterId", cursor.id()));
        }
        // A column fixed by an equality filter leads the ORDER BY: that changes no order, but H2 only reads an index
        // as sorted when the ORDER BY starts with its first column, and so stops after limit + 1 index entries
        // instead of sorting every saga of the type or status. Oldest first, every column's direction flips, the
        // leading one's too, so that the order is exactly the index read backwards: with "type, created_at ASC"
        // H2 sorts the whole type (EXPLAIN ANALYZE: "index sorted: 1 of 3 columns", a scan of every match), with
        // "type DESC, created_at ASC" it reads limit + 1 entries. PostgreSQL reads the index backwards either way.
        String direction = oldestFirst ? " ASC" : " DESC";
        String leading = query.type() != null ? "type" : query.status() != null ? "status" : null;
        String sql = "SELECT " + Rows.SAGA_COLUMNS + " FROM baton_saga"
                + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where))
                + " ORDER BY " + (leading == null ? "" : leading + (oldestFirst ? " DESC, " : ", "))
                + "created_at" + direction + ", id" + direction + " LIMIT :limit";
        Query q = handle.createQuery(sql).bind("limit", query.limit() + 1); // one more: is there a next page?
        binds.forEach(b -> b.accept(q));
        List<SagaRecord> rows = q.map(Rows.SAGA).list();
        if (rows.size() <= query.limit()) {
            return new SagaPage(rows, null);
        }
        List<SagaRecord> items = rows.subList(0, query.limit());
        return new SagaPage(items, Cursor.after(items.get(items.size() - 1)).encode());
    }

    /**
     * Decodes {@link SagaQuery#after()}, null for the first page. Call it before taking a connection, so that a bad
     * cursor fails without database work.
     *
     * @throws IllegalArgumentException when the cursor is not one this store issued
     */
    public static Cursor cursor(SagaQuery query) {
        return query.after() == null ? null : Cursor.decode(query.after());
    }

    /** Counts by type, status and, for PENDING only, pending state. */
    public static List<SagaCount> counts(Handle handle) {
        return handle.createQuery("SELECT type, status, pending, COUNT(*) AS n FROM (SELECT type, status,"
                        + " CASE WHEN status = :pending THEN pending_state END AS pending FROM baton_saga) s"
                        + " GROUP BY type, status, pending ORDER BY type, status, pending")
                .bind("pending", SagaStatus.PENDING.name())
                .map((rs, ctx) -> new SagaCount(rs.getString("type"), SagaStatus.valueOf(rs.getString("status")),
                        rs.getString("pending"), rs.getLong("n")))
                .list();
    }

    /**
     * A filter bound compared with a column that holds microseconds: {@code col >= x} and {@code col < x} hold
     * exactly when they hold for x rounded up to the microsecond, so sub-microsecond digits round up here (where
     * {@link Rows#timestamp} truncates, which is right for the values stored and for {@code <=}).
     */
    private static Argument bound(Instant x) {
        Instant down = x.truncatedTo(ChronoUnit.MICROS);
        return Rows.timestamp(down.equals(x) ? x : down.plus(1, ChronoUnit.MICROS));
    }
}
