package dev.baton.sample.orderflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --postgres}: the engine's store and the four services' data in PostgreSQL, a schema per service. */
class OrderFlowDemoPostgresTest {
    @TempDir
    Path data;

    @Test
    void postgres_without_a_url_starts_an_embedded_one_and_the_run_ends_consistently() throws Exception {
        OrderFlowDemo.Settings parsed = OrderFlowDemo.Settings.parse(new String[] {"--postgres", "--orders", "60", "--exit",
                "--data", data.toString()}, Map.of());
        assertThat(parsed.engineDb().kind()).isEqualTo(EngineDatabase.Kind.EMBEDDED_POSTGRES);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        OrderFlowDemo.Result r;
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            r = OrderFlowDemo.runOnce(parsed, out);
        }
        String output = bytes.toString(StandardCharsets.UTF_8);

        assertThat(output).contains("engine store jdbc:postgresql://localhost:", "fsync=on, synchronous_commit=on");
        assertThat(data.resolve("postgres").resolve("PG_VERSION")).exists();
        assertThat(data.resolve("engine")).doesNotExist(); // no H2 file for the engine
        assertThat(data.resolve("payment.mv.db")).doesNotExist(); // nor for the services
        assertThat(r.ok()).as(output).isTrue(); // the consistency check read the services' rows from PostgreSQL
        assertThat(r.completed() + r.compensated()).as(output).isEqualTo(60);
        assertThat(output).contains("each service in its own schema");
    }

    @Test
    void postgres_takes_an_optional_jdbc_url_and_credentials_from_options_or_the_environment() {
        assertThat(OrderFlowDemo.Settings.parse(new String[] {"--orders", "5"}, Map.of()).engineDb())
                .isEqualTo(EngineDatabase.H2);
        assertThat(OrderFlowDemo.Settings.parse(new String[] {"--postgres"}, Map.of()).engineDb().kind())
                .isEqualTo(EngineDatabase.Kind.EMBEDDED_POSTGRES);
        EngineDatabase external = OrderFlowDemo.Settings.parse(new String[] {"--postgres", "jdbc:postgresql://db:5432/baton",
                "--exit"}, Map.of("BATON_DB_USER", "baton", "BATON_DB_PASSWORD", "s3cret")).engineDb();
        assertThat(external).isEqualTo(EngineDatabase.postgres("jdbc:postgresql://db:5432/baton", "baton", "s3cret"));
        assertThat(OrderFlowDemo.Settings.parse(new String[] {"--postgres", "jdbc:postgresql://db/b", "--postgres-user", "u",
                "--postgres-password", "p"}, Map.of("BATON_DB_USER", "env")).engineDb())
                .isEqualTo(EngineDatabase.postgres("jdbc:postgresql://db/b", "u", "p"));
        assertThatIllegalArgumentException()
                .isThrownBy(() -> OrderFlowDemo.Settings.parse(new String[] {"--postgres", "jdbc:h2:mem:x"}, Map.of()))
                .withMessageContaining("jdbc:postgresql://");
    }
}
