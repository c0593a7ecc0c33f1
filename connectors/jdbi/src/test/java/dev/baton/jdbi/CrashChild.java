package dev.baton.jdbi;

import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.spi.OutboxRecord;
import dev.baton.engine.spi.SagaRecord;
import dev.baton.engine.spi.SagaStore;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

/**
 * The process {@link CrashSafetyTest} kills: opens a store on a directory and commits one transaction after another,
 * printing {@code ACK <n>} on stdout after transaction n's commit returned. Runs until killed.
 *
 * <p>Arguments: the directory, then {@code shipped} (the store as {@link JdbiSagaStore#h2File} opens it) or
 * {@code h2-default} (H2's own default write delay: the control, for showing by hand that the test can see a loss).
 */
final class CrashChild {

    static final String ACK = "ACK ";

    private CrashChild() {}

    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        PrintStream out = System.out; // logs go to stderr (slf4j-simple), so stdout carries only acknowledgements
        try (SagaStore store = open(dir, args[1])) {
            for (long n = 1; n < 10_000_000; n++) {
                SagaRecord saga = saga(n);
                store.inTransaction(tx -> {
                    tx.insert(saga);
                    tx.addOutbox(List.of(new OutboxRecord("o-" + saga.id(), saga.id(), "customers",
                            "m-" + saga.id(), "ReserveCredit", Map.of("baton-saga-id", saga.id().value()), "{}",
                            saga.createdAt())));
                    return null;
                });
                out.println(ACK + n);
                out.flush();
            }
        }
    }

    private static SagaStore open(Path dir, String mode) {
        return switch (mode) {
            case "shipped" -> JdbiSagaStore.h2File(dir);
            case "h2-default" -> JdbiSagaStore.create(
                    "jdbc:h2:file:" + dir.toAbsolutePath().resolve("baton") + ";DB_CLOSE_ON_EXIT=FALSE", "sa", "");
            default -> throw new IllegalArgumentException("mode must be 'shipped' or 'h2-default', but was '" + mode + "'");
        };
    }

    static SagaId id(long n) {
        return SagaId.of("crash-" + n);
    }

    private static SagaRecord saga(long n) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        return new SagaRecord(id(n), "crash-test", 1, SagaStatus.RUNNING, null, "step-1", "bk-" + n, "data",
                "{\"n\":" + n + "}", "{}", null, 1, now, now);
    }
}
