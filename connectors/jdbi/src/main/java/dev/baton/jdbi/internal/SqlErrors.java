package dev.baton.jdbi.internal;

import dev.baton.engine.ConcurrentUpdateException;
import dev.baton.engine.SagaException;
import dev.baton.engine.SagaStoreException;
import java.sql.SQLException;
import java.util.Optional;

/**
 * Finds the {@link SQLException} behind a JDBI failure and wraps failures in {@link SagaStoreException}, or in a
 * {@link ConcurrentUpdateException} when the database aborted the transaction for a conflict. Stateless.
 */
public final class SqlErrors {

    private SqlErrors() {}

    /** The first {@link SQLException} in {@code e}'s cause chain, if any. */
    public static Optional<SQLException> sqlCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql) {
                return Optional.of(sql);
            }
        }
        return Optional.empty();
    }

    /**
     * A store failure naming the operation, for example {@code "insert of saga 8f3c…"}, and the SQLSTATE. The
     * message holds no SQL parameters (they may be saga data); the cause does.
     */
    public static SagaException failure(String operation, Throwable cause) {
        String sqlState = sqlCause(cause).map(SQLException::getSQLState).orElse(null);
        String state = sqlState == null ? "" : " (SQLSTATE " + sqlState + ")";
        if (isConflict(sqlState)) {
            return new ConcurrentUpdateException("saga store: " + operation + " was aborted by the database to resolve a"
                    + " conflict with a concurrent transaction" + state + "; it is retried", cause);
        }
        return new SagaStoreException("saga store: " + operation + " failed" + state, cause);
    }

    /**
     * True for the SQLSTATEs of a transaction the database aborted because of a concurrent one: 40001 (serialization
     * failure; H2's "deadlock detected" too) and 40P01 (PostgreSQL's deadlock). Several engine nodes can meet these
     * when two of them touch the same saga's rows in different orders (a reply batch and a timer, say).
     */
    static boolean isConflict(String sqlState) {
        return "40001".equals(sqlState) || "40P01".equals(sqlState);
    }
}
