package dev.baton.participant.internal;

import dev.baton.participant.Disposition;
import dev.baton.participant.RecordedReply;
import dev.baton.protocol.CommandKind;
import dev.baton.protocol.ReplyOutcome;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.argument.Argument;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * The SQL of the idempotency store: tables {@code baton_participant_inbox} and {@code baton_participant_step}. Every
 * method runs on the handle given, inside whatever transaction it is in. Stateless; thread-safe.
 */
public final class Inbox {
    private Inbox() {}

    /** Where a step's compensation stands, as far as this participant answered it. */
    public enum CompensationState {
        /** No compensation answered with a final outcome yet. */
        NONE,
        /** Compensations so far answered FAILURE. */
        FAILED,
        /** A compensation answered SUCCESS: the step is undone (or had nothing to undo). */
        DONE
    }

    /**
     * What the participant knows about one saga step.
     *
     * @param forwardMessageId the forward invocation that succeeded, or null
     * @param compensationMessageId the compensation that set {@code compensation}, or null for NONE
     */
    public record StepState(String forwardMessageId, CompensationState compensation, String compensationMessageId) {
        /** A step this participant has not answered anything for. */
        public static final StepState NEW = new StepState(null, CompensationState.NONE, null);
    }

    private static final String INBOX_COLUMNS = "participant, message_id, saga_id, step, kind, message_type, outcome,"
            + " disposition, reply_type, reply_payload, reason, handled_at";

    /** The recorded answer to {@code messageId}, if any. */
    public static Optional<RecordedReply> find(Handle h, String participant, String messageId) {
        return h.createQuery("SELECT " + INBOX_COLUMNS + " FROM baton_participant_inbox"
                        + " WHERE participant = :participant AND message_id = :messageId")
                .bind("participant", participant).bind("messageId", messageId)
                .map(Inbox::recorded).findOne();
    }

    /**
     * Creates the step's row, as it stands before any answer; the row stays invisible to other transactions, and
     * theirs to insert it wait, until this transaction ends. Fails with a unique violation when another transaction
     * created it first (a racing delivery of the same step): run the whole transaction again.
     */
    public static void insertStep(Handle h, String participant, String sagaId, String step, Instant now) {
        h.createUpdate("INSERT INTO baton_participant_step (participant, saga_id, step, compensation_state, updated_at)"
                        + " VALUES (:participant, :sagaId, :step, 'NONE', :now)")
                .bind("participant", participant).bind("sagaId", sagaId).bind("step", step)
                .bind("now", timestamp(now)).execute();
    }

    /**
     * Locks the step's row until the transaction ends and reads it; waits while another transaction holds it.
     * Empty when the row does not exist, or exists only uncommitted in another transaction.
     */
    public static Optional<StepState> lockStep(Handle h, String participant, String sagaId, String step) {
        return h.createQuery("SELECT forward_message_id, compensation_state, compensation_message_id"
                        + " FROM baton_participant_step"
                        + " WHERE participant = :participant AND saga_id = :sagaId AND step = :step FOR UPDATE")
                .bind("participant", participant).bind("sagaId", sagaId).bind("step", step)
                .map((rs, ctx) -> new StepState(rs.getString(1), CompensationState.valueOf(rs.getString(2)), rs.getString(3)))
                .findOne();
    }

    /** Records an answer. The caller holds the step's lock and has checked that the message id is not recorded. */
    public static void insert(Handle h, RecordedReply r) {
        h.createUpdate("INSERT INTO baton_participant_inbox (" + INBOX_COLUMNS + ") VALUES (:participant, :messageId,"
                        + " :sagaId, :step, :kind, :messageType, :outcome, :disposition, :replyType, :replyPayload,"
                        + " :reason, :handledAt)")
                .bind("participant", r.participant()).bind("messageId", r.messageId()).bind("sagaId", r.sagaId())
                .bind("step", r.step()).bind("kind", r.kind().wireValue()).bind("messageType", r.messageType())
                .bind("outcome", r.outcome().name()).bind("disposition", r.disposition().name())
                .bind("replyType", r.replyType()).bind("replyPayload", r.replyPayload()).bind("reason", r.reason())
                .bind("handledAt", timestamp(r.handledAt()))
                .execute();
    }

    /** Notes that the forward invocation {@code messageId} of the step succeeded. */
    public static void forwardSucceeded(Handle h, String participant, String sagaId, String step, String messageId,
                                        Instant now) {
        h.createUpdate("UPDATE baton_participant_step SET forward_message_id = :messageId, updated_at = :now"
                        + " WHERE participant = :participant AND saga_id = :sagaId AND step = :step")
                .bind("participant", participant).bind("sagaId", sagaId).bind("step", step)
                .bind("messageId", messageId).bind("now", timestamp(now)).execute();
    }

    /** Moves the step's compensation to {@code state}, set by {@code messageId}. */
    public static void compensation(Handle h, String participant, String sagaId, String step, CompensationState state,
                                    String messageId, Instant now) {
        h.createUpdate("UPDATE baton_participant_step SET compensation_state = :state,"
                        + " compensation_message_id = :messageId, updated_at = :now"
                        + " WHERE participant = :participant AND saga_id = :sagaId AND step = :step")
                .bind("participant", participant).bind("sagaId", sagaId).bind("step", step)
                .bind("state", state.name()).bind("messageId", messageId).bind("now", timestamp(now)).execute();
    }

    /** Deletes records and step rows last written before {@code before}; returns the number of records deleted. */
    public static int purge(Handle h, Instant before) {
        int records = h.createUpdate("DELETE FROM baton_participant_inbox WHERE handled_at < :before")
                .bind("before", timestamp(before)).execute();
        h.createUpdate("DELETE FROM baton_participant_step WHERE updated_at < :before")
                .bind("before", timestamp(before)).execute();
        return records;
    }

    /**
     * An instant bound as {@code TIMESTAMP WITH TIME ZONE}: UTC, truncated to microseconds, through
     * {@code setObject(OffsetDateTime)} so no driver converts it through the JVM's time zone.
     */
    public static Argument timestamp(Instant i) {
        OffsetDateTime value = OffsetDateTime.ofInstant(i.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC);
        return (position, statement, ctx) -> statement.setObject(position, value);
    }

    private static RecordedReply recorded(ResultSet rs, StatementContext ctx) throws SQLException {
        return new RecordedReply(rs.getString("participant"), rs.getString("message_id"), rs.getString("saga_id"),
                rs.getString("step"), kind(rs.getString("kind")), rs.getString("message_type"),
                ReplyOutcome.valueOf(rs.getString("outcome")), Disposition.valueOf(rs.getString("disposition")),
                rs.getString("reply_type"), rs.getString("reply_payload"), rs.getString("reason"),
                rs.getObject("handled_at", OffsetDateTime.class).toInstant());
    }

    private static CommandKind kind(String wire) {
        for (CommandKind k : CommandKind.values()) {
            if (k.wireValue().equals(wire)) {
                return k;
            }
        }
        throw new IllegalStateException("baton_participant_inbox holds an unknown kind '" + wire + "'");
    }
}
