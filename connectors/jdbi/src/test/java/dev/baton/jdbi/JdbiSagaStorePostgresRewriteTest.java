package dev.baton.jdbi;

import dev.baton.engine.spi.SagaStore;
import dev.baton.testkit.SagaStoreCompatibilityKit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The store contract on PostgreSQL with {@code reWriteBatchedInserts=true}, a common tuning of the JDBC driver: it
 * rewrites a batch of inserts into multi-row statements and then reports {@code SUCCESS_NO_INFO} instead of each
 * row's count, so nothing in the store may read an insert batch's counts.
 */
@DisplayName("JdbiSagaStore on PostgreSQL with reWriteBatchedInserts=true passes the store compatibility kit")
@ExtendWith(PostgresExtension.class)
class JdbiSagaStorePostgresRewriteTest extends SagaStoreCompatibilityKit {

    private JdbiSagaStore store;

    @BeforeEach
    void open(PostgresDatabase db) {
        String url = db.jdbcUrl() + (db.jdbcUrl().contains("?") ? "&" : "?") + "reWriteBatchedInserts=true";
        store = JdbiSagaStore.create(JdbiStoreOptions.of(url, db.user(), db.password()));
        db.clearBatonTables();
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Override
    protected SagaStore store() {
        return store;
    }
}
