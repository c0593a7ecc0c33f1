package dev.baton.jdbi.internal;

import static dev.baton.jdbi.internal.SagaStatements.bindHistory;
import static dev.baton.jdbi.internal.SagaStatements.bindInsert;
import static dev.baton.jdbi.internal.SagaStatements.bindOutbox;
import static dev.baton.jdbi.internal.SagaStatements.bindTimer;
import static dev.baton.jdbi.internal.SagaStatements.bindUpdate;

import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStoreException;
import dev.baton.engine.spi.SagaRecord;
import dev.baton.engine.spi.SagaWrite;
import dev.baton.engine.spi.TimerKind;
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
import java.util.TreeSet;
import java.util.function.Consumer;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * Many sagas at once, one statement per table, for the engine's group commits: inbox ids, loads and writes.
 * Runs on the handle of a {@link JdbiStoreTransaction}, which checks that it is usable first. Not thread-safe.
 */
final class BatchWrites {

    private final Handle handle;
    private final Dialect dialect;

    BatchWrites(Handle handle, Dialect dialect) {
        this.handle = handle;
        this.dialect = dialect;
    }

    /** Records every id not recorded yet, in the given order, and returns those it recorded. */
    private static final String INSERT_INBOX_RETURNING = "INSERT INTO baton_inbox (message_id, received_at)"
            + " SELECT t.id, :at FROM unnest(:ids) WITH ORDINALITY AS t(id, n) ORDER BY t.n"
            + " ON CONFLICT (message_id) DO NOTHING RETURNING message_id";

    /**
     * PostgreSQL only: one {@link #INSERT_INBOX_RETURNING}, which returns the new ids; the others are duplicates.
     */
    Set<String> markReceivedAll(Collection<String> messageIds, Instant at) {
        // sorted: concurrent calls over the same ids then take their row locks in one order, so never deadlock
        List<String> ids = new TreeSet<>(messageIds).stream().toList();
        Set<String> fresh = new HashSet<>();
        if (ids.isEmpty()) {
            return fresh;
        }
        try {
            // one statement whose RETURNING names the ids it inserted: a batch's row counts would do too, but a
            // driver may not report them (PgJDBC's reWriteBatchedInserts=true answers SUCCESS_NO_INFO)
            fresh.addAll(handle.createQuery(INSERT_INBOX_RETURNING)
                    .bindArray("ids", String.class, ids.stream().map(id -> Objects.requireNonNull(id, "messageId")).toList())
                    .bind("at", Rows.timestamp(at))
                    .mapTo(String.class).list());
            return fresh;
        } catch (JdbiException e) {
            throw SqlErrors.failure("markReceivedAll of " + ids.size() + " messages", e);
        }
    }

    Map<SagaId, SagaRecord> loadAll(Collection<SagaId> ids) {
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
     * Two sagas or more: inserts, updates (in saga id order, so that two nodes lock rows in the same order), history,
     * outbox, removed timers, then set timers; five batched statements at most.
     *
     * @param insertOne the one-saga insert, which names the saga whose business key is taken
     */
    void writeAll(List<SagaWrite> writes, Consumer<SagaRecord> insertOne) {
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
                insertOne.accept(inserts.get(0));
            } else if (!inserts.isEmpty()) {
                PreparedBatch batch = handle.prepareBatch(SagaStatements.INSERT_SAGA);
                inserts.forEach(r -> bindInsert(batch, r).add());
                batch.execute();
            }
            if (!updates.isEmpty()) {
                PreparedBatch batch = handle.prepareBatch(SagaStatements.UPDATE_SAGA);
                updates.forEach(r -> bindUpdate(batch, r).add());
                int[] rows = batch.execute();
                for (int i = 0; i < rows.length; i++) {
                    if (rows[i] == 0) {
                        throw SagaStatements.lostUpdate(handle, updates.get(i));
                    }
                }
                for (SagaRecord r : updates) {
                    if (dev.baton.engine.spi.HistoryFolding.due(r.version())) {
                        HistoryTables.fold(handle, r.id());
                    }
                }
            }
            if (sorted.stream().anyMatch(w -> !w.history().isEmpty())) {
                PreparedBatch batch = handle.prepareBatch(SagaStatements.INSERT_HISTORY);
                sorted.forEach(w -> w.history().forEach(h -> bindHistory(batch, h)));
                batch.execute();
            }
            if (sorted.stream().anyMatch(w -> !w.outbox().isEmpty())) {
                PreparedBatch batch = handle.prepareBatch(SagaStatements.INSERT_OUTBOX);
                sorted.forEach(w -> w.outbox().forEach(m -> bindOutbox(batch, m)));
                batch.execute();
            }
            if (sorted.stream().anyMatch(w -> !w.cancelTimers().isEmpty())) {
                PreparedBatch batch = handle.prepareBatch(SagaStatements.DELETE_TIMER);
                for (SagaWrite w : sorted) {
                    w.cancelTimers().stream().map(TimerKind::name).sorted().forEach(kind ->
                            batch.bind("sagaId", w.saga().id().value()).bind("kind", kind).add());
                }
                batch.execute();
            }
            if (sorted.stream().anyMatch(w -> !w.cancelStepTimers().isEmpty())) {
                PreparedBatch batch = handle.prepareBatch(SagaStatements.DELETE_STEP_TIMER);
                for (SagaWrite w : sorted) {
                    w.cancelStepTimers().forEach(k -> batch.bind("sagaId", w.saga().id().value())
                            .bind("kind", k.kind().name()).bind("step", k.step()).add());
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
            if (sql.isPresent() && dialect.violates(sql.get(), SagaStatements.BUSINESS_KEY_CONSTRAINT)) {
                // a batch does not tell which saga's key clashed; the caller (the engine's group commit) then
                // writes each saga alone, where insert() names it
                throw new SagaStoreException("saga store: " + what + " failed: a new saga's business key is taken", e);
            }
            throw SqlErrors.failure(what, e);
        }
    }
}
