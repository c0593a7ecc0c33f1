package dev.baton.jdbi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.baton.engine.HistoryKind;
import dev.baton.engine.DuplicateBusinessKeyException;
import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.SagaStoreException;
import dev.baton.engine.spi.HistoryRecord;
import dev.baton.engine.spi.OutboxRecord;
import dev.baton.engine.spi.SagaQuery;
import dev.baton.engine.spi.SagaRecord;
import dev.baton.engine.spi.TimerKind;
import dev.baton.engine.spi.TimerRecord;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What the compatibility kit does not cover, on PostgreSQL: migrations, reopening, the schema as created, and the
 * places where PostgreSQL behaves unlike H2 (a failed statement aborts the whole transaction). Each test that needs
 * an empty database asks the server for its own.
 */
@ExtendWith(PostgresExtension.class)
class JdbiSagaStorePostgresLifecycleTest {

    private static final Instant T = Instant.parse("2026-03-01T10:15:30.123456Z");
    private static final Instant FAR_FUTURE = Instant.parse("9000-01-01T00:00:00Z");

    /** The indexes (and constraint indexes) of baton_saga after V2, the same names as on H2. */
    private static final List<String> SAGA_INDEXES = List.of("baton_saga_business_key_ix", "baton_saga_business_key_uq",
            "baton_saga_created_ix", "baton_saga_pk", "baton_saga_status_created_ix", "baton_saga_status_ix",
            "baton_saga_type_created_ix", "baton_saga_updated_ix");

    private static SagaRecord saga(String id, String type, String businessKey) {
        return new SagaRecord(SagaId.of(id), type, 1, SagaStatus.RUNNING, null, "step-1", businessKey, "data",
                "{\"secret\":\"PII-value\"}", "{}", null, 1, T, T);
    }

    @Test
    @DisplayName("two transactions that deadlock (two nodes taking two sagas in opposite orders): the one PostgreSQL aborts"
            + " surfaces as ConcurrentUpdateException, which the engine retries, and the other commits")
    void deadlockIsAConcurrentUpdate(PostgresServer server) throws Exception {
        SagaRecord a = saga("s-a", "create-order", null);
        SagaRecord b = saga("s-b", "create-order", null);
        try (PostgresDatabase db = server.createDatabase(); JdbiSagaStore store = db.openStore()) {
            store.inTransaction(tx -> {
                tx.insert(a);
                tx.insert(b);
                return null;
            });
            java.util.concurrent.CyclicBarrier bothHoldOne = new java.util.concurrent.CyclicBarrier(2);
            java.util.function.BiFunction<SagaRecord, SagaRecord, java.util.concurrent.Callable<String>> node =
                    (first, second) -> () -> {
                        try {
                            store.inTransaction(tx -> {
                                tx.update(next(first));
                                await(bothHoldOne);
                                tx.update(next(second));
                                return null;
                            });
                            return "committed";
                        } catch (dev.baton.engine.ConcurrentUpdateException e) {
                            return "conflict: " + e.getMessage();
                        }
                    };
            try (var pool = java.util.concurrent.Executors.newFixedThreadPool(2)) {
                var one = pool.submit(node.apply(a, b));
                var two = pool.submit(node.apply(b, a));
                List<String> outcomes = List.of(one.get(), two.get());
                assertThat(outcomes).filteredOn("committed"::equals).hasSize(1);
                assertThat(outcomes).filteredOn(o -> o.startsWith("conflict")).singleElement().asString()
                        .contains("aborted by the database", "40P01");
            }
            assertThat(store.find(a.id()).orElseThrow().version()).isEqualTo(2);
            assertThat(store.find(b.id()).orElseThrow().version()).isEqualTo(2);
        }
    }

