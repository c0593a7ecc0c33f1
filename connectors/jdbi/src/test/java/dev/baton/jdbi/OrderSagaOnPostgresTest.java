package dev.baton.jdbi;

import static dev.baton.testkit.example.OrderSaga.DEFINITION;

import dev.baton.testkit.SagaTestKit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/** The four-step order saga run by the real engine on PostgreSQL; the class database is emptied before each test. */
@ExtendWith(PostgresExtension.class)
class OrderSagaOnPostgresTest extends OrderSagaOnStoreScenarios {
    private PostgresDatabase db;

    @BeforeEach
    void emptyDatabase(PostgresDatabase database) {
        db = database;
        db.openStore().close(); // migrates the class database on first use
        db.clearBatonTables();
    }

    /** Every store the kit opens (a restart opens a new one) is a new pool on the same database. */
    @Override
    protected SagaTestKit kit() {
        return SagaTestKit.on(db::openStore, DEFINITION);
    }
}
