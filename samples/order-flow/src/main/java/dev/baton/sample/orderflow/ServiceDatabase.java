package dev.baton.sample.orderflow;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Objects;

/**
 * Where the services keep their data with {@code --postgres}: one PostgreSQL database (the engine's), each service in
 * a schema of its own ({@code orderflow_orders}, {@code orderflow_payment}, ...) that it alone uses, created on
 * start. Without {@code --postgres} a service has an H2 file instead ({@link Service#jdbcUrl()}). Immutable.
 *
 * @param url the database's JDBC URL, {@code jdbc:postgresql://...}
 * @param user its user
 * @param password its password (never printed)
 */
record ServiceDatabase(String url, String user, String password) {

    ServiceDatabase {
        Objects.requireNonNull(url, "url");
        if (!url.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("the services' database must be PostgreSQL, but was "
                    + dev.baton.server.ServerConfig.maskUrl(url));
        }
    }

    /** The schema of {@code service}. */
    static String schema(String service) {
        return "orderflow_" + service.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    }

    /** The JDBC URL that puts {@code service}'s tables, and the participant SDK's, in its schema. */
    String jdbcUrl(String service) {
        return url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema(service);
    }

    /** Creates {@code service}'s schema unless it exists. */
    void prepare(String service) {
        try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA IF NOT EXISTS " + schema(service));
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create the schema of service " + service + " in "
                    + dev.baton.server.ServerConfig.maskUrl(url) + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "ServiceDatabase[" + dev.baton.server.ServerConfig.maskUrl(url) + ", user=" + user + "]";
    }
}
