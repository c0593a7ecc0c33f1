package dev.baton.jdbi.crash;

import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.spi.SagaRecord;
import dev.baton.jdbi.JdbiSagaStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The child process of {@code GroupCommitKillTest}: threads that insert sagas into an H2 file as fast as they can and
 * print {@code ACK <id>} for each once the insert returned; the test kills the process with SIGKILL at a random
 * moment and checks that every acknowledged saga is in the file.
 *
 * <ul>
 *   <li>{@code store <dir> <run> <threads>}: through {@link JdbiSagaStore#h2File}, the embedded default (a write
 *       delay and the store's group commit);</li>
 *   <li>{@code raw <dir> <run> <threads>}: plain JDBC on the same kind of URL, {@code WRITE_DELAY=500}, no group
 *       commit: the control, which shows that the kill lands where acknowledged commits can be lost.</li>
 * </ul>
 */
public final class GroupCommitNode {
    private GroupCommitNode() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[1]);
        String run = args[2];
        int threads = Integer.parseInt(args[3]);
        AtomicLong next = new AtomicLong();
        if (args[0].equals("store")) {
            JdbiSagaStore store = JdbiSagaStore.h2File(dir);
            System.out.println("READY");
            for (int t = 0; t < threads; t++) {
                Thread.ofPlatform().start(() -> {
                    while (true) {
                        String id = run + "-" + next.incrementAndGet();
                        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
                        SagaRecord saga = new SagaRecord(SagaId.of(id), "kill-test", 1, SagaStatus.RUNNING, null, "step",
                                null, "data", "{}", "{}", null, 1, now, now);
                        store.inTransaction(tx -> {
                            tx.insert(saga);
                            return null;
                        });
                        System.out.println("ACK " + id);
                    }
                });
            }
        } else {
            String url = "jdbc:h2:file:" + dir.resolve("baton").toAbsolutePath() + ";WRITE_DELAY=500;DB_CLOSE_ON_EXIT=FALSE";
            try (Connection c = DriverManager.getConnection(url, "sa", "")) {
                c.createStatement().execute("CREATE TABLE IF NOT EXISTS acked (id VARCHAR(100) PRIMARY KEY)");
            }
            System.out.println("READY");
            for (int t = 0; t < threads; t++) {
                Thread.ofPlatform().start(() -> {
                    try (Connection c = DriverManager.getConnection(url, "sa", "");
                         PreparedStatement insert = c.prepareStatement("INSERT INTO acked VALUES (?)")) {
                        while (true) {
                            String id = run + "-" + next.incrementAndGet();
                            insert.setString(1, id);
                            insert.executeUpdate();
                            System.out.println("ACK " + id);
                        }
                    } catch (Exception e) {
                        e.printStackTrace();
                    }
                });
            }
        }
        Thread.currentThread().join();
    }
}
