package dev.baton.jdbi;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * One fresh PostgreSQL database of a {@link PostgresServer}, dropped by {@link #close()}. Thread-safe.
 *
 * @param name the database's name
 * @param jdbcUrl its JDBC URL
 */
public record PostgresDatabase(PostgresServer server, String name, String jdbcUrl, String user, String password)
        implements AutoCloseable {

    /** The five tables of the store. */
    private static final String BATON_TABLES = "baton_saga, baton_history, baton_outbox, baton_inbox, baton_timer";

    /** Options for a store on this database (the store migrates it on open). */
    public JdbiStoreOptions options() {
        return JdbiStoreOptions.of(jdbcUrl, user, password);
    }

    /** Opens a store on this database in a pool the store owns. */
    public JdbiSagaStore openStore() {
        return JdbiSagaStore.create(options());
    }

    /** Empties Baton's tables (they must exist: open a store first) and restarts their identity columns. */
    public void clearBatonTables() {
        execute("TRUNCATE " + BATON_TABLES + " RESTART IDENTITY");
    }

    /** Runs one statement on a new connection. */
    public void execute(String sql) {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + " failed on " + name, e);
        }
    }

    /** The rows of a query, each row's columns joined with {@code |}. */
    public List<String> rows(String sql) {
        List<String> rows = new ArrayList<>();
        try (Connection c = connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            int columns = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder row = new StringBuilder();
                for (int i = 1; i <= columns; i++) {
                    row.append(i > 1 ? "|" : "").append(rs.getString(i));
                }
                rows.add(row.toString());
            }
        } catch (SQLException e) {
            throw new IllegalStateException(sql + " failed on " + name, e);
        }
        return rows;
    }

    /** A new JDBC connection to this database; the caller closes it. */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl, user, password);
    }

    /** Drops the database, ending any session left on it. */
    @Override
    public void close() {
        server.dropDatabase(name);
    }

    @Override
    public String toString() {
        return "PostgresDatabase[" + name + " on " + server + "]";
    }
}
