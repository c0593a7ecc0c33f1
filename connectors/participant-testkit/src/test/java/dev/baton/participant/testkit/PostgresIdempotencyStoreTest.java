package dev.baton.participant.testkit;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.baton.jdbi.PostgresDatabase;
import dev.baton.jdbi.PostgresServer;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;

/**
 * The kit on a real PostgreSQL: one server for the class (embedded, or the one named by
 * {@code BATON_TEST_POSTGRES_URL}), a fresh database per test in a HikariCP pool, dropped after the test.
 */
@DisplayName("JdbiIdempotencyStore on PostgreSQL passes the idempotency-store compatibility kit")
class PostgresIdempotencyStoreTest extends IdempotencyStoreCompatibilityKit {

    private static PostgresServer server;

    private PostgresDatabase database;
    private HikariDataSource pool;

    @BeforeAll
    static void startServer() {
        server = PostgresServer.fromEnvironment();
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @BeforeEach
    void open() {
        database = server.createDatabase();
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(database.jdbcUrl());
        config.setUsername(database.user());
        config.setPassword(database.password());
        config.setPoolName("kit-postgres");
        config.setMaximumPoolSize(16);
        config.setMinimumIdle(1);
        pool = new HikariDataSource(config);
    }

    @AfterEach
    void close() {
        try {
            pool.close();
        } finally {
            database.close();
        }
    }

    @Override
    protected DataSource dataSource() {
        return pool;
    }
}
