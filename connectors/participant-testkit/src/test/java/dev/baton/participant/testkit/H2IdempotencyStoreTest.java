package dev.baton.participant.testkit;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;

/**
 * The kit on in-memory H2: a fresh database per test in a HikariCP pool whose connections are never retired, so the
 * database lives for the test and is gone when the pool closes.
 */
@DisplayName("JdbiIdempotencyStore on in-memory H2 passes the idempotency-store compatibility kit")
class H2IdempotencyStoreTest extends IdempotencyStoreCompatibilityKit {

    private HikariDataSource pool;

    @BeforeEach
    void open() {
        HikariConfig config = new HikariConfig();
        // H2 gives up a lock wait after 2 s by default; the kit holds locks while other deliveries wait
        config.setJdbcUrl("jdbc:h2:mem:kit-" + UUID.randomUUID() + ";LOCK_TIMEOUT=20000");
        config.setUsername("sa");
        config.setPassword("");
        config.setPoolName("kit-h2");
        config.setMaximumPoolSize(16);
        config.setMaxLifetime(0); // the in-memory database lives while a connection is open
        pool = new HikariDataSource(config);
    }

    @AfterEach
    void close() {
        pool.close();
    }

    @Override
    protected DataSource dataSource() {
        return pool;
    }
}
