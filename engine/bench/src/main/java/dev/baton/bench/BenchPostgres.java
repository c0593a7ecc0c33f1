package dev.baton.bench;

import dev.baton.jdbi.EmbeddedPostgresServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The PostgreSQL database of {@link KafkaSagaBenchmark}: a fresh database in an existing server, or in an
 * {@link EmbeddedPostgresServer} started with production durability ({@code fsync=on}, {@code synchronous_commit=on}).
 *
 * @param url the JDBC URL of the benchmark's database
 * @param user its user
 * @param password its password
 * @param embedded the embedded server, stopped by {@link #close()}, or null for an existing server
 */
record BenchPostgres(String url, String user, String password, EmbeddedPostgresServer embedded) implements AutoCloseable {

    static final String DATABASE = "baton_bench";

    /** Starts an embedded server with its files in {@code dir} and creates the benchmark's database. */
    static BenchPostgres embedded(Path dir) throws SQLException {
        EmbeddedPostgresServer pg = EmbeddedPostgresServer.builder()
                .dataDirectory(dir)
                .cleanDataDirectory(true)
                .setting("max_connections", "300")
                .start();
        try {
            EmbeddedPostgresServer.recreateDatabase(pg.jdbcUrl("postgres"), pg.user(), pg.password(), DATABASE);
            return new BenchPostgres(pg.jdbcUrl(DATABASE), pg.user(), pg.password(), pg);
        } catch (SQLException | RuntimeException e) {
            pg.close();
            throw e;
        }
    }

    /**
     * A fresh database {@value #DATABASE} on the server at {@code url} (the user must be allowed to create
     * databases); the URL's own database is used only to connect.
     */
    static BenchPostgres existing(String url, String user, String password) throws SQLException {
        EmbeddedPostgresServer.recreateDatabase(url, user, password, DATABASE);
        return new BenchPostgres(EmbeddedPostgresServer.withDatabase(url, DATABASE), user, password, null);
    }

    /** What the server says about durability and itself, for the output. */
    String describe() {
        return (embedded != null ? "embedded " : "") + EmbeddedPostgresServer.describe(url, user, password);
    }

    /** Transactions committed in the benchmark's database so far (all sessions, reads included). */
    long commits() {
        try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")) {
            return rs.next() ? rs.getLong(1) : -1;
        } catch (SQLException e) {
            return -1;
        }
    }

    @Override
    public void close() {
        if (embedded != null) {
            embedded.close();
        }
    }
}
