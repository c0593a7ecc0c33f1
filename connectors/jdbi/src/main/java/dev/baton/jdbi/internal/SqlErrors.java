package dev.baton.jdbi.internal;

import dev.baton.engine.SagaStoreException;
import java.sql.SQLException;
import java.util.Optional;

/** Finds the {@link SQLException} behind a JDBI failure and wraps failures in {@link SagaStoreException}. Stateless. */
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
    public static SagaStoreException failure(String operation, Throwable cause) {
        String state = sqlCause(cause).map(SQLException::getSQLState).map(s -> " (SQLSTATE " + s + ")").orElse("");
        return new SagaStoreException("saga store: " + operation + " failed" + state, cause);
    }
}
