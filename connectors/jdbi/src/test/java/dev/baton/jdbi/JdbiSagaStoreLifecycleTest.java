package dev.baton.jdbi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.IMetricsTracker;
import com.zaxxer.hikari.metrics.MetricsTrackerFactory;
import dev.baton.engine.HistoryKind;
import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.SagaStoreException;
import dev.baton.engine.spi.HistoryRecord;
import dev.baton.engine.spi.OutboxRecord;
import dev.baton.engine.spi.SagaQuery;
import dev.baton.engine.spi.SagaRecord;
import dev.baton.engine.spi.StoreTransaction;
import dev.baton.engine.spi.TimerKind;
import dev.baton.engine.spi.TimerRecord;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import org.flywaydb.core.Flyway;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.db.LobStorageMap;
import org.h2.mvstore.type.LongDataType;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the compatibility kit does not cover: opening, reopening, migrating, closing, options and misuse. */
class JdbiSagaStoreLifecycleTest {

    private static final Instant T = Instant.parse("2026-03-01T10:15:30.123456Z");
    private static final Instant FAR_FUTURE = Instant.parse("9000-01-01T00:00:00Z");

    @TempDir
    Path dir;

    private static SagaRecord saga(String id, String type) {
        return new SagaRecord(SagaId.of(id), type, 1, SagaStatus.RUNNING, null, "step-1", "bk-" + id, "data",
                "{\"secret\":\"PII-value\"}", "{}", null, 1, T, T);
    }

