package dev.baton.jdbi;

import dev.baton.engine.spi.SagaStore;
import dev.baton.testkit.SagaStoreCompatibilityKit;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;

/** The store contract on in-memory H2: a fresh database per test, dropped when the store closes. */
@DisplayName("JdbiSagaStore on in-memory H2 passes the store compatibility kit")
class JdbiSagaStoreH2Test extends SagaStoreCompatibilityKit {

    private JdbiSagaStore store;

    @BeforeEach
    void open() {
        store = JdbiSagaStore.h2InMemory("kit-" + UUID.randomUUID());
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
