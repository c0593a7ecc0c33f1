package dev.baton.sample.orderflow;

import dev.baton.jdbi.EmbeddedPostgresServer;
import dev.baton.server.ServerConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Where the demo keeps its data: H2 files (the default: one for the engine, one per service), or a PostgreSQL
 * database, embedded (started by the demo) or an existing server, where the engine's tables sit in the default
 * schema and each service has a schema of its own ({@link ServiceDatabase}). Immutable.
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
    Opened open(Path data) {
        return switch (kind) {
            case H2_FILE -> new Opened(Map.of(ServerConfig.DATA_DIR.name(), data.resolve("engine").toString()), null, null);
            case POSTGRES -> new Opened(Map.of(ServerConfig.DB_URL.name(), url, ServerConfig.DB_USER.name(), user,
                    ServerConfig.DB_PASSWORD.name(), password), null, null);
            case EMBEDDED_POSTGRES -> startEmbedded(data.resolve("postgres"));
        };
    }

    private Opened startEmbedded(Path dir) {
        EmbeddedPostgresServer pg;
        try {
            pg = EmbeddedPostgresServer.builder()
                    .dataDirectory(dir)
                    .cleanDataDirectory(false) // the demo wipes its data folder itself, unless --keep
                    .start();
        } catch (IllegalStateException e) {
            throw new IllegalStateException("order-flow.jar carries PostgreSQL for Linux x86-64 only; on this system pass"
                    + " --postgres jdbc:postgresql://host/database (an existing server)", e);
        }
        try {
            pg.createDatabaseIfAbsent(EMBEDDED_DATABASE);
        } catch (RuntimeException e) {
            pg.close();
            throw e;
        }
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put(ServerConfig.DB_URL.name(), pg.jdbcUrl(EMBEDDED_DATABASE));
        settings.put(ServerConfig.DB_USER.name(), pg.user());
        settings.put(ServerConfig.DB_PASSWORD.name(), pg.password());
        return new Opened(settings, pg, dir);
    }

    /**
     * An opened engine database.
     *
     * @param settings the engine's {@code baton.db.*} (or {@code baton.data.dir}) settings
     * @param embedded the embedded server, stopped by {@link #close()}, or null
     * @param directory its data files, or null
     */
    record Opened(Map<String, String> settings, EmbeddedPostgresServer embedded, Path directory) implements AutoCloseable {
        /** Where the services keep their data: null for H2 files, else the same PostgreSQL database, a schema each. */
        ServiceDatabase services() {
            String url = settings.get(ServerConfig.DB_URL.name());
            return url == null ? null : new ServiceDatabase(url, settings.get(ServerConfig.DB_USER.name()),
                    settings.get(ServerConfig.DB_PASSWORD.name()));
        }

        /** The server's version, {@code fsync} and {@code synchronous_commit} as it reports them, for the start-up line. */
        String durability() {
            String url = settings.get(ServerConfig.DB_URL.name());
            if (url == null) {
                return "";
            }
            return EmbeddedPostgresServer.describe(url, settings.get(ServerConfig.DB_USER.name()),
                    settings.get(ServerConfig.DB_PASSWORD.name()));
        }

        @Override
        public void close() {
            if (embedded != null) {
                embedded.close();
            }
        }
    }
}
