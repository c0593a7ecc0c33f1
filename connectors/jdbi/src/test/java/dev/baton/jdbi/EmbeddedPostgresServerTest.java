package dev.baton.jdbi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded PostgreSQL of the demo, the benchmark and the tests, on a real server. */
class EmbeddedPostgresServerTest {

    @Test
    @DisplayName("by default the server is durable (fsync and synchronous_commit on), as the server itself reports")
    void durableByDefault(@TempDir Path dir) throws Exception {
        try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.builder().dataDirectory(dir.resolve("pg"))
                .setting("max_connections", "42").start()) {
            pg.createDatabaseIfAbsent("baton");
            pg.createDatabaseIfAbsent("baton"); // a second time: still there, no error

            assertThat(EmbeddedPostgresServer.describe(pg.jdbcUrl("baton"), pg.user(), pg.password()))
                    .startsWith("PostgreSQL 1").contains("fsync=on", "synchronous_commit=on", "wal_sync_method=");
            try (Connection c = DriverManager.getConnection(pg.jdbcUrl("baton"), pg.user(), pg.password());
                 Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW max_connections")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("42");
            }
        }
    }

    @Test
    @DisplayName("a throw-away server runs with fsync and synchronous_commit off; a recreated database is empty")
    void throwAway() throws Exception {
        try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.builder().throwAway().start()) {
            String admin = pg.jdbcUrl("postgres");
            EmbeddedPostgresServer.recreateDatabase(admin, pg.user(), pg.password(), "scratch");
            try (Connection c = DriverManager.getConnection(pg.jdbcUrl("scratch"), pg.user(), pg.password());
                 Statement s = c.createStatement()) {
                s.execute("CREATE TABLE t (x int)");
            }
            EmbeddedPostgresServer.recreateDatabase(admin, pg.user(), pg.password(), "scratch");

            try (Connection c = DriverManager.getConnection(pg.jdbcUrl("scratch"), pg.user(), pg.password());
                 Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_tables WHERE tablename = 't'")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isZero();
            }
            assertThat(EmbeddedPostgresServer.describe(admin, pg.user(), pg.password()))
                    .contains("fsync=off", "synchronous_commit=off");
        }
    }

    @Test
    @DisplayName("an unreachable server is described, not thrown; bad database names and URLs are refused")
    void errors() {
        assertThat(EmbeddedPostgresServer.describe("jdbc:postgresql://127.0.0.1:1/x", "u", "p"))
                .startsWith("PostgreSQL (settings not readable: ");
        assertThatThrownBy(() -> EmbeddedPostgresServer.recreateDatabase("jdbc:postgresql://127.0.0.1:1/x", "u", "p",
                "x; DROP DATABASE y")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("letters, digits");
        assertThatThrownBy(() -> EmbeddedPostgresServer.withDatabase("jdbc:h2:mem:x;PASSWORD=pw", "t"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PASSWORD=****")
                .hasMessageNotContaining("pw'");
        assertThat(EmbeddedPostgresServer.withDatabase("jdbc:postgresql://a:1,b:2/db?ssl=true", "t"))
                .isEqualTo("jdbc:postgresql://a:1,b:2/t?ssl=true");
    }
}
