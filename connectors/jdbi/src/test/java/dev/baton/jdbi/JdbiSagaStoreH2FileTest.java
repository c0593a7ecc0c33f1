package dev.baton.jdbi;

import dev.baton.engine.spi.SagaStore;
import dev.baton.testkit.SagaStoreCompatibilityKit;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;

/** The store contract on the embedded default as shipped: an H2 file with WRITE_DELAY=0, new per test. */
@DisplayName("JdbiSagaStore on an H2 file (the embedded default) passes the store compatibility kit")
class JdbiSagaStoreH2FileTest extends SagaStoreCompatibilityKit {

    @TempDir
    Path dir;

    private JdbiSagaStore store;

    @BeforeEach
    void open() {
        store = JdbiSagaStore.h2File(dir);
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
