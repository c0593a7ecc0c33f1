package dev.baton.jdbi;

import dev.baton.engine.spi.SagaStore;
import dev.baton.testkit.SagaStoreCompatibilityKit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The store contract on a real PostgreSQL: one database for the class (migrated by the first store), its tables
 * emptied before each test.
 */
@DisplayName("JdbiSagaStore on PostgreSQL passes the store compatibility kit")
@ExtendWith(PostgresExtension.class)
class JdbiSagaStorePostgresTest extends SagaStoreCompatibilityKit {

    private JdbiSagaStore store;

    @BeforeEach
    void open(PostgresDatabase db) {
        store = db.openStore();
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
