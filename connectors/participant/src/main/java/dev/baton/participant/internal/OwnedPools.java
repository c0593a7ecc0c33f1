package dev.baton.participant.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.baton.participant.ParticipantStoreException;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * The connection pools a store opens itself, for {@code create(jdbcUrl, ...)} and {@code h2InMemory}. HikariCP and
 * H2 are optional dependencies of the SDK: this class is loaded only once the caller checked that they are there.
 */
public final class OwnedPools {
    private OwnedPools() {}

    /** A pool and what closes it. */
    public record Pool(DataSource dataSource, AutoCloseable closer) {}

    /** True when {@code className} can be loaded. */
    public static boolean present(String className) {
        try {
            Class.forName(className, false, OwnedPools.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** A HikariCP pool of 10 connections; {@code shown} is the URL without secrets, for errors. */
    public static Pool hikari(String jdbcUrl, String username, String password, String shown) {
        if (!present("com.zaxxer.hikari.HikariDataSource")) {
            throw new ParticipantStoreException("participant store: create(jdbcUrl, user, password) pools connections"
                    + " with HikariCP, which is not on the classpath; add com.zaxxer:HikariCP, or pass the service's"
                    + " own DataSource to JdbiIdempotencyStore.create(dataSource)", null);
        }
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setUsername(username);
        config.setPassword(password);
        config.setPoolName("baton-participant");
        if (jdbcUrl.startsWith("jdbc:h2:mem:")) {
            // The in-memory database lives while a connection is open: never retire the pool's connections.
            config.setMaxLifetime(0);
        }
        try {
            HikariDataSource pool = new HikariDataSource(config);
            return new Pool(pool, pool);
        } catch (RuntimeException e) {
            throw new ParticipantStoreException("participant store: cannot connect to " + shown, e);
        }
    }

    /**
     * A private in-memory H2 database that lives while the pool is open: H2's own small pool, plus one connection
     * held open so the database outlives idle moments. Needs only H2 on the classpath.
     */
    public static Pool h2InMemory(String name) {
        if (!present("org.h2.jdbcx.JdbcConnectionPool")) {
            throw new ParticipantStoreException("participant store: h2InMemory needs H2 on the classpath; add"
                    + " com.h2database:h2 (a test dependency is enough)", null);
        }
        org.h2.jdbcx.JdbcConnectionPool pool = org.h2.jdbcx.JdbcConnectionPool.create("jdbc:h2:mem:" + name, "sa", "");
        pool.setMaxConnections(11); // ten for the store, one kept open
        Connection keepAlive;
        try {
            keepAlive = pool.getConnection();
        } catch (SQLException e) {
            pool.dispose();
            throw new ParticipantStoreException("participant store: cannot open the in-memory H2 database " + name, e);
        }
        return new Pool(pool, () -> {
            try {
                keepAlive.close();
            } finally {
                pool.dispose();
            }
        });
    }
}
