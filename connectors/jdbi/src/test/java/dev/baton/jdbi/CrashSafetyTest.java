package dev.baton.jdbi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded default keeps every acknowledged commit when the process is killed: a child JVM commits in a loop and
 * acknowledges each commit on stdout; this test kills it with SIGKILL mid-stream, reopens the file and looks for every
 * acknowledged transaction.
 *
 * <p>Control, run by hand: with the child in {@code h2-default} mode (H2's 500 ms write delay) the same test loses
 * acknowledged commits, so it does detect the failure it guards against.
 */
class CrashSafetyTest {

    /** Acknowledged commits to wait for before the kill. */
    private static final int ACKS_BEFORE_KILL = 200;
    /** Kills a child that stops making progress, so a hang fails the test instead of blocking the build. */
    private static final long HANG_GUARD_SECONDS = 120;

    @TempDir
    Path dir;

    @Test
    @DisplayName("every commit acknowledged before the process was killed (SIGKILL) is there after reopening the H2 file")
    void acknowledgedCommitsSurviveKill() throws Exception {
        String mode = System.getProperty("baton.crash.mode", "shipped");
        Path stderr = dir.resolve("child-stderr.txt");
        Path data = Files.createDirectories(dir.resolve("db"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), CrashChild.class.getName(), data.toString(), mode)
                .redirectError(stderr.toFile())
                .start();
        CompletableFuture.delayedExecutor(HANG_GUARD_SECONDS, TimeUnit.SECONDS).execute(child::destroyForcibly);

        long lastAcked;
        try {
            lastAcked = readAcks(child, stderr);
        } finally {
            child.destroyForcibly(); // SIGKILL on Linux: no shutdown hooks, no H2 close
        }
        assertThat(child.waitFor(HANG_GUARD_SECONDS, TimeUnit.SECONDS)).as("child exited after the kill").isTrue();

        List<Long> lost = new ArrayList<>();
        long beyond = 0;
        int outboxRows;
        try (JdbiSagaStore store = JdbiSagaStore.h2File(data)) {
            for (long n = 1; n <= lastAcked; n++) {
                if (store.find(CrashChild.id(n)).isEmpty()) {
                    lost.add(n);
                }
            }
            while (store.find(CrashChild.id(lastAcked + beyond + 1)).isPresent()) {
                beyond++;
            }
            outboxRows = store.outbox(Instant.parse("9000-01-01T00:00:00Z"), Integer.MAX_VALUE).size();
        }
        System.out.printf("crash test (%s): %d commits acknowledged, %d lost, %d committed but not yet acknowledged,"
                + " %d outbox rows%n", mode, lastAcked, lost.size(), beyond, outboxRows);
        assertThat(lost).as("acknowledged commits missing after the kill (of %d acknowledged)", lastAcked).isEmpty();
        assertThat(outboxRows).as("outbox rows, written in the same transactions as the sagas")
                .isEqualTo(lastAcked + beyond);
    }

    private static long readAcks(Process child, Path stderr) throws IOException {
        long last = 0;
        try (BufferedReader out = child.inputReader(StandardCharsets.UTF_8)) {
            while (last < ACKS_BEFORE_KILL) {
                String line = out.readLine();
                if (line == null) {
                    fail("the child process ended after " + last + " acknowledged commits; its stderr:\n"
                            + Files.readString(stderr));
                }
                if (line.startsWith(CrashChild.ACK)) {
                    long n = Long.parseLong(line.substring(CrashChild.ACK.length()));
                    assertThat(n).as("acknowledgements come in order").isEqualTo(last + 1);
                    last = n;
                }
            }
        }
        return last;
    }
}