    @Test
    @DisplayName("a store reopened on the same H2 file keeps its data, and the migrations run only once")
    void reopenKeepsData() throws SQLException {
        SagaRecord saga = saga("s-1", "create-order");
        TimerRecord timer = new TimerRecord(saga.id(), TimerKind.TIMEOUT, "step-1", "tok", T);
        OutboxRecord row = new OutboxRecord("o-1", saga.id(), "customers", "m-1", "ReserveCredit",
                Map.of("baton-saga-id", "s-1"), "{}", T);
        try (JdbiSagaStore store = JdbiSagaStore.h2File(dir)) {
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
            try (JdbiSagaStore store = JdbiSagaStore.h2File(dir)) {
                assertThat(store.find(saga.id())).contains(saga);
                assertThat(store.dueTimers(FAR_FUTURE, 10)).containsExactly(timer);
                assertThat(store.outbox(FAR_FUTURE, 10)).containsExactly(row);
                assertThat(store.history(saga.id())).hasSize(1);
                boolean firstTime = store.inTransaction(tx -> tx.markReceived("m-in", T));
                assertThat(firstTime).isFalse();
            }
        }

        List<String> applied = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(JdbiStoreOptions.h2File(dir).jdbcUrl(), "sa", "");
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT \"script\", \"success\" FROM \"baton_schema_history\""
                     + " WHERE \"type\" = 'SQL' ORDER BY \"installed_rank\"")) { // Flyway also adds a marker row
            while (rs.next()) {
                applied.add(rs.getString(1) + ":" + rs.getBoolean(2));
            }
        }
        assertThat(applied).as("one row per migration script, each applied once")
                .containsExactly("V1__baton_schema.sql:true", "V2__baton_saga_query_indexes.sql:true",
                        "V3__baton_leases.sql:true", "V4__baton_flow.sql:true", "V5__baton_history_fold.sql:true",
                        "V6__baton_timer_per_step.sql:true", "V7__baton_live_settings.sql:true",
                        "V8__baton_history_payload.sql:true", "V9__baton_inline_text.sql:true");
    }

    @Test
    @DisplayName("text up to 8,192 characters stays in its row (V9), longer text goes to H2's LOB storage, both read back")
    void shortTextStaysInTheRow() throws SQLException {
        String inRow = "{\"note\":\"" + "a".repeat(4_000) + "\"}";
        String beyond = "{\"note\":\"" + "b".repeat(50_000) + "\"}";
        SagaRecord small = new SagaRecord(SagaId.of("s-small"), "t", 1, SagaStatus.RUNNING, null, "step-1", "bk-small",
                "data", inRow, inRow, null, 1, T, T);
        SagaRecord large = new SagaRecord(SagaId.of("s-large"), "t", 1, SagaStatus.RUNNING, null, "step-1", "bk-large",
                "data", beyond, "{}", null, 1, T, T);
        try (JdbiSagaStore store = JdbiSagaStore.h2File(dir)) {
            store.inTransaction(tx -> {
                tx.insert(small);
                tx.insert(large);
                return null;
            });
            assertThat(store.find(small.id())).contains(small);
            assertThat(store.find(large.id())).contains(large);
        }
        try (Connection c = DriverManager.getConnection(JdbiStoreOptions.h2File(dir).jdbcUrl(), "sa", "");
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS"
                     + " WHERE SETTING_NAME = 'MAX_LENGTH_INPLACE_LOB'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("8192");
        }
        // H2 keeps one lobMap entry per value stored out of the row: only the 50,000 characters are there
        try (MVStore mv = new MVStore.Builder().fileName(dir.resolve("baton.mv.db").toString()).readOnly().open()) {
            assertThat(mv.openMap("lobMap", new MVMap.Builder<Long, LobStorageMap.BlobMeta>()
                    .keyType(LongDataType.INSTANCE).valueType(LobStorageMap.BlobMeta.Type.INSTANCE)).size()).isEqualTo(1);
        }
    }

    @Test
    @DisplayName("a database created at V1 upgrades to the query indexes of V2 and keeps its sagas")
    void upgradeFromV1() throws SQLException {
        JdbiStoreOptions options = JdbiStoreOptions.h2File(dir);
        Flyway.configure(JdbiSagaStore.class.getClassLoader())
                .dataSource(options.jdbcUrl(), options.username(), options.password())
                .locations("classpath:db/baton/h2").table("baton_schema_history").target("1").load().migrate();
        SagaRecord old = saga("s-old", "create-order");
        try (JdbiSagaStore v1 = JdbiSagaStore.create(options.withMigrate(false))) {
            v1.inTransaction(tx -> {
                tx.insert(old);
                return null;
            });
        }
        assertThat(indexes()).contains("BATON_SAGA_TYPE_IX").doesNotContain("BATON_SAGA_CREATED_IX");

        try (JdbiSagaStore store = JdbiSagaStore.h2File(dir)) {
            assertThat(store.query(SagaQuery.all(10).withType("create-order")).items()).containsExactly(old);
        }
        assertThat(indexes()).contains("BATON_SAGA_CREATED_IX", "BATON_SAGA_TYPE_CREATED_IX",
                "BATON_SAGA_STATUS_CREATED_IX", "BATON_SAGA_BUSINESS_KEY_IX", "BATON_SAGA_STATUS_IX",
                "BATON_SAGA_UPDATED_IX").doesNotContain("BATON_SAGA_TYPE_IX");
    }

    /** The names of the indexes on baton_saga in the H2 file database in {@link #dir}. */
    private List<String> indexes() throws SQLException {
        List<String> names = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(JdbiStoreOptions.h2File(dir).jdbcUrl(), "sa", "");
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT INDEX_NAME FROM INFORMATION_SCHEMA.INDEXES"
                     + " WHERE TABLE_NAME = 'BATON_SAGA'")) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }

    @Test
    @DisplayName("the schema can live beside the application's own tables; a data source passed in stays open")
    void sharedSchemaAndForeignDataSource() throws SQLException {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:h2:mem:app-" + UUID.randomUUID());
        config.setUsername("sa");
        config.setMaxLifetime(0);
        try (HikariDataSource appPool = new HikariDataSource(config)) {
            try (Connection c = appPool.getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE app_orders (id INT PRIMARY KEY)");
                s.execute("INSERT INTO app_orders VALUES (7)");
            }
            SagaRecord saga = saga("s-1", "create-order");
            try (JdbiSagaStore store = JdbiSagaStore.create(appPool)) {
                store.inTransaction(tx -> {
                    tx.insert(saga);
                    return null;
                });
                assertThat(store.find(saga.id())).contains(saga);
            }
            assertThat(appPool.isClosed()).isFalse();
            try (JdbiSagaStore again = JdbiSagaStore.create(appPool)) {
                assertThat(again.find(saga.id())).contains(saga);
            }
            try (Connection c = appPool.getConnection(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT id FROM app_orders")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(7);
            }
        }
    }

    @Test
    @DisplayName("closing drops an in-memory database; a closed store fails every call with SagaStoreException")
    void closedStore() {
        String name = "closing-" + UUID.randomUUID();
        JdbiSagaStore store = JdbiSagaStore.h2InMemory(name);
        store.inTransaction(tx -> {
            tx.insert(saga("s-1", "create-order"));
            return null;
        });
        store.close();
        store.close();

        assertThatThrownBy(() -> store.find(SagaId.of("s-1"))).isInstanceOf(SagaStoreException.class)
                .hasMessageContaining("closed");
        assertThatThrownBy(() -> store.inTransaction(tx -> null)).isInstanceOf(SagaStoreException.class);
        assertThatThrownBy(() -> store.dueTimers(T, 1)).isInstanceOf(SagaStoreException.class);
        assertThatThrownBy(() -> store.query(SagaQuery.all(1))).isInstanceOf(SagaStoreException.class);
        assertThatThrownBy(store::counts).isInstanceOf(SagaStoreException.class);
        assertThatThrownBy(store::outboxBacklog).isInstanceOf(SagaStoreException.class);
        assertThatThrownBy(() -> store.dueTimerCount(T)).isInstanceOf(SagaStoreException.class);
        assertThat(store.toString()).contains("closed");

        try (JdbiSagaStore reopened = JdbiSagaStore.h2InMemory(name)) {
            assertThat(reopened.find(SagaId.of("s-1"))).as("a new, empty database").isEmpty();
        }
    }

    @Test
    @DisplayName("a StoreTransaction cannot be used after its transaction ended, nor from another thread")
    void transactionMisuse() throws InterruptedException {
        try (JdbiSagaStore store = JdbiSagaStore.h2InMemory("misuse-" + UUID.randomUUID())) {
            AtomicReference<StoreTransaction> leaked = new AtomicReference<>();
            store.inTransaction(tx -> {
                leaked.set(tx);
                CompletableFuture<Boolean> elsewhere = CompletableFuture.supplyAsync(() -> tx.markReceived("m", T));
                assertThatThrownBy(elsewhere::get).isInstanceOf(ExecutionException.class)
                        .hasCauseInstanceOf(IllegalStateException.class);
                return null;
            });

            assertThatThrownBy(() -> leaked.get().load(SagaId.of("s-1"))).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("ended");
        }
    }

    @Test
    @DisplayName("insert wants version 1 and update version 2 or more")
    void versionArguments() {
        try (JdbiSagaStore store = JdbiSagaStore.h2InMemory("versions-" + UUID.randomUUID())) {
            SagaRecord v1 = saga("s-1", "create-order");
            SagaRecord v5 = new SagaRecord(v1.id(), v1.type(), 1, v1.status(), null, null, null, "data", "{}", "{}",
                    null, 5, T, T);
            SagaRecord v1Again = v1;
            assertThatThrownBy(() -> store.inTransaction(tx -> {
                tx.insert(v5);
                return null;
            })).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("version 1, but").hasMessageContaining("5");
            assertThatThrownBy(() -> store.inTransaction(tx -> {
                tx.update(v1Again);
                return null;
            })).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("version 2");
            assertThatThrownBy(() -> store.dueTimers(T, -1)).isInstanceOf(IllegalArgumentException.class);
            assertThat(store.outbox(FAR_FUTURE, 0)).isEmpty();
        }
    }

    @Test
    @DisplayName("a database error names the operation and the saga, but no saga data")
    void errorMessages() {
        try (JdbiSagaStore store = JdbiSagaStore.h2InMemory("errors-" + UUID.randomUUID())) {
            SagaRecord tooLong = saga("s-long", "t".repeat(300));
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
    @DisplayName("an unreachable database fails fast with SagaStoreException that does not show the password")
    void unreachable() {
        assertThatThrownBy(() -> JdbiSagaStore.create("jdbc:h2:tcp://127.0.0.1:1/nothing", "sa", "s3cret"))
                .isInstanceOf(SagaStoreException.class)
                .hasMessageContaining("jdbc:h2:tcp://127.0.0.1:1/nothing")
                .message().doesNotContain("s3cret");
    }

    @Test
    @DisplayName("options reject bad values, naming them, and never print the password")
    void options() {
        assertThatThrownBy(() -> JdbiStoreOptions.of("postgres://x", "u", "p"))
                .hasMessageContaining("'postgres://x'");
        assertThatThrownBy(() -> JdbiStoreOptions.of("jdbc:h2:mem:x", "u", "p").withMaximumPoolSize(0))
                .hasMessageContaining("maximumPoolSize must be >= 1, but was 0");
        assertThatThrownBy(() -> JdbiStoreOptions.h2InMemory("a;MODE=MySQL")).hasMessageContaining("a;MODE=MySQL");
        assertThatThrownBy(() -> JdbiStoreOptions.h2File(Path.of("/tmp/a;b"))).isInstanceOf(IllegalArgumentException.class);

        JdbiStoreOptions options = JdbiStoreOptions.of("jdbc:postgresql://db/baton?user=u&password=hunter2&ssl=true",
                "u", "hunter2");
        assertThat(options.toString()).doesNotContain("hunter2").contains("ssl=true").contains("password=****");
        assertThat(options.withMigrate(false).migrate()).isFalse();
        assertThat(options.maximumPoolSize()).isEqualTo(JdbiStoreOptions.DEFAULT_MAXIMUM_POOL_SIZE);

        assertThat(JdbiStoreOptions.h2File(dir).jdbcUrl())
                .startsWith("jdbc:h2:file:" + dir.toAbsolutePath())
                .endsWith(";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE");
    }

    @Test
    @DisplayName("a metrics tracker factory in the options gets the store's pool, so a server can publish pool metrics")
    void poolMetrics() {
        List<String> pools = new ArrayList<>();
        MetricsTrackerFactory factory = (poolName, stats) -> {
            pools.add(poolName + " max " + stats.getMaxConnections());
            return new IMetricsTracker() {};
        };
        JdbiStoreOptions options = JdbiStoreOptions.h2InMemory("metrics-" + UUID.randomUUID()).withMaximumPoolSize(3)
                .withMetricsTrackerFactory(factory);
        try (JdbiSagaStore store = JdbiSagaStore.create(options)) {
            assertThat(store.outboxBacklog()).isZero();
        }
        assertThat(pools).containsExactly("baton-store max 3");
        assertThat(options.withMigrate(false).metricsTrackerFactory()).isSameAs(factory);
        assertThat(options.toString()).contains("metrics=");
    }
}
