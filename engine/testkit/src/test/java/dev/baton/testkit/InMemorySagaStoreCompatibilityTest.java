package dev.baton.testkit;

import dev.baton.engine.spi.SagaStore;
import org.junit.jupiter.api.BeforeEach;

/** The in-memory store honours the same contract as the JDBI store. */
class InMemorySagaStoreCompatibilityTest extends SagaStoreCompatibilityKit {
    private InMemorySagaStore store;

    @BeforeEach
    void open() {
        store = new InMemorySagaStore();
    }

    @Override
    protected SagaStore store() {
        return store;
    }
}