    @Test
    @DisplayName("a reply applied on one node while another fires the saga's timer: the timer takes the saga row first"
            + " (loadForUpdate), as the reply does, so the two queue instead of deadlocking")
    void timerAndReplyQueueOnTheSagaRow(PostgresServer server) throws Exception {
        SagaRecord saga = saga("s-t", "create-order", null);
        TimerRecord timeout = new TimerRecord(saga.id(), TimerKind.TIMEOUT, "step-1", "t#1", T);
        try (PostgresDatabase db = server.createDatabase(); JdbiSagaStore nodeA = db.openStore();
             JdbiSagaStore nodeB = db.openStore()) {
            nodeA.inTransaction(tx -> {
                tx.insert(saga);
                tx.setTimer(timeout);
                return null;
            });
            java.util.concurrent.CountDownLatch replyHoldsSaga = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CountDownLatch timerStarted = new java.util.concurrent.CountDownLatch(1);
            try (var pool = java.util.concurrent.Executors.newFixedThreadPool(2)) {
                var reply = pool.submit(() -> nodeA.inTransaction(tx -> {
                    tx.update(next(saga));                                      // the saga row
                    replyHoldsSaga.countDown();
                    awaitLatch(timerStarted);
                    tx.cancelTimers(saga.id(), java.util.EnumSet.of(TimerKind.TIMEOUT)); // then its timer row
                    tx.setTimer(new TimerRecord(saga.id(), TimerKind.TIMEOUT, "step-2", "t#2", T.plusSeconds(10)));
                    return "reply applied";
                }));
                var timer = pool.submit(() -> nodeB.inTransaction(tx -> {
                    awaitLatch(replyHoldsSaga);
                    timerStarted.countDown();
                    tx.loadForUpdate(saga.id());                                 // waits for the reply to commit
                    return tx.claimTimer(timeout) ? "timer fired" : "timer was replaced";
                }));
                assertThat(reply.get(60, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("reply applied");
                assertThat(timer.get(60, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("timer was replaced");
            }
        }
    }

    private static void awaitLatch(java.util.concurrent.CountDownLatch latch) {
        try {
            if (!latch.await(30, java.util.concurrent.TimeUnit.SECONDS)) {
                throw new IllegalStateException("the other transaction did not get there in 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static SagaRecord next(SagaRecord s) {
        return new SagaRecord(s.id(), s.type(), s.definitionVersion(), s.status(), s.pendingState(), s.currentStep(),
                s.businessKey(), s.dataType(), s.data(), s.execution(), s.reason(), s.version() + 1, s.createdAt(), T);
    }

    private static void await(java.util.concurrent.CyclicBarrier barrier) {
        try {
            barrier.await(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    @DisplayName("a store reopened on the same database keeps its data, and the migrations run only once")
    void reopenKeepsData(PostgresServer server) {
        SagaRecord saga = saga("s-1", "create-order", "bk-1");
        TimerRecord timer = new TimerRecord(saga.id(), TimerKind.TIMEOUT, "step-1", "tok", T);
        OutboxRecord row = new OutboxRecord("o-1", saga.id(), "customers", "m-1", "ReserveCredit",
                Map.of("baton-saga-id", "s-1"), "{}", T);
        try (PostgresDatabase db = server.createDatabase()) {
            try (JdbiSagaStore store = db.openStore()) {
                assertThat(store.toString()).contains("POSTGRESQL");
                store.inTransaction(tx -> {
                    tx.insert(saga);
                    tx.setTimer(timer);
                    tx.addOutbox(List.of(row));
                    tx.appendHistory(List.of(new HistoryRecord(0, saga.id(), T, HistoryKind.STARTED, null, null)));
                    tx.markReceived("m-in", T);
                    return null;
                });
            }
            for (int reopen = 0; reopen < 2; reopen++) {
                try (JdbiSagaStore store = db.openStore()) {
                    assertThat(store.find(saga.id())).contains(saga);
                    assertThat(store.dueTimers(FAR_FUTURE, 10)).containsExactly(timer);
                    assertThat(store.outbox(FAR_FUTURE, 10)).containsExactly(row);
                    assertThat(store.history(saga.id())).hasSize(1);
                    boolean firstTime = store.inTransaction(tx -> tx.markReceived("m-in", T));
                    assertThat(firstTime).isFalse();
                }
            }
            assertThat(db.rows("SELECT script, success FROM baton_schema_history WHERE type = 'SQL'"
                    + " ORDER BY installed_rank"))
                    .as("one row per migration script, each applied once")
                    .containsExactly("V1__baton_schema.sql|t", "V2__baton_saga_query_indexes.sql|t",
                            "V3__baton_leases.sql|t", "V4__baton_flow.sql|t", "V5__baton_history_fold.sql|t",
                            "V6__baton_timer_per_step.sql|t", "V7__baton_live_settings.sql|t", "V8__baton_history_payload.sql|t",
                            "V9__baton_inline_text.sql|t");
        }
    }

    @Test
    @DisplayName("the schema: opaque TEXT, timestamptz with microseconds, identity sequences, byte-order ids, H2's index names")
    void schema(PostgresDatabase db) {
        db.openStore().close();
        assertThat(db.rows("SELECT column_name, data_type, datetime_precision, is_identity, collation_name"
                + " FROM information_schema.columns WHERE table_name = 'baton_saga'"
                + " AND column_name IN ('id', 'data', 'execution', 'created_at') ORDER BY column_name"))
                .containsExactly("created_at|timestamp with time zone|6|NO|null", "data|text|null|NO|null",
                        "execution|text|null|NO|null", "id|character varying|null|NO|C");
        assertThat(db.rows("SELECT table_name, column_name FROM information_schema.columns"
                + " WHERE table_name LIKE 'baton%' AND table_name <> 'baton_schema_history'"
                + " AND data_type = 'character varying' AND collation_name IS DISTINCT FROM 'C'"))
                .as("every VARCHAR of the store (not Flyway's) compares in byte order, whatever the database's locale")
                .isEmpty();
        assertThat(db.rows("SELECT table_name, column_name FROM information_schema.columns WHERE is_identity = 'YES'"
                + " AND table_name LIKE 'baton%' ORDER BY table_name"))
                .containsExactly("baton_history|seq", "baton_outbox|seq", "baton_setting_log|seq");
        assertThat(db.rows("SELECT indexname FROM pg_indexes WHERE tablename = 'baton_saga' ORDER BY indexname"))
                .containsExactlyElementsOf(SAGA_INDEXES);
    }

    @Test
    @DisplayName("a duplicate inbox id inserts nothing and leaves the transaction usable (PostgreSQL would abort it on an error)")
    void duplicateInboxIdKeepsTransaction(PostgresServer server) {
        try (PostgresDatabase db = server.createDatabase(); JdbiSagaStore store = db.openStore()) {
            SagaRecord saga = saga("s-inbox", "create-order", null);
            List<Boolean> marks = store.inTransaction(tx -> {
                boolean first = tx.markReceived("m-1", T);
                boolean again = tx.markReceived("m-1", T);
                tx.insert(saga);
                tx.setTimer(new TimerRecord(saga.id(), TimerKind.TIMEOUT, "step-1", "a", T));
                tx.setTimer(new TimerRecord(saga.id(), TimerKind.TIMEOUT, "step-1", "b", T)); // replaces "a"
                return List.of(first, again);
            });
            assertThat(marks).containsExactly(true, false);
            assertThat(store.find(saga.id())).contains(saga);
            assertThat(store.dueTimers(FAR_FUTURE, 10)).extracting(TimerRecord::token).containsExactly("b");
        }
    }

    @Test
    @DisplayName("a duplicate business key is told apart from a duplicate id by the constraint's name, not by the values")
    void duplicateKeyByConstraintName(PostgresServer server) {
        try (PostgresDatabase db = server.createDatabase(); JdbiSagaStore store = db.openStore()) {
            // the business key holds the other constraint's name: it shows up in PostgreSQL's Detail line only
            SagaRecord first = saga("baton_saga_business_key_uq", "create-order", "baton_saga_pk");
            store.inTransaction(tx -> {
                tx.insert(first);
                return null;
            });
            SagaRecord sameId = saga("baton_saga_business_key_uq", "create-order", "other");
            SagaRecord sameKey = saga("s-2", "create-order", "baton_saga_pk");
            assertThatThrownBy(() -> store.inTransaction(tx -> {
                tx.insert(sameId);
                return null;
            })).isInstanceOf(SagaStoreException.class).hasMessageContaining("exists already");
            assertThatThrownBy(() -> store.inTransaction(tx -> {
                tx.insert(sameKey);
                return null;
            })).isInstanceOf(DuplicateBusinessKeyException.class);
        }
    }

    @Test
    @DisplayName("a database error names the operation and the SQLSTATE, but no saga data")
    void errorMessages(PostgresDatabase db) {
        try (JdbiSagaStore store = db.openStore()) {
            SagaRecord tooLong = saga("s-long", "t".repeat(300), null);
            assertThatThrownBy(() -> store.inTransaction(tx -> {
                tx.insert(tooLong);
                return null;
            })).isInstanceOf(SagaStoreException.class)
                    .hasMessageContaining("insert of saga s-long failed")
                    .hasMessageContaining("SQLSTATE 22001")
                    .message().doesNotContain("PII-value");
        }
    }

    @Test
    @DisplayName("a database created at V1 upgrades to the query indexes of V2 and keeps its sagas")
    void upgradeFromV1(PostgresServer server) {
        try (PostgresDatabase db = server.createDatabase()) {
            Flyway.configure(JdbiSagaStore.class.getClassLoader())
                    .dataSource(db.jdbcUrl(), db.user(), db.password())
                    .locations("classpath:db/baton/postgresql").table("baton_schema_history").target("1").load()
                    .migrate();
            SagaRecord old = saga("s-old", "create-order", null);
            try (JdbiSagaStore v1 = JdbiSagaStore.create(db.options().withMigrate(false))) {
                v1.inTransaction(tx -> {
                    tx.insert(old);
                    return null;
                });
            }
            assertThat(db.rows("SELECT indexname FROM pg_indexes WHERE tablename = 'baton_saga'"))
                    .contains("baton_saga_type_ix").doesNotContain("baton_saga_created_ix");
            try (JdbiSagaStore store = db.openStore()) {
                assertThat(store.query(SagaQuery.all(10).withType("create-order")).items()).containsExactly(old);
            }
            assertThat(db.rows("SELECT indexname FROM pg_indexes WHERE tablename = 'baton_saga' ORDER BY indexname"))
                    .containsExactlyElementsOf(SAGA_INDEXES);
        }
    }

    @Test
    @DisplayName("the test support: a database closed is dropped, even with a store's sessions still open on it")
    void databasesAreDropped(PostgresServer server, PostgresDatabase classDatabase) {
        PostgresDatabase db = server.createDatabase();
        JdbiSagaStore leftOpen = db.openStore();
        String exists = "SELECT datname FROM pg_database WHERE datname = '" + db.name() + "'";
        assertThat(classDatabase.rows(exists)).containsExactly(db.name());
        db.close();
        assertThat(classDatabase.rows(exists)).isEmpty();
        leftOpen.close();
    }

    @Test
    @DisplayName("the schema can live beside the application's own tables; a data source passed in stays open")
    void sharedSchemaAndForeignDataSource(PostgresServer server) {
        try (PostgresDatabase db = server.createDatabase()) {
            db.execute("CREATE TABLE app_orders (id INT PRIMARY KEY)");
            db.execute("INSERT INTO app_orders VALUES (7)");
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(db.jdbcUrl());
            config.setUsername(db.user());
            config.setPassword(db.password());
            config.setMaximumPoolSize(2);
            try (HikariDataSource appPool = new HikariDataSource(config)) {
                SagaRecord saga = saga("s-1", "create-order", null);
                try (JdbiSagaStore store = JdbiSagaStore.create(appPool)) {
                    store.inTransaction(tx -> {
                        tx.insert(saga);
                        return null;
                    });
                }
                assertThat(appPool.isClosed()).isFalse();
                try (JdbiSagaStore again = JdbiSagaStore.create(appPool)) {
                    assertThat(again.find(saga.id())).contains(saga);
                }
            }
            assertThat(db.rows("SELECT id FROM app_orders")).containsExactly("7");
        }
    }
}
