package dev.baton.participant.internal;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransactionRollbackException;
import java.sql.SQLTransientConnectionException;
import java.util.Optional;

/** Classifies database failures into what the runtime should do about them. Stateless. */
public final class SqlErrors {
    private SqlErrors() {}

    /** What a failure means for the delivery in progress. */
    public enum Kind {
        /**
         * Another transaction got in the way (deadlock, serialization failure, lock timeout, a unique key inserted
         * concurrently): run the whole transaction again, at once.
         */
        CONTENTION,
        /** The database cannot be reached or the connection broke: give up for now; the transport redelivers later. */
        UNREACHABLE,
        /** Anything else, including failures that are not database failures at all. */
        OTHER
    }

    /** SQLSTATE of a unique or primary key violation (SQL standard, H2 and PostgreSQL). */
    public static final String UNIQUE_VIOLATION = "23505";
    /** H2's SQLSTATE for "Timeout trying to lock table". */
    private static final String H2_LOCK_TIMEOUT = "HYT00";
    /** PostgreSQL's SQLSTATE for lock_not_available ({@code lock_timeout} expired, or {@code NOWAIT}). */
    private static final String POSTGRES_LOCK_NOT_AVAILABLE = "55P03";

    /** The first {@link SQLException} in {@code e}'s cause chain, if any. */
    public static Optional<SQLException> sqlCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql) {
                return Optional.of(sql);
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return Optional.empty();
    }

    /** True when {@code e} reports a unique or primary key violation. */
    public static boolean isUniqueViolation(Throwable e) {
        return sqlCause(e).map(s -> UNIQUE_VIOLATION.equals(s.getSQLState())).orElse(false);
    }

    /** Classifies {@code e} by the first SQL exception in its cause chain. */
    public static Kind classify(Throwable e) {
        Optional<SQLException> found = sqlCause(e);
        if (found.isEmpty()) {
            return Kind.OTHER;
        }
        SQLException sql = found.get();
        String state = sql.getSQLState() == null ? "" : sql.getSQLState();
        if (sql instanceof SQLTransientConnectionException || sql instanceof SQLNonTransientConnectionException
                || state.startsWith("08")) {
            return Kind.UNREACHABLE;
        }
        if (sql instanceof SQLTransactionRollbackException || state.startsWith("40") || H2_LOCK_TIMEOUT.equals(state)
                || POSTGRES_LOCK_NOT_AVAILABLE.equals(state)) {
            return Kind.CONTENTION;
        }
        return Kind.OTHER;
    }

    /** A one-line description: the SQLSTATE and the database's message, never bound values. */
    public static String describe(Throwable e) {
        return sqlCause(e).map(s -> "SQLSTATE " + s.getSQLState() + ": " + firstLine(s.getMessage()))
                .orElseGet(() -> e.getClass().getName() + ": " + firstLine(e.getMessage()));
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "(no message)";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
