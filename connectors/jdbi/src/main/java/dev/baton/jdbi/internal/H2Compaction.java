package dev.baton.jdbi.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.RandomAccessStore;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps an embedded H2 file proportional to its live data while the store runs. With {@code WRITE_DELAY=0} (every
 * commit written to the file before it returns) H2 runs no background writer, and the background writer is what
 * compacts the MVStore: without it every update and delete leaves its old pages in the file and the file grows without
 * bound. So every {@value #EVERY_SECONDS} s this job rewrites the chunks that are less than
 * {@value #TARGET_FILL_RATE} % live ({@code MVStore.compact}, at most {@value #WRITE_BYTES} bytes at a time, only
 * when it gets the store's lock without waiting), then, when less than that share of the file is live, moves chunks
 * from the end of the file into the gaps (at most {@value #WRITE_BYTES} bytes, holding the store's lock) and cuts the
 * file: what H2's own background housekeeping does.
 *
 * <p>Only for a database opened in this JVM ({@code jdbc:h2:file:} or {@code jdbc:h2:./...}); a server connection
 * ({@code tcp:}, {@code ssl:}) or an in-memory database has nothing to do. Thread-safe.
 */
public final class H2Compaction implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(H2Compaction.class);
    static final int EVERY_SECONDS = 5;
    static final int TARGET_FILL_RATE = 80;
    static final int WRITE_BYTES = 16 * 1024 * 1024;
    /** At most this many rewrites in a row per turn, while chunks stay below the target. */
    private static final int MAX_ROUNDS = 8;

    private final Jdbi jdbi;
    private final ScheduledExecutorService scheduler;

    private H2Compaction(Jdbi jdbi, Duration every) {
        this.jdbi = jdbi;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("baton-h2-compaction").factory());
        long ms = every.toMillis();
        scheduler.scheduleWithFixedDelay(this::runQuietly, ms, ms, TimeUnit.MILLISECONDS);
    }

    /** True for a URL of an H2 file database opened in this JVM. */
    public static boolean appliesTo(String jdbcUrl) {
        if (!jdbcUrl.startsWith("jdbc:h2:")) {
            return false;
        }
        String rest = jdbcUrl.substring("jdbc:h2:".length());
        return !(rest.startsWith("mem:") || rest.startsWith("tcp:") || rest.startsWith("ssl:") || rest.startsWith("zip:"));
    }

    /** Starts the job on the store's connections. */
    public static H2Compaction start(Jdbi jdbi) {
        return new H2Compaction(jdbi, Duration.ofSeconds(EVERY_SECONDS));
    }

    /**
     * One turn: rewrites sparse chunks while there are some, up to {@value #MAX_ROUNDS} times.
     *
     * @return how many rewrites ran
     */
    public int compactOnce() {
        try {
            return jdbi.withHandle(h -> {
                MVStore store = mvStore(h.getConnection());
                if (store == null || store.isClosed()) {
                    return 0;
                }
                int rounds = 0;
                if (LOG.isDebugEnabled() && store.getFileStore() != null) {
                    LOG.debug("H2 before: file {} bytes, fill {} %, chunks fill {} %", store.getFileStore().size(),
                            store.getFileStore().getFillRate(), store.getFileStore().getChunksFillRate());
                }
                while (rounds < MAX_ROUNDS && store.compact(TARGET_FILL_RATE, WRITE_BYTES)) {
                    rounds++;
                }
                // the rewritten chunks leave gaps that new chunks may not fit in: move chunks from the end into them
                // and cut the file (what H2's own housekeeping does when the file is fragmented)
                if (store.getFileStore() instanceof RandomAccessStore file && file.getFillRate() < TARGET_FILL_RATE) {
                    file.compactMoveChunks(TARGET_FILL_RATE, WRITE_BYTES, store);
                    rounds++;
                }
                if (LOG.isDebugEnabled() && store.getFileStore() != null) {
                    LOG.debug("H2 after {} round(s): file {} bytes, fill {} %, chunks fill {} %", rounds,
                            store.getFileStore().size(), store.getFileStore().getFillRate(),
                            store.getFileStore().getChunksFillRate());
                }
                return rounds;
            });
        } catch (SQLException e) {
            throw new IllegalStateException("cannot reach the H2 store: " + e.getMessage(), e);
        }
    }

    /** The MVStore behind a connection to an embedded H2 database, or null. */
    static MVStore mvStore(Connection c) throws SQLException {
        if (!c.isWrapperFor(JdbcConnection.class)) {
            return null;
        }
        if (!(c.unwrap(JdbcConnection.class).getSession() instanceof SessionLocal local)) {
            return null; // a server's database: compacted by the server
        }
        var store = local.getDatabase().getStore();
        return store == null ? null : store.getMvStore();
    }

    private void runQuietly() {
        try {
            int rounds = compactOnce();
            if (rounds > 0) {
                LOG.debug("H2 compaction rewrote sparse chunks {} time(s)", rounds);
            }
        } catch (RuntimeException e) {
            LOG.warn("H2 compaction failed; it runs again in {} s: {}", EVERY_SECONDS, e.toString());
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
