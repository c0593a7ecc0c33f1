package dev.baton.jdbi.internal;

import dev.baton.engine.ConcurrentUpdateException;
import dev.baton.engine.DuplicateBusinessKeyException;
import dev.baton.engine.SagaId;
import dev.baton.engine.SagaNotFoundException;
import dev.baton.engine.SagaStoreException;
import dev.baton.engine.spi.HistoryRecord;
import dev.baton.engine.spi.OutboxRecord;
import dev.baton.engine.spi.SagaRecord;
import dev.baton.engine.spi.SagaWrite;
import dev.baton.engine.spi.StoreTransaction;
import dev.baton.engine.spi.TimerKind;
import dev.baton.engine.spi.TimerRecord;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.SqlStatement;

/**
 * The {@link StoreTransaction} over one JDBI {@link Handle} inside a database transaction. Every SQL failure
 * becomes a {@link dev.baton.engine.SagaException}. Not thread-safe: valid only on the thread that runs the
 * transaction and only until {@link #end()}; any later call throws {@link IllegalStateException}.
 */
public final class JdbiStoreTransaction implements StoreTransaction {

    /** Name of the unique constraint on (type, business_key), see V1__baton_schema.sql. */
    private static final String BUSINESS_KEY_CONSTRAINT = "baton_saga_business_key_uq";

    private static final String INSERT_SAGA = "INSERT INTO baton_saga (" + Rows.SAGA_COLUMNS + ") VALUES (:id, :type,"
            + " :definitionVersion, :status, :pendingState, :currentStep, :businessKey, :dataType,"
            + " :data, :execution, :reason, :version, :createdAt, :updatedAt)";
    // id, type, business_key and created_at are fixed at insert.
    private static final String UPDATE_SAGA = "UPDATE baton_saga SET definition_version = :definitionVersion,"
            + " status = :status, pending_state = :pendingState, current_step = :currentStep,"
            + " data_type = :dataType, data = :data, execution = :execution, reason = :reason,"
            + " version = :version, updated_at = :updatedAt"
            + " WHERE id = :id AND version = :expected";
    private static final String INSERT_HISTORY = "INSERT INTO baton_history (saga_id, at, kind, step, detail)"
            + " VALUES (:sagaId, :at, :kind, :step, :detail)";
    private static final String INSERT_OUTBOX = "INSERT INTO baton_outbox (" + Rows.OUTBOX_COLUMNS + ")"
            + " VALUES (:id, :sagaId, :destination, :messageId, :messageType, :headers, :payload, :createdAt)";
    private static final String DELETE_TIMER = "DELETE FROM baton_timer WHERE saga_id = :sagaId AND kind = :kind";

    private final Handle handle;
    private final Dialect dialect;
    private final Thread owner = Thread.currentThread();
    private boolean ended;

    public JdbiStoreTransaction(Handle handle, Dialect dialect) {
        this.handle = handle;
        this.dialect = dialect;
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
            bindInsert(handle.createUpdate(INSERT_SAGA), saga)
                    .execute();
        } catch (JdbiException e) {
            Optional<SQLException> sql = SqlErrors.sqlCause(e);
            if (sql.isPresent() && dialect.violates(sql.get(), BUSINESS_KEY_CONSTRAINT)) {
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
            rows = bindUpdate(handle.createUpdate(UPDATE_SAGA), saga)
                    .execute();
        } catch (JdbiException e) {
            throw SqlErrors.failure("update of saga " + saga.id(), e);
        }
        if (rows == 0) {
            throw lostUpdate(saga);
        }
    }

    private RuntimeException lostUpdate(SagaRecord saga) {
        if (exists(saga.id())) {
            return new ConcurrentUpdateException(saga.id(), saga.version() - 1);
        }
        return new SagaNotFoundException(saga.id());
    }

