package dev.baton.jdbi.internal;

import dev.baton.engine.HistoryKind;
import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.SagaStoreException;
import dev.baton.engine.spi.HistoryRecord;
import dev.baton.engine.spi.OutboxRecord;
import dev.baton.engine.spi.SagaRecord;
import dev.baton.engine.spi.TimerKind;
import dev.baton.engine.spi.TimerRecord;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import org.jdbi.v3.core.argument.Argument;
import org.jdbi.v3.core.mapper.RowMapper;

/** Column lists, row mappers and time conversion. Stateless; thread-safe. */
public final class Rows {

    public static final String SAGA_COLUMNS = "id, type, definition_version, status, pending_state, current_step,"
            + " business_key, data_type, data, execution, reason, version, created_at, updated_at";
    public static final String HISTORY_COLUMNS = "seq, saga_id, at, kind, step, detail, payload";
    public static final String OUTBOX_COLUMNS = "id, saga_id, destination, message_id, message_type, headers,"
            + " payload, created_at";
    public static final String TIMER_COLUMNS = "saga_id, kind, step, token, fire_at, participant";
    /** Ids bound per {@code ... WHERE id IN (...)} statement; longer lists take several statements. */
    public static final int IDS_PER_STATEMENT = 500;

    private Rows() {}

    /**
     * Binds an instant as {@code TIMESTAMP WITH TIME ZONE} in UTC, truncated to microseconds: the precision the
     * columns keep. Truncating here (rather than letting the database round) keeps stored values and the values
     * compared in {@code WHERE fire_at = ...} identical.
     */
    public static Argument timestamp(Instant instant) {
        OffsetDateTime value = OffsetDateTime.ofInstant(instant.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC);
        return (position, statement, ctx) -> statement.setObject(position, value);
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        return rs.getObject(column, OffsetDateTime.class).toInstant();
    }

    /** A nullable timestamp column. */
    static Instant instantOrNull(ResultSet rs, String column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    public static final RowMapper<SagaRecord> SAGA = (rs, ctx) -> new SagaRecord(SagaId.of(rs.getString("id")),
            rs.getString("type"), rs.getInt("definition_version"), SagaStatus.valueOf(rs.getString("status")),
            rs.getString("pending_state"), rs.getString("current_step"), rs.getString("business_key"),
            rs.getString("data_type"), rs.getString("data"), rs.getString("execution"), rs.getString("reason"),
            rs.getLong("version"), instant(rs, "created_at"), instant(rs, "updated_at"));

    public static final RowMapper<HistoryRecord> HISTORY = (rs, ctx) -> new HistoryRecord(rs.getLong("seq"),
            SagaId.of(rs.getString("saga_id")), instant(rs, "at"), HistoryKind.valueOf(rs.getString("kind")), rs.getString("step"),
            rs.getString("detail"), rs.getString("payload"));

    public static final RowMapper<OutboxRecord> OUTBOX = (rs, ctx) -> new OutboxRecord(rs.getString("id"),
            SagaId.of(rs.getString("saga_id")), rs.getString("destination"), rs.getString("message_id"),
            rs.getString("message_type"), headers(rs), rs.getString("payload"), instant(rs, "created_at"));

    private static java.util.Map<String, String> headers(ResultSet rs) throws SQLException {
        try {
            return HeaderCodec.decode(rs.getString("headers"));
        } catch (IllegalArgumentException e) {
            throw new SagaStoreException("saga store: outbox row " + rs.getString("id") + " has unreadable headers", e);
        }
    }

    public static final RowMapper<TimerRecord> TIMER = (rs, ctx) -> new TimerRecord(
            SagaId.of(rs.getString("saga_id")), TimerKind.valueOf(rs.getString("kind")), rs.getString("step"),
            rs.getString("token"), instant(rs, "fire_at"), rs.getString("participant"));
}
