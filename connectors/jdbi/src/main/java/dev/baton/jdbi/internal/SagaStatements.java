package dev.baton.jdbi.internal;

import dev.baton.engine.ConcurrentUpdateException;
import dev.baton.engine.SagaId;
import dev.baton.engine.SagaNotFoundException;
import dev.baton.engine.spi.HistoryRecord;
import dev.baton.engine.spi.OutboxRecord;
import dev.baton.engine.spi.SagaRecord;
import dev.baton.engine.spi.TimerRecord;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.SqlStatement;

/**
 * The write statements of a store transaction and how each record binds to them, shared by the one-saga and the
 * many-sagas paths so both write the same columns. Stateless; thread-safe.
 */
final class SagaStatements {

    /** Name of the unique constraint on (type, business_key), see V1__baton_schema.sql. */
    static final String BUSINESS_KEY_CONSTRAINT = "baton_saga_business_key_uq";

    static final String INSERT_SAGA = "INSERT INTO baton_saga (" + Rows.SAGA_COLUMNS + ") VALUES (:id, :type,"
            + " :definitionVersion, :status, :pendingState, :currentStep, :businessKey, :dataType,"
            + " :data, :execution, :reason, :version, :createdAt, :updatedAt)";
    // id, type, business_key and created_at are fixed at insert.
    static final String UPDATE_SAGA = "UPDATE baton_saga SET definition_version = :definitionVersion,"
            + " status = :status, pending_state = :pendingState, current_step = :currentStep,"
            + " data_type = :dataType, data = :data, execution = :execution, reason = :reason,"
            + " version = :version, updated_at = :updatedAt"
            + " WHERE id = :id AND version = :expected";
    static final String INSERT_HISTORY = "INSERT INTO baton_history (saga_id, at, kind, step, detail,"
            + " payload) VALUES (:sagaId, :at, :kind, :step, :detail, :payload)";
    static final String INSERT_OUTBOX = "INSERT INTO baton_outbox (" + Rows.OUTBOX_COLUMNS + ")"
            + " VALUES (:id, :sagaId, :destination, :messageId, :messageType, :headers, :payload, :createdAt)";
    static final String DELETE_TIMER = "DELETE FROM baton_timer WHERE saga_id = :sagaId AND kind = :kind";
    static final String DELETE_STEP_TIMER = "DELETE FROM baton_timer WHERE saga_id = :sagaId AND kind = :kind"
            + " AND step = :step";

    private SagaStatements() {}

    static <S extends SqlStatement<S>> S bindInsert(S statement, SagaRecord saga) {
        return statement
                .bind("id", saga.id().value())
                .bind("type", saga.type())
                .bind("definitionVersion", saga.definitionVersion())
                .bind("status", saga.status().name())
                .bind("pendingState", saga.pendingState())
                .bind("currentStep", saga.currentStep())
                .bind("businessKey", saga.businessKey())
                .bind("dataType", saga.dataType())
                .bind("data", saga.data())
                .bind("execution", saga.execution())
                .bind("reason", saga.reason())
                .bind("version", saga.version())
                .bind("createdAt", Rows.timestamp(saga.createdAt()))
                .bind("updatedAt", Rows.timestamp(saga.updatedAt()));
    }

    static <S extends SqlStatement<S>> S bindUpdate(S statement, SagaRecord saga) {
        return statement
                .bind("definitionVersion", saga.definitionVersion())
                .bind("status", saga.status().name())
                .bind("pendingState", saga.pendingState())
                .bind("currentStep", saga.currentStep())
                .bind("dataType", saga.dataType())
                .bind("data", saga.data())
                .bind("execution", saga.execution())
                .bind("reason", saga.reason())
                .bind("version", saga.version())
                .bind("updatedAt", Rows.timestamp(saga.updatedAt()))
                .bind("id", saga.id().value())
                .bind("expected", saga.version() - 1);
    }

    static void bindHistory(PreparedBatch batch, HistoryRecord h) {
        batch.bind("sagaId", h.sagaId().value()).bind("at", Rows.timestamp(h.at())).bind("kind", h.kind().name())
                .bind("step", h.step()).bind("detail", h.detail()).bind("payload", h.payload()).add();
    }

    static void bindOutbox(PreparedBatch batch, OutboxRecord m) {
        batch.bind("id", m.id()).bind("sagaId", m.sagaId().value()).bind("destination", m.destination())
                .bind("messageId", m.messageId()).bind("messageType", m.messageType())
                .bind("headers", HeaderCodec.encode(m.headers())).bind("payload", m.payload())
                .bind("createdAt", Rows.timestamp(m.createdAt())).add();
    }

    static <S extends SqlStatement<S>> S bindTimer(S statement, TimerRecord timer) {
        return statement.bind("sagaId", timer.sagaId().value()).bind("kind", timer.kind().name())
                .bind("step", timer.step() == null ? "" : timer.step()).bind("token", timer.token()).bind("fireAt", Rows.timestamp(timer.fireAt()))
                .bind("participant", timer.participant());
    }

    /** Why an update of {@code saga} matched no row: another writer got there first, or the saga does not exist. */
    static RuntimeException lostUpdate(Handle handle, SagaRecord saga) {
        if (exists(handle, saga.id())) {
            return new ConcurrentUpdateException(saga.id(), saga.version() - 1);
        }
        return new SagaNotFoundException(saga.id());
    }

    private static boolean exists(Handle handle, SagaId id) {
        try {
            return handle.createQuery("SELECT COUNT(*) FROM baton_saga WHERE id = :id").bind("id", id.value())
                    .mapTo(Integer.class).one() > 0;
        } catch (JdbiException e) {
            throw SqlErrors.failure("update of saga " + id + " (existence check)", e);
        }
    }
}
