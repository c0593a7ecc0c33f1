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
    @DisplayName("a server stopped and started again on its data directory and port keeps its data and its URL")
    void restartOnSamePort(@TempDir Path dir) throws Exception {
        String url;
        int port;
        try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.builder().dataDirectory(dir.resolve("pg"))
                .cleanDataDirectory(false).throwAway().start()) {
            pg.createDatabaseIfAbsent("kept");
            url = pg.jdbcUrl("kept");
            port = pg.port();
            try (Connection c = DriverManager.getConnection(url, pg.user(), pg.password()); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE t (x int)");
                s.execute("INSERT INTO t VALUES (42)");
            }
        }
        try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.builder().dataDirectory(dir.resolve("pg"))
                .cleanDataDirectory(false).throwAway().port(port).start();
             Connection c = DriverManager.getConnection(url, pg.user(), pg.password()); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT x FROM t")) {
            assertThat(pg.jdbcUrl("kept")).isEqualTo(url);
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).isEqualTo(42);
        }
        assertThatThrownBy(() -> EmbeddedPostgresServer.builder().port(65_536)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("port must be 0 to 65535, but was 65536");
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
