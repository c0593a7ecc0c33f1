package dev.baton.jdbi.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.h2.mvstore.MVStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durability barrier of an embedded H2 file (group commit). Transactions commit into H2's memory (the database
 * runs with a write delay, so a commit does not write the file), and callers that must not go on before their
 * commit is in the file call {@link #awaitDurable()}: it returns once a write that began after the call has put
 * every earlier commit into the file. One thread does the writing, as soon as someone waits and the previous write
 * is done, so the commits of every caller that arrived meanwhile share one write: the file gets a chunk per write
 * instead of one per commit.
 *
 * <p>A write is {@code MVStore.commit()} followed by an empty {@code executeFilestoreOperation}: the commit may
 * return without writing when a store of H2's own background writer began meanwhile, and that store may still sit
 * in H2's serialization and save executors; the file-store operation waits for both. Like {@code WRITE_DELAY=0} it
 * writes to the operating system, without {@code fsync}: what it guards against is the process being killed, not a
 * power cut.
 *
 * <p>Thread-safe. A failed write fails every caller waiting for it ({@link IllegalStateException}); the next call
 * tries again.
 */
public final class H2GroupCommit implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(H2GroupCommit.class);

    private final MVStore store;
    private final Object lock = new Object();
    private final Thread writer;
    /** Writes asked for: a caller waits for the write numbered {@code started + 1} at its call. */
    private long requested;
    /** The number of the write in progress or last begun. */
    private long started;
    /** The number of the last write finished. */
    private long finished;
    /** The number of the last write that failed, and why. */
    private long failedWrite;
    private RuntimeException failure;
    private boolean closed;
    private final AtomicLong writes = new AtomicLong();

    private H2GroupCommit(MVStore store) {
        this.store = store;
        this.writer = Thread.ofPlatform().daemon().name("baton-h2-group-commit").start(this::run);
    }

    /**
     * A barrier for the embedded H2 database behind {@code dataSource}, or null when there is none to keep: not an
     * H2 database opened in this JVM, or one that writes every commit at once ({@code WRITE_DELAY=0}).
     */
    public static H2GroupCommit startIfDelayed(DataSource dataSource) {
        try (Connection c = dataSource.getConnection()) {
            MVStore store = H2Compaction.mvStore(c);
            if (store == null || store.getFileStore() == null || store.getAutoCommitDelay() == 0) {
                return null;
            }
            return new H2GroupCommit(store);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot reach the H2 store: " + e.getMessage(), e);
        }
    }

    /**
     * Returns once every transaction committed before this call is in the file.
     *
     * @throws IllegalStateException when the write failed or the barrier closed before it
     */
    public void awaitDurable() {
        synchronized (lock) {
            long target = started + 1;
            if (requested < target) {
                requested = target;
                lock.notifyAll();
            }
            boolean interrupted = false;
            while (finished < target && !closed) {
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    interrupted = true; // the commit is done; its durability is what the caller waits for
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            if (failedWrite >= target && failure != null) {
                throw new IllegalStateException("H2 could not write committed transactions to its file: "
                        + failure.getMessage(), failure);
            }
            if (finished < target) {
                throw new IllegalStateException("the H2 store closed before committed transactions were written");
            }
        }
    }

    /** Writes so far (for tests and logs). */
    public long writes() {
        return writes.get();
    }

    private void run() {
        while (true) {
            long number;
            synchronized (lock) {
                while (requested <= started && !closed) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        closed = true;
                    }
                }
                if (closed) {
                    lock.notifyAll();
                    return;
                }
                number = ++started;
            }
            RuntimeException error = null;
            try {
                if (!store.isClosed()) {
                    store.commit();
                    store.executeFilestoreOperation(() -> { });
                    writes.incrementAndGet();
                }
            } catch (RuntimeException e) {
                error = e;
                LOG.warn("H2 group commit: writing committed transactions to the file failed: {}", e.toString());
            }
            synchronized (lock) {
                finished = number;
                if (error != null) {
                    failedWrite = number;
                    failure = error;
                }
                lock.notifyAll();
            }
        }
    }

    /** Finishes the write in progress, if any, and stops; callers still waiting get an exception. */
    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            lock.notifyAll();
        }
        try {
            writer.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
