package dev.baton.jdbi.internal;

import dev.baton.engine.SagaStoreException;
import java.sql.SQLException;
import java.util.Locale;

/**
 * What differs between the databases the store runs on: where the migration scripts are, the SQL that is not
 * standard, and how a database names a broken constraint. Immutable; thread-safe.
 */
public enum Dialect {
    /** H2 2.x, the embedded default. */
    H2("db/baton/h2",
            "MERGE INTO baton_timer (saga_id, kind, step, token, fire_at) KEY (saga_id, kind)"
                    + " VALUES (:sagaId, :kind, :step, :token, :fireAt)");

    /** SQLSTATE of a unique or primary key violation (SQL standard, also PostgreSQL). */
    private static final String UNIQUE_VIOLATION = "23505";

    private final String migrationLocation;
    private final String upsertTimer;

    Dialect(String migrationLocation, String upsertTimer) {
        this.migrationLocation = migrationLocation;
        this.upsertTimer = upsertTimer;
    }

    /**
     * Picks the dialect from {@link java.sql.DatabaseMetaData#getDatabaseProductName()}.
     *
     * @throws SagaStoreException for a database the store does not support (yet)
     */
    public static Dialect forProductName(String productName) {
        String name = productName == null ? "" : productName.toLowerCase(Locale.ROOT);
        if (name.equals("h2")) {
            return H2;
        }
        throw new SagaStoreException("the JDBI saga store does not support the database '" + productName
                + "'; supported: H2 (PostgreSQL is planned, with its own scripts under db/baton/postgresql)", null);
    }

    /** The classpath folder of this database's Flyway scripts. */
    public String migrationLocation() {
        return migrationLocation;
    }

    /** Inserts or replaces the timer of one saga and kind; named parameters sagaId, kind, step, token, fireAt. */
    public String upsertTimer() {
        return upsertTimer;
    }

    /** True when {@code e} reports a unique or primary key violation. */
    public boolean isUniqueViolation(SQLException e) {
        return UNIQUE_VIOLATION.equals(e.getSQLState());
    }

    /**
     * True when {@code e} reports a violation of the constraint called {@code constraint}. H2 names the constraint
     * (upper-cased) in the message; there is no structured field for it.
     */
    public boolean violates(SQLException e, String constraint) {
        String message = e.getMessage();
        return isUniqueViolation(e) && message != null
                && message.toUpperCase(Locale.ROOT).contains(constraint.toUpperCase(Locale.ROOT));
    }
}
