package dev.baton.participant.internal;

import dev.baton.participant.ParticipantStoreException;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;

/**
 * Creates or checks the SDK's tables. Flyway is an optional dependency of the SDK: this class touches it only through
 * {@link FlywayMigration}, which is loaded only when Flyway is on the classpath. Stateless.
 */
public final class SchemaSetup {
    private SchemaSetup() {}

    /** The Flyway history table of the SDK's migrations, distinct from the engine store's {@code baton_schema_history}. */
    public static final String HISTORY_TABLE = "baton_participant_schema_history";

    /** True when Flyway can be loaded. */
    public static boolean flywayPresent() {
        try {
            Class.forName("org.flywaydb.core.Flyway", false, SchemaSetup.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** Migrates the SDK's tables with Flyway from {@code location} (a classpath folder). */
    public static void migrate(DataSource dataSource, String location, String productName) {
        if (!flywayPresent()) {
            throw new ParticipantStoreException("participant store: asked to migrate its tables, but Flyway is not on"
                    + " the classpath; add org.flywaydb:flyway-core" + flywayModuleHint(productName) + ", or create"
                    + " the tables yourself from classpath:" + location + " (docs/participants.md) and build the store"
                    + " with migrate(false)", null);
        }
        FlywayMigration.migrate(dataSource, location, HISTORY_TABLE, productName, flywayModuleHint(productName));
    }

    /**
     * Checks that both tables exist with every column the SDK reads and writes, for a schema that the service's own
     * migration tool manages.
     */
    public static void validate(Jdbi jdbi, String location) {
        check(jdbi, "baton_participant_inbox", "participant, message_id, saga_id, step, kind, message_type, outcome,"
                + " disposition, reply_type, reply_payload, reason, handled_at", location);
        check(jdbi, "baton_participant_step", "participant, saga_id, step, forward_message_id, compensation_state,"
                + " compensation_message_id, updated_at", location);
    }

    private static void check(Jdbi jdbi, String table, String columns, String location) {
        try {
            jdbi.useHandle(h -> h.createQuery("SELECT " + columns + " FROM " + table + " WHERE 1 = 0")
                    .mapToMap().list());
        } catch (JdbiException e) {
            throw new ParticipantStoreException("participant store: table " + table + " is missing or lacks a column ("
                    + SqlErrors.describe(e) + "); without Flyway on the classpath, or with migrate(false), the service creates"
                    + " the SDK's tables itself:"
                    + " apply the scripts of classpath:" + location + " (the DDL is in docs/participants.md), or put"
                    + " Flyway on the classpath and let the store migrate them", e);
        }
    }

    /** The Flyway module a database needs beside flyway-core, as a hint; empty when flyway-core covers it. */
    static String flywayModuleHint(String productName) {
        String p = productName == null ? "" : productName.toLowerCase(java.util.Locale.ROOT);
        if (p.contains("postgres")) {
            return " and org.flywaydb:flyway-database-postgresql";
        }
        if (p.contains("mysql") || p.contains("mariadb")) {
            return " and org.flywaydb:flyway-mysql";
        }
        if (p.contains("oracle")) {
            return " and org.flywaydb:flyway-database-oracle";
        }
        if (p.contains("sql server")) {
            return " and org.flywaydb:flyway-sqlserver";
        }
        return "";
    }
}
