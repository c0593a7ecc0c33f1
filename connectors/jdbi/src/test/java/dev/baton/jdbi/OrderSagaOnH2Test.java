package dev.baton.jdbi;

import static dev.baton.testkit.example.OrderSaga.DEFINITION;

import dev.baton.testkit.SagaTestKit;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The four-step order saga run by the real engine against an H2 file. */
class OrderSagaOnH2Test extends OrderSagaOnStoreScenarios {
    @TempDir
    Path dir;

    @Override
    protected SagaTestKit kit() {
        return SagaTestKit.on(() -> JdbiSagaStore.h2File(dir), DEFINITION);
    }
}
