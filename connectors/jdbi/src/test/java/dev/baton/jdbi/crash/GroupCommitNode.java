package dev.baton.jdbi.crash;

import dev.baton.engine.HistoryKind;
import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.spi.HistoryRecord;
import dev.baton.engine.spi.OutboxRecord;
import dev.baton.engine.spi.SagaRecord;
import dev.baton.engine.spi.TimerKind;
import dev.baton.engine.spi.TimerRecord;
import dev.baton.jdbi.JdbiSagaStore;
import dev.baton.jdbi.JdbiStoreOptions;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 *   <li>{@code store <dir> <run> <threads>}: through {@link JdbiSagaStore} on an H2 file with H2's write delay,
 *       which the store writes through its group commit;</li>
 *   <li>{@code steps <dir> <run> <threads> [<h2 settings>]}: the engine's kind of work: each thread inserts a saga,
 *       then runs four step transactions on it (versioned update, history, an outbox row, timers replaced) and
 *       deletes each outbox row after its step, printing {@code ACK <id> <version>} after each transaction; the
 *       settings replace the default URL's (for example {@code ;WRITE_DELAY=0}, to compare), and
 *       {@code NO_COMPACTION} among them turns the store's H2 compaction off;</li>
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
        if (args[0].equals("steps")) {
            String settings = args.length > 4 ? args[4] : "";
            boolean compaction = !settings.contains("NO_COMPACTION");
            settings = settings.replace("NO_COMPACTION", "");
            String url = groupCommitUrl(dir);
            if (!settings.isEmpty()) {
                url = url.replace(";WRITE_DELAY=500", "") + settings;
            }
            JdbiSagaStore store = JdbiSagaStore.create(JdbiStoreOptions.of(url, "sa", "").withH2Compaction(compaction));
            System.out.println("READY");
            for (int t = 0; t < threads; t++) {
                Thread.ofPlatform().start(() -> {
                    while (true) {
                        steps(store, run + "-" + next.incrementAndGet());
                    }
                });
            }
        } else if (args[0].equals("store")) {
            JdbiSagaStore store = JdbiSagaStore.create(JdbiStoreOptions.of(groupCommitUrl(dir), "sa", ""));
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

    /** The store's H2 file with H2's write delay, which the store writes through its group commit. */
    public static String groupCommitUrl(Path dir) {
        return "jdbc:h2:file:" + dir.resolve("baton").toAbsolutePath() + ";WRITE_DELAY=500;DB_CLOSE_ON_EXIT=FALSE";
    }

    private static void steps(JdbiSagaStore store, String id) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        String data = "{\"orderId\":\"" + id + "\",\"customerId\":\"c\",\"amountCents\":2500,\"note\":\"" + "x".repeat(200) + "\"}";
        SagaRecord saga = new SagaRecord(SagaId.of(id), "kill-test", 1, SagaStatus.RUNNING, null, "step-0", null, "data",
                data, "{}", null, 1, now, now);
        store.inTransaction(tx -> {
            tx.insert(saga);
            return null;
        });
        System.out.println("ACK " + id + " 1");
        for (int step = 1; step <= 4; step++) {
            Instant at = Instant.now().truncatedTo(ChronoUnit.MICROS);
            long version = saga.version() + step;
            SagaRecord next = new SagaRecord(saga.id(), saga.type(), 1,
                    step == 4 ? SagaStatus.COMPLETED : SagaStatus.RUNNING, null, "step-" + step, null, "data", data, "{}",
                    null, version, now, at);
            String outboxId = id + "/" + step;
            int s = step;
            store.inTransaction(tx -> {
                tx.update(next);
                tx.appendHistory(List.of(new HistoryRecord(0, saga.id(), at, HistoryKind.REPLY_RECEIVED, "step-" + s, "SUCCESS"),
                        new HistoryRecord(0, saga.id(), at, HistoryKind.COMMAND_SENT, "step-" + s, "attempt 1")));
                tx.addOutbox(List.of(new OutboxRecord(outboxId, saga.id(), "payment", id + "/step-" + s + "/do/1", "Command",
                        Map.of("baton-step", "step-" + s), data, at)));
                tx.cancelTimers(saga.id(), Set.of(TimerKind.TIMEOUT));
                tx.setTimer(new TimerRecord(saga.id(), TimerKind.TIMEOUT, "step-" + s, "t" + s, at.plusSeconds(30)));
                return null;
            });
            System.out.println("ACK " + id + " " + version);
            store.deleteOutbox(List.of(outboxId));
        }
    }
}
