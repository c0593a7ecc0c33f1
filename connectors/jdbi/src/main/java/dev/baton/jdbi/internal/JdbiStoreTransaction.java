package dev.baton.jdbi.internal;

import dev.baton.engine.DuplicateBusinessKeyException;
import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStoreException;
import dev.baton.engine.spi.HistoryFolding;
import dev.baton.engine.spi.HistoryRecord;
import dev.baton.engine.spi.OutboxRecord;
import dev.baton.engine.spi.SagaRecord;
import dev.baton.engine.spi.SagaWrite;
import dev.baton.engine.spi.StoreTransaction;
import dev.baton.engine.spi.TimerKind;
import dev.baton.engine.spi.TimerRecord;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * The {@link StoreTransaction} over one JDBI {@link Handle} inside a database transaction. Every SQL failure
 * becomes a {@link dev.baton.engine.SagaException}. Not thread-safe: valid only on the thread that runs the
 * transaction and only until {@link #end()}; any later call throws {@link IllegalStateException}.
 */
public final class JdbiStoreTransaction implements StoreTransaction {

    private final Handle handle;
    private final Dialect dialect;
    private final Thread owner = Thread.currentThread();
    private final BatchWrites batches;
    private boolean ended;

    public JdbiStoreTransaction(Handle handle, Dialect dialect) {
        this.handle = handle;
        this.dialect = dialect;
        this.batches = new BatchWrites(handle, dialect);
    }

    /** Called when the transaction's work returns or throws; afterwards every call fails. */
    public void end() {
        ended = true;
    }

    private void checkUsable() {
        if (ended) {
            throw new IllegalStateException("this StoreTransaction has ended: it is valid only inside the"
                    + " SagaStore.inTransaction call that created it");
        }
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException("this StoreTransaction belongs to thread '" + owner.getName()
                    + "' but was used from thread '" + Thread.currentThread().getName() + "'");
        }
    }

    @Override
    public boolean markReceived(String messageId, Instant at) {
        checkUsable();
        Objects.requireNonNull(messageId, "messageId");
        Objects.requireNonNull(at, "at");
        try {
            return handle.createUpdate(dialect.insertInbox())
                    .bind("id", messageId).bind("at", Rows.timestamp(at)).execute() == 1;
        } catch (JdbiException e) {
            // H2 only: H2 undoes just the failed statement, so the transaction goes on. A concurrent transaction
            // that recorded the same id first makes this insert wait for it and then fail here as well.
            // (PostgreSQL's statement inserts 0 rows instead: a failure would abort its whole transaction.)
            Optional<SQLException> sql = SqlErrors.sqlCause(e);
            if (sql.isPresent() && dialect.isUniqueViolation(sql.get())) {
                return false;
            }
            throw SqlErrors.failure("markReceived of message " + messageId, e);
        }
    }

    @Override
    public Optional<SagaRecord> load(SagaId id) {
        checkUsable();
        Objects.requireNonNull(id, "id");
        try {
            return handle.createQuery("SELECT " + Rows.SAGA_COLUMNS + " FROM baton_saga WHERE id = :id")
                    .bind("id", id.value()).map(Rows.SAGA).findOne();
        } catch (JdbiException e) {
            throw SqlErrors.failure("load of saga " + id, e);
        }
    }

    @Override
    public Optional<SagaRecord> loadForUpdate(SagaId id) {
        checkUsable();
        Objects.requireNonNull(id, "id");
        try {
            return handle.createQuery("SELECT " + Rows.SAGA_COLUMNS + " FROM baton_saga WHERE id = :id FOR UPDATE")
                    .bind("id", id.value()).map(Rows.SAGA).findOne();
        } catch (JdbiException e) {
            throw SqlErrors.failure("load for update of saga " + id, e);
        }
    }

    @Override
    public Optional<SagaRecord> loadByBusinessKey(String type, String businessKey) {
        checkUsable();
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(businessKey, "businessKey");
        try {
            return handle.createQuery("SELECT " + Rows.SAGA_COLUMNS
                            + " FROM baton_saga WHERE type = :type AND business_key = :businessKey")
                    .bind("type", type).bind("businessKey", businessKey).map(Rows.SAGA).findOne();
        } catch (JdbiException e) {
            throw SqlErrors.failure("load of saga '" + type + "' by business key", e);
        }
    }

    @Override
    public void insert(SagaRecord saga) {
        checkUsable();
        if (saga.version() != 1) {
            throw new IllegalArgumentException("a new saga must have version 1, but saga " + saga.id() + " had "
                    + saga.version());
        }
        try {
            SagaStatements.bindInsert(handle.createUpdate(SagaStatements.INSERT_SAGA), saga)
                    .execute();
        } catch (JdbiException e) {
            Optional<SQLException> sql = SqlErrors.sqlCause(e);
            if (sql.isPresent() && dialect.violates(sql.get(), SagaStatements.BUSINESS_KEY_CONSTRAINT)) {
                throw new DuplicateBusinessKeyException(saga.type(), saga.businessKey());
            }
            if (sql.isPresent() && dialect.isUniqueViolation(sql.get())) {
                throw new SagaStoreException("saga store: insert of saga " + saga.id()
                        + " failed: a saga with that id exists already", e);
            }
            throw SqlErrors.failure("insert of saga " + saga.id(), e);
        }
    }

    @Override
    public void update(SagaRecord saga) {
        checkUsable();
        if (saga.version() < 2) {
            throw new IllegalArgumentException("an updated saga must have version 2 or more (stored version + 1),"
                    + " but saga " + saga.id() + " had " + saga.version());
        }
        long expected = saga.version() - 1;
        int rows;
        try {
            rows = SagaStatements.bindUpdate(handle.createUpdate(SagaStatements.UPDATE_SAGA), saga)
                    .execute();
        } catch (JdbiException e) {
            throw SqlErrors.failure("update of saga " + saga.id(), e);
        }
        if (rows == 0) {
            throw SagaStatements.lostUpdate(handle, saga);
        }
        if (HistoryFolding.due(saga.version())) {
            try {
                HistoryTables.fold(handle, saga.id());
            } catch (JdbiException e) {
                throw SqlErrors.failure("history fold of saga " + saga.id(), e);
            }
        }
    }

    @Override
    public void appendHistory(List<HistoryRecord> entries) {
        checkUsable();
        if (entries.isEmpty()) {
            return;
        }
        try {
            PreparedBatch batch = handle.prepareBatch(SagaStatements.INSERT_HISTORY);
            for (HistoryRecord h : entries) {
                SagaStatements.bindHistory(batch, h);
            }
            batch.execute();
        } catch (JdbiException e) {
            throw SqlErrors.failure("appendHistory of " + entries.size() + " entries for saga "
                    + entries.get(0).sagaId(), e);
        }
    }

    @Override
    public void addOutbox(List<OutboxRecord> messages) {
        checkUsable();
        if (messages.isEmpty()) {
            return;
        }
        try {
            PreparedBatch batch = handle.prepareBatch(SagaStatements.INSERT_OUTBOX);
            for (OutboxRecord m : messages) {
                SagaStatements.bindOutbox(batch, m);
            }
            batch.execute();
        } catch (JdbiException e) {
            throw SqlErrors.failure("addOutbox of " + messages.size() + " rows for saga " + messages.get(0).sagaId(), e);
        }
    }

    @Override
    public void setTimer(TimerRecord timer) {
        checkUsable();
        try {
            SagaStatements.bindTimer(handle.createUpdate(dialect.upsertTimer()), timer).execute();
        } catch (JdbiException e) {
            throw SqlErrors.failure("setTimer " + timer.kind() + " of saga " + timer.sagaId(), e);
        }
    }

    @Override
    public void cancelTimers(SagaId sagaId, Set<TimerKind> kinds) {
        checkUsable();
        if (kinds.isEmpty()) {
            return;
        }
        try {
            handle.createUpdate("DELETE FROM baton_timer WHERE saga_id = :sagaId AND kind IN (<kinds>)")
                    .bind("sagaId", sagaId.value())
                    .bindList("kinds", kinds.stream().map(TimerKind::name).sorted().toList())
                    .execute();
        } catch (JdbiException e) {
            throw SqlErrors.failure("cancelTimers " + kinds + " of saga " + sagaId, e);
        }
    }

    @Override
    public void cancelTimer(SagaId sagaId, TimerKind kind, String step) {
        checkUsable();
        try {
            handle.createUpdate(SagaStatements.DELETE_STEP_TIMER).bind("sagaId", sagaId.value()).bind("kind", kind.name())
                    .bind("step", step).execute();
        } catch (JdbiException e) {
            throw SqlErrors.failure("cancelTimer " + kind + " of step " + step + " of saga " + sagaId, e);
        }
    }

    @Override
    public boolean claimTimer(TimerRecord timer) {
        checkUsable();
        try {
            // A concurrent claimer's DELETE waits for this row lock, then finds the row gone: 0 rows.
            return handle.createUpdate("DELETE FROM baton_timer WHERE saga_id = :sagaId AND kind = :kind"
                            + " AND step = :step AND token = :token AND fire_at = :fireAt")
                    .bind("sagaId", timer.sagaId().value()).bind("kind", timer.kind().name())
                    .bind("step", timer.step() == null ? "" : timer.step())
                    .bind("token", timer.token()).bind("fireAt", Rows.timestamp(timer.fireAt()))
                    .execute() == 1;
        } catch (JdbiException e) {
            throw SqlErrors.failure("claimTimer " + timer.kind() + " of saga " + timer.sagaId(), e);
        }
    }

    // ------------------------------------------------------------------ many at once: one statement per table

    /**
     * On PostgreSQL one {@code INSERT ... SELECT FROM unnest(ids) ON CONFLICT DO NOTHING RETURNING message_id}: what it
     * returns are the new ids, the rest are duplicates (a batch's row counts would depend on the driver's settings). On H2 (in the same process, so no round trips to save) one insert per id as
     * {@link #markReceived} does: a batch there would stop at the first duplicate's unique violation.
     */
    @Override
    public Set<String> markReceivedAll(Collection<String> messageIds, Instant at) {
        checkUsable();
        if (dialect != Dialect.POSTGRESQL) {
            return StoreTransaction.super.markReceivedAll(messageIds, at);
        }
        return batches.markReceivedAll(messageIds, at);
    }

    @Override
    public Map<SagaId, SagaRecord> loadAll(Collection<SagaId> ids) {
        checkUsable();
        return batches.loadAll(ids);
    }

    /**
     * Five batched statements at most, whatever the number of sagas: inserts, updates (in saga id order, so that two
     * nodes lock rows in the same order), history, outbox, removed timers, then set timers.
     */
    @Override
    public void writeAll(List<SagaWrite> writes) {
        checkUsable();
        StoreTransaction.requireDistinct(writes);
        if (writes.isEmpty()) {
            return;
        }
        if (writes.size() == 1) {
            // one saga: the single statements, which carry the precise errors (duplicate business key, and so on)
            StoreTransaction.super.writeAll(writes);
            return;
        }
        batches.writeAll(writes, this::insert);
    }
}