    private static <S extends SqlStatement<S>> S bindInsert(S statement, SagaRecord saga) {
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

    private static <S extends SqlStatement<S>> S bindUpdate(S statement, SagaRecord saga) {
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

    private static void bindHistory(PreparedBatch batch, HistoryRecord h) {
        batch.bind("sagaId", h.sagaId().value()).bind("at", Rows.timestamp(h.at())).bind("kind", h.kind())
                .bind("step", h.step()).bind("detail", h.detail()).add();
    }

    private static void bindOutbox(PreparedBatch batch, OutboxRecord m) {
        batch.bind("id", m.id()).bind("sagaId", m.sagaId().value()).bind("destination", m.destination())
                .bind("messageId", m.messageId()).bind("messageType", m.messageType())
                .bind("headers", HeaderCodec.encode(m.headers())).bind("payload", m.payload())
                .bind("createdAt", Rows.timestamp(m.createdAt())).add();
    }

    private static <S extends SqlStatement<S>> S bindTimer(S statement, TimerRecord timer) {
        return statement.bind("sagaId", timer.sagaId().value()).bind("kind", timer.kind().name())
                .bind("step", timer.step()).bind("token", timer.token()).bind("fireAt", Rows.timestamp(timer.fireAt()));
    }

    private boolean exists(SagaId id) {
        try {
            return handle.createQuery("SELECT COUNT(*) FROM baton_saga WHERE id = :id").bind("id", id.value())
                    .mapTo(Integer.class).one() > 0;
        } catch (JdbiException e) {
            throw SqlErrors.failure("update of saga " + id + " (existence check)", e);
        }
    }

    @Override
    public void appendHistory(List<HistoryRecord> entries) {
        checkUsable();
        if (entries.isEmpty()) {
            return;
        }
        try {
            PreparedBatch batch = handle.prepareBatch(INSERT_HISTORY);
            for (HistoryRecord h : entries) {
                bindHistory(batch, h);
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
            PreparedBatch batch = handle.prepareBatch(INSERT_OUTBOX);
            for (OutboxRecord m : messages) {
                bindOutbox(batch, m);
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
            bindTimer(handle.createUpdate(dialect.upsertTimer()), timer).execute();
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
    public boolean claimTimer(TimerRecord timer) {
        checkUsable();
        try {
            // A concurrent claimer's DELETE waits for this row lock, then finds the row gone: 0 rows.
            return handle.createUpdate("DELETE FROM baton_timer WHERE saga_id = :sagaId AND kind = :kind"
                            + " AND token = :token AND fire_at = :fireAt")
                    .bind("sagaId", timer.sagaId().value()).bind("kind", timer.kind().name())
                    .bind("token", timer.token()).bind("fireAt", Rows.timestamp(timer.fireAt()))
                    .execute() == 1;
        } catch (JdbiException e) {
            throw SqlErrors.failure("claimTimer " + timer.kind() + " of saga " + timer.sagaId(), e);
        }
    }

    // ------------------------------------------------------------------ many at once: one statement per table

    /**
     * On PostgreSQL one batch of {@code INSERT ... ON CONFLICT DO NOTHING}, whose row counts tell the new ids from
     * the duplicates. On H2 (in the same process, so no round trips to save) one insert per id as
     * {@link #markReceived} does: a batch there would stop at the first duplicate's unique violation.
     */
    @Override
    public Set<String> markReceivedAll(Collection<String> messageIds, Instant at) {
        checkUsable();
        if (dialect != Dialect.POSTGRESQL) {
            return StoreTransaction.super.markReceivedAll(messageIds, at);
        }
        // sorted: concurrent calls over the same ids then take their row locks in one order, so never deadlock
        List<String> ids = new java.util.TreeSet<>(messageIds).stream().toList();
        Set<String> fresh = new HashSet<>();
        if (ids.isEmpty()) {
            return fresh;
        }
        try {
            PreparedBatch batch = handle.prepareBatch(dialect.insertInbox());
            for (String id : ids) {
                batch.bind("id", Objects.requireNonNull(id, "messageId")).bind("at", Rows.timestamp(at)).add();
            }
            int[] rows = batch.execute();
            for (int i = 0; i < ids.size(); i++) {
                if (rows[i] == 1) {
                    fresh.add(ids.get(i));
                }
            }
            return fresh;
        } catch (JdbiException e) {
            throw SqlErrors.failure("markReceivedAll of " + ids.size() + " messages", e);
        }
    }

    @Override
    public Map<SagaId, SagaRecord> loadAll(Collection<SagaId> ids) {
        checkUsable();
        Map<SagaId, SagaRecord> found = new LinkedHashMap<>();
        List<String> keys = new LinkedHashSet<>(ids).stream().map(SagaId::value).toList();
        if (keys.isEmpty()) {
            return found;
        }
        try {
            handle.createQuery("SELECT " + Rows.SAGA_COLUMNS + " FROM baton_saga WHERE id IN (<ids>)")
                    .bindList("ids", keys).map(Rows.SAGA).forEach(r -> found.put(r.id(), r));
            return found;
        } catch (JdbiException e) {
            throw SqlErrors.failure("loadAll of " + keys.size() + " sagas", e);
        }
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
        List<SagaWrite> sorted = new ArrayList<>(writes);
        sorted.sort(Comparator.comparing(w -> w.saga().id().value()));
        String what = "writeAll of " + writes.size() + " sagas";
        try {
            List<SagaRecord> inserts = sorted.stream().filter(SagaWrite::insert).map(SagaWrite::saga).toList();
            for (SagaRecord r : inserts) {
                if (r.version() != 1) {
                    throw new IllegalArgumentException("a new saga must have version 1, but saga " + r.id() + " had "
                            + r.version());
                }
            }
            List<SagaRecord> updates = sorted.stream().filter(w -> !w.insert()).map(SagaWrite::saga).toList();
            for (SagaRecord r : updates) {
                if (r.version() < 2) {
                    throw new IllegalArgumentException("an updated saga must have version 2 or more (stored version"
                            + " + 1), but saga " + r.id() + " had " + r.version());
                }
            }
            if (inserts.size() == 1) {
                insert(inserts.get(0));
            } else if (!inserts.isEmpty()) {
                PreparedBatch batch = handle.prepareBatch(INSERT_SAGA);
                inserts.forEach(r -> bindInsert(batch, r).add());
                batch.execute();
            }
            if (!updates.isEmpty()) {
                PreparedBatch batch = handle.prepareBatch(UPDATE_SAGA);
                updates.forEach(r -> bindUpdate(batch, r).add());
                int[] rows = batch.execute();
                for (int i = 0; i < rows.length; i++) {
                    if (rows[i] == 0) {
                        throw lostUpdate(updates.get(i));
                    }
                }
            }
            if (sorted.stream().anyMatch(w -> !w.history().isEmpty())) {
                PreparedBatch batch = handle.prepareBatch(INSERT_HISTORY);
                sorted.forEach(w -> w.history().forEach(h -> bindHistory(batch, h)));
                batch.execute();
            }
            if (sorted.stream().anyMatch(w -> !w.outbox().isEmpty())) {
                PreparedBatch batch = handle.prepareBatch(INSERT_OUTBOX);
                sorted.forEach(w -> w.outbox().forEach(m -> bindOutbox(batch, m)));
                batch.execute();
            }
            if (sorted.stream().anyMatch(w -> !w.cancelTimers().isEmpty())) {
                PreparedBatch batch = handle.prepareBatch(DELETE_TIMER);
                for (SagaWrite w : sorted) {
                    w.cancelTimers().stream().map(TimerKind::name).sorted().forEach(kind ->
                            batch.bind("sagaId", w.saga().id().value()).bind("kind", kind).add());
                }
                batch.execute();
            }
            if (sorted.stream().anyMatch(w -> !w.timers().isEmpty())) {
                PreparedBatch batch = handle.prepareBatch(dialect.upsertTimer());
                sorted.forEach(w -> w.timers().forEach(t -> bindTimer(batch, t).add()));
                batch.execute();
            }
        } catch (JdbiException e) {
            Optional<SQLException> sql = SqlErrors.sqlCause(e);
            if (sql.isPresent() && dialect.violates(sql.get(), BUSINESS_KEY_CONSTRAINT)) {
                // a batch does not tell which saga's key clashed; the caller (the engine's group commit) then
                // writes each saga alone, where insert() names it
                throw new SagaStoreException("saga store: " + what + " failed: a new saga's business key is taken", e);
            }
            throw SqlErrors.failure(what, e);
        }
    }
}
