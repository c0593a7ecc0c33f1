package dev.baton.participant.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.engine.SagaStatus;
import dev.baton.engine.spi.SagaRecord;
import dev.baton.jdbi.JdbiSagaStore;
import dev.baton.kafka.dev.EmbeddedKafkaBroker;
import dev.baton.kafka.dev.junit.KafkaBrokerExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine, in a process of its own on an H2 file, is killed with SIGKILL while sagas are in flight over the real
 * broker, and a new process is started on the same directory. The four participant services run in this JVM and
 * stay up. Every saga must end as its amount says, and every participant effect must have happened once.
 */
@ExtendWith(KafkaBrokerExtension.class)
class KafkaEngineCrashTest {
    private static final int SAGAS = 300;
    private static final int KILL_AFTER_ENDED = 30;
    private static final String PREFIX = "engine-crash.";

    @TempDir
    Path dir;

    @Test
    @DisplayName("the engine process is SIGKILLed mid-run and restarted: every saga ends as expected, every effect once")
    void engineKilledMidRun(EmbeddedKafkaBroker broker) throws Exception {
        String[] args = {broker.bootstrapServers(), dir.toString(), Integer.toString(SAGAS), PREFIX};
        try (OrderServices services = new OrderServices(CrashSaga.options(broker.bootstrapServers(), PREFIX), 1)) {
            long killedAt;
            try (ChildProcess first = ChildProcess.start("engine-1", CrashEngineNode.class, dir.resolve("engine-1.log"), args)) {
                first.awaitLine(line -> line.startsWith("ENDED ") && field(line, 1) >= KILL_AFTER_ENDED, Duration.ofSeconds(60));
                killedAt = first.kill();
            }

            try (ChildProcess second = ChildProcess.start("engine-2", CrashEngineNode.class, dir.resolve("engine-2.log"), args)) {
                long found = field(second.awaitLine(line -> line.startsWith("FOUND "), Duration.ofSeconds(30)).replace("terminal=", ""), 1);
                String done = second.awaitLine(line -> line.startsWith("DONE") || line.startsWith("TIMEOUT"), Duration.ofSeconds(90));
                assertThat(done).as(second.lines().toString()).startsWith("DONE");
                assertThat(second.exitCode(Duration.ofSeconds(30))).isZero();
                assertThat(found).as("sagas already ended when the second process came up: the kill was mid-run")
                        .isBetween((long) KILL_AFTER_ENDED, SAGAS - 1L);

                long open = field(second.line("OPEN "), 1);
                long jvm = Long.parseLong(second.line("OPEN ").split(" jvm=")[1]);
                long step = field(second.line("STEP "), 1);
                long firstEnd = field(second.line("ENDED 1 "), 2);
                long allDone = field(done, 3);
                System.out.printf("engine crash: %d of %d sagas ended before the SIGKILL; after it: JVM up +%d ms, engine open"
                                + " +%d ms, first step +%d ms, first saga ended +%d ms, all %d ended +%d ms (%s)%n",
                        found, SAGAS, jvm - killedAt, open - killedAt, step - killedAt, firstEnd - killedAt, SAGAS,
                        allDone - killedAt, done);
            }

            verify(services);
        }
    }

    private void verify(OrderServices services) {
        List<SagaRecord> sagas;
        try (JdbiSagaStore store = JdbiSagaStore.h2File(dir.resolve("engine"))) {
            sagas = store.inTransaction(tx -> IntStream.range(0, SAGAS)
                    .mapToObj(i -> tx.loadByBusinessKey(CrashSaga.DEFINITION.type(), CrashSaga.businessKey(i))
                            .orElseThrow(() -> new AssertionError("saga " + CrashSaga.businessKey(i) + " is missing")))
                    .toList());
        }
        long expectedEffects = 0;
        for (int i = 0; i < SAGAS; i++) {
            SagaRecord saga = sagas.get(i);
            Map<String, Long> effects = services.effects(saga.id().value());
            if (CrashSaga.amount(i) % 10 == 3) {
                assertThat(saga.status()).as("saga %d (declined)", i).isEqualTo(SagaStatus.COMPENSATED);
                assertThat(effects).as("saga %d: each effect once", i).containsOnly(
                        Map.entry("create-order/COMMAND", 1L), Map.entry("reserve-inventory/COMMAND", 1L),
                        Map.entry("create-order/COMPENSATION", 1L), Map.entry("reserve-inventory/COMPENSATION", 1L));
            } else {
                assertThat(saga.status()).as("saga %d", i).isEqualTo(SagaStatus.COMPLETED);
                assertThat(effects).as("saga %d: each effect once", i).containsOnly(
                        Map.entry("create-order/COMMAND", 1L), Map.entry("reserve-inventory/COMMAND", 1L),
                        Map.entry("authorize-payment/COMMAND", 1L), Map.entry("schedule-shipment/COMMAND", 1L));
            }
            expectedEffects += 4;
        }
        assertThat(services.totalEffects()).as("no effect outside these sagas").isEqualTo(expectedEffects);
    }

    /** The {@code i}-th space-separated field of a line, as a number. */
    static long field(String line, int i) {
        return Long.parseLong(line.split(" ")[i]);
    }
}
