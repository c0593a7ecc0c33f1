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
            "MERGE INTO baton_timer (saga_id, kind, step, token, fire_at, lease_until, participant) KEY (saga_id, kind, step)"
                    + " VALUES (:sagaId, :kind, :step, :token, :fireAt, NULL, :participant)",
            // a duplicate fails the statement only (H2 undoes just that statement), and the store catches it
            "INSERT INTO baton_inbox (message_id, received_at) VALUES (:id, :at)"),

    /**
     * PostgreSQL (tested on 14). A failed statement aborts the whole transaction here, so the statements that may
     * meet an existing row must not fail: the timer upsert and the inbox insert use {@code ON CONFLICT}.
     */
    POSTGRESQL("db/baton/postgresql",
            "INSERT INTO baton_timer (saga_id, kind, step, token, fire_at, participant)"
                    + " VALUES (:sagaId, :kind, :step, :token, :fireAt, :participant)"
                    + " ON CONFLICT (saga_id, kind, step) DO UPDATE SET token = EXCLUDED.token,"
                    + " fire_at = EXCLUDED.fire_at, lease_until = NULL, participant = EXCLUDED.participant",
            // 0 rows when the id is there; a concurrent insert of the same id makes this wait for its transaction
            // and then insert (it rolled back) or do nothing (it committed)
            "INSERT INTO baton_inbox (message_id, received_at) VALUES (:id, :at) ON CONFLICT (message_id) DO NOTHING");

    /** SQLSTATE of a unique or primary key violation (SQL standard, also PostgreSQL). */
    private static final String UNIQUE_VIOLATION = "23505";

    private final String migrationLocation;
    private final String upsertTimer;
    private final String insertInbox;

    Dialect(String migrationLocation, String upsertTimer, String insertInbox) {
        this.migrationLocation = migrationLocation;
        this.upsertTimer = upsertTimer;
        this.insertInbox = insertInbox;
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
        if (name.equals("postgresql")) {
            return POSTGRESQL;
        }
        throw new SagaStoreException("the JDBI saga store does not support the database '" + productName
                + "'; supported: H2, PostgreSQL", null);
    }

    /** The classpath folder of this database's Flyway scripts. */
    public String migrationLocation() {
        return migrationLocation;
    }

    /**
     * Inserts or replaces the timer of one saga and kind, not leased; named parameters sagaId, kind, step, token,
     * fireAt.
     */
    public String upsertTimer() {
        return upsertTimer;
    }

    /**
     * Records a message id in the inbox; named parameters id, at. Returns 1 row when the id is new. On H2 a
     * duplicate fails with a unique violation ({@link #isUniqueViolation}); on PostgreSQL it inserts 0 rows.
     */
    public String insertInbox() {
        return insertInbox;
    }

    /** True when {@code e} reports a unique or primary key violation. */
    public boolean isUniqueViolation(SQLException e) {
        return UNIQUE_VIOLATION.equals(e.getSQLState());
    }

    /**
     * True when {@code e} reports a unique violation (SQLSTATE 23505) of the constraint called {@code constraint}.
     * JDBC has no structured field for the constraint, so its name is looked for in the message: H2 names it
     * (upper-cased, as part of its index name) in the message; PostgreSQL names it on the first line, quoted, in
     * every server language ({@code duplicate key value violates unique constraint "baton_saga_business_key_uq"}).
     * On PostgreSQL only the first line is read: the driver appends a {@code Detail:} line with the key's values,
     * which are saga data and could contain anything.
     */
    public boolean violates(SQLException e, String constraint) {
        String message = e.getMessage();
        if (!isUniqueViolation(e) || message == null) {
            return false;
        }
        if (this == POSTGRESQL) {
            int newline = message.indexOf('\n');
            message = newline < 0 ? message : message.substring(0, newline);
        }
        return message.toUpperCase(Locale.ROOT).contains(constraint.toUpperCase(Locale.ROOT));
    }
}
