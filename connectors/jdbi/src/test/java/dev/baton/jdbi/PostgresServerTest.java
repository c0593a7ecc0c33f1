package dev.baton.jdbi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class PostgresServerTest {

    @Test
    @DisplayName("a test database's URL is the server's with the database replaced; hosts and parameters stay")
    void withDatabase() {
        assertThat(PostgresServer.withDatabase("jdbc:postgresql://db:5432/postgres?ssl=true&ApplicationName=x", "t1"))
                .isEqualTo("jdbc:postgresql://db:5432/t1?ssl=true&ApplicationName=x");
        assertThat(PostgresServer.withDatabase("jdbc:postgresql://a:1,b:2/", "t1")).isEqualTo("jdbc:postgresql://a:1,b:2/t1");
        assertThat(PostgresServer.withDatabase("jdbc:postgresql://localhost", "t1")).isEqualTo("jdbc:postgresql://localhost/t1");
        assertThatThrownBy(() -> PostgresServer.withDatabase("jdbc:h2:mem:x", "t1"))
                .hasMessageContaining(PostgresServer.URL_VARIABLE).hasMessageContaining("'jdbc:h2:mem:x'");
    }
}
