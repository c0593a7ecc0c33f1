package dev.baton.jdbi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.engine.SagaStatus;
import dev.baton.engine.spi.SagaRecord;
import dev.baton.jdbi.crash.CrashNode;
import dev.baton.jdbi.crash.DurableParticipants;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills an engine process with SIGKILL while sagas are in flight and starts another on the same H2 file:
 * every saga must end, and no participant effect may happen twice.
 */
class EngineCrashTest {
    private static final int SAGAS = 300;
    private static final int KILL_AFTER_ENDED = 30;

    @TempDir
    Path dir;

    @Test
    @DisplayName("an engine process killed with SIGKILL mid-run is restarted: every saga finishes, none twice")
    void sigkillMidRun() throws Exception {
        Process first = node();
        String seen = readUntil(first, line -> line.startsWith("ENDED") && ended(line) >= KILL_AFTER_ENDED);
        first.destroyForcibly(); // SIGKILL on Linux: no shutdown hooks, no flush, right after a commit
        assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(seen).as("the first node ended some sagas before the kill").startsWith("ENDED");

        Process second = node();
        String done = readUntil(second, line -> line.startsWith("DONE") || line.startsWith("TIMEOUT"));
        System.out.println("second node: " + done);
        assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(done).startsWith("DONE");
        assertThat(second.exitValue()).isZero();

        verify();
    }

    private void verify() {
        List<SagaRecord> sagas;
        try (JdbiSagaStore store = JdbiSagaStore.h2File(dir.resolve("engine"))) {
            sagas = store.inTransaction(tx -> java.util.stream.IntStream.range(0, SAGAS)
                    .mapToObj(i -> tx.loadByBusinessKey(CrashNode.DEFINITION.type(), "order-" + i).orElseThrow(
                            () -> new AssertionError("saga order-" + i + " is missing")))
                    .toList());
        }
        for (int i = 0; i < SAGAS; i++) {
            SagaStatus expected = i % 5 == 0 ? SagaStatus.COMPENSATED : SagaStatus.COMPLETED;
            assertThat(sagas.get(i).status()).as("order-%d", i).isEqualTo(expected);
        }
        try (DurableParticipants participants = new DurableParticipants(dir)) {
            List<Map<String, Object>> effects = participants.jdbi().withHandle(h -> h.createQuery(
                    "SELECT saga_id, step, kind, outcome FROM effect WHERE outcome = 'SUCCESS'").mapToMap().list());
            Map<String, Long> perStep = effects.stream().collect(Collectors.groupingBy(
                    e -> e.get("saga_id") + "/" + e.get("step") + "/" + e.get("kind"), Collectors.counting()));
            assertThat(perStep.values()).as("no effect happened twice").allMatch(n -> n == 1);
            for (int i = 0; i < SAGAS; i++) {
                String id = sagas.get(i).id().value();
                if (i % 5 == 0) {
                    assertThat(perStep).containsKeys(id + "/create-order/compensation", id + "/reserve-inventory/compensation")
                            .doesNotContainKeys(id + "/authorize-payment/command", id + "/schedule-shipment/command");
                } else {
                    assertThat(perStep).containsKeys(id + "/create-order/command", id + "/reserve-inventory/command",
                                    id + "/authorize-payment/command", id + "/schedule-shipment/command")
                            .doesNotContainKeys(id + "/create-order/compensation", id + "/reserve-inventory/compensation");
                }
            }
        }
    }

    private Process node() throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                CrashNode.class.getName(), dir.toString(), Integer.toString(SAGAS))
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
    }

    /** Reads the process's output until a line matches; returns it (or the last line when the output ends). */
    private static String readUntil(Process p, Predicate<String> stop) throws IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line;
        String last = "";
        while ((line = r.readLine()) != null) {
            last = line;
            if (stop.test(line)) {
                return line;
            }
        }
        return last;
    }

    private static int ended(String line) {
        return Integer.parseInt(line.substring("ENDED ".length()).trim());
    }
}
