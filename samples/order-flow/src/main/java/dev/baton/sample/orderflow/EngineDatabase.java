package dev.baton.sample.orderflow;

import dev.baton.server.ServerConfig;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Where the demo's engine keeps its sagas: an H2 file (the default), an embedded PostgreSQL started by the demo, or
 * an existing PostgreSQL server. Only the engine's store: the four services keep their own H2 files, because each
 * service owns its database. Immutable.
 *
 * @param kind which of the three
 * @param url the JDBC URL of an existing server (kind {@link Kind#POSTGRES}), otherwise null
 * @param user the user of an existing server
 * @param password its password (never printed)
 */
record EngineDatabase(Kind kind, String url, String user, String password) {

    /** The database created in the embedded server for the engine's tables. */
    static final String EMBEDDED_DATABASE = "baton";

    enum Kind { H2_FILE, EMBEDDED_POSTGRES, POSTGRES }

    static final EngineDatabase H2 = new EngineDatabase(Kind.H2_FILE, null, "", "");

    EngineDatabase {
        Objects.requireNonNull(kind, "kind");
        if (kind == Kind.POSTGRES && (url == null || !url.startsWith("jdbc:postgresql:"))) {
            throw new IllegalArgumentException("--postgres takes a jdbc:postgresql://host[:port]/database URL, but was '"
                    + ServerConfig.maskUrl(String.valueOf(url)) + "'");
        }
    }

    static EngineDatabase embeddedPostgres() {
        return new EngineDatabase(Kind.EMBEDDED_POSTGRES, null, "postgres", "");
    }

    static EngineDatabase postgres(String url, String user, String password) {
        return new EngineDatabase(Kind.POSTGRES, url, user, password);
    }

    /** Never shows the password. */
    @Override
    public String toString() {
        return "EngineDatabase[" + describe() + (kind == Kind.POSTGRES ? ", user=" + user : "") + "]";
    }

    /** For the start-up line and the summary. */
    String describe() {
        return switch (kind) {
            case H2_FILE -> "H2 file";
            case EMBEDDED_POSTGRES -> "embedded PostgreSQL";
            case POSTGRES -> "PostgreSQL at " + ServerConfig.maskUrl(url);
        };
    }

    /**
     * Makes the database ready: starts the embedded PostgreSQL (its files in {@code data/postgres}, kept with
     * {@code --keep}) or does nothing. The result gives the engine's settings and stops what was started.
     */
    Opened open(Path data) throws IOException {
        return switch (kind) {
            case H2_FILE -> new Opened(Map.of(ServerConfig.DATA_DIR.name(), data.resolve("engine").toString()), null, null);
            case POSTGRES -> new Opened(Map.of(ServerConfig.DB_URL.name(), url, ServerConfig.DB_USER.name(), user,
                    ServerConfig.DB_PASSWORD.name(), password), null, null);
            case EMBEDDED_POSTGRES -> startEmbedded(data.resolve("postgres"));
        };
    }

    private Opened startEmbedded(Path dir) throws IOException {
        EmbeddedPostgres pg;
        try {
            pg = EmbeddedPostgres.builder()
                    .setDataDirectory(dir)
                    .setCleanDataDirectory(false) // the demo wipes its data folder itself, unless --keep
                    // the library's defaults (fsync off, synchronous_commit off) are for throw-away test databases;
                    // the demo's engine commits as a production PostgreSQL does
                    .setServerConfig("fsync", "on")
                    .setServerConfig("synchronous_commit", "on")
                    .start();
        } catch (IllegalStateException e) {
            if (!"Missing embedded postgres binaries".equals(e.getMessage())) {
                throw e;
            }
            throw new IllegalStateException("order-flow.jar carries PostgreSQL for Linux x86-64 only; on this system pass"
                    + " --postgres jdbc:postgresql://host/database (an existing server)", e);
        }
        String admin = pg.getJdbcUrl("postgres", "postgres");
        try (Connection c = DriverManager.getConnection(admin); Statement s = c.createStatement()) {
            boolean exists;
            try (ResultSet rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + EMBEDDED_DATABASE + "'")) {
                exists = rs.next();
            }
            if (!exists) {
                s.execute("CREATE DATABASE " + EMBEDDED_DATABASE);
            }
        } catch (SQLException e) {
            pg.close();
            throw new IOException("cannot create the database '" + EMBEDDED_DATABASE + "' in the embedded PostgreSQL", e);
        }
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put(ServerConfig.DB_URL.name(), "jdbc:postgresql://localhost:" + pg.getPort() + "/" + EMBEDDED_DATABASE);
        settings.put(ServerConfig.DB_USER.name(), "postgres");
        settings.put(ServerConfig.DB_PASSWORD.name(), "");
        return new Opened(settings, pg, dir);
    }

    /**
     * An opened engine database.
     *
     * @param settings the engine's {@code baton.db.*} (or {@code baton.data.dir}) settings
     * @param embedded the embedded server, stopped by {@link #close()}, or null
     * @param directory its data files, or null
     */
    record Opened(Map<String, String> settings, EmbeddedPostgres embedded, Path directory) implements AutoCloseable {
        /** {@code fsync} and {@code synchronous_commit} as the server reports them, for the start-up line. */
        String durability() {
            String url = settings.get(ServerConfig.DB_URL.name());
            if (url == null) {
                return "";
            }
            try (Connection c = DriverManager.getConnection(url, settings.get(ServerConfig.DB_USER.name()),
                    settings.get(ServerConfig.DB_PASSWORD.name())); Statement s = c.createStatement()) {
                return "fsync=" + show(s, "fsync") + ", synchronous_commit=" + show(s, "synchronous_commit");
            } catch (SQLException e) {
                return "settings not readable: " + e.getMessage();
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
}
