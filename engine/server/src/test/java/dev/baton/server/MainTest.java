package dev.baton.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.kafka.dev.EmbeddedKafkaBroker;
import dev.baton.kafka.dev.junit.KafkaBrokerExtension;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The command line in-process: --help, and every way a bad configuration stops the service with one clear line. */
class MainTest {
    @TempDir
    Path dir;

    private record Run(int exit, String out, List<String> err) {}

    private static Run run(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(args, env, new PrintWriter(out), new PrintWriter(err));
        return new Run(exit, out.toString(), err.toString().lines().toList());
    }

    private static Map<String, String> env(String... kv) {
        Map<String, String> m = new HashMap<>();
        m.put("BATON_KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1");
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    @DisplayName("--help lists the options and every setting with its environment variable")
    void help() {
        Run r = run(Map.of(), "--help");
        assertThat(r.exit()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).contains("Usage: baton-server", "--config=FILE", "--dev", "demo-order",
                "baton.http.port / BATON_HTTP_PORT", "baton.api.token / BATON_API_TOKEN", "baton.log.format / BATON_LOG_FORMAT",
                "baton.kafka.bootstrap-servers / BATON_KAFKA_BOOTSTRAP_SERVERS", "; required",
                "baton.kafka.client.<kafka client property> / BATON_KAFKA_CLIENT_<PROPERTY>");
    }

    @Test
    @DisplayName("a bad port: exit 2 and one line naming the key, what is expected and what was given")
    void badPort() {
        Run r = run(env("BATON_HTTP_PORT", "70000"));
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).containsExactly("baton: configuration error: baton.http.port must be a TCP port, 0 to 65535"
                + " (0 = any free port), but was 70000");
        assertThat(run(env("BATON_HTTP_PORT", "http")).err()).containsExactly("baton: configuration error: baton.http.port"
                + " must be a TCP port, 0 to 65535 (0 = any free port), but was 'http'");
    }

    @Test
    @DisplayName("--dev checks the settings before it starts its broker")
    void devChecksFirst() {
        Run r = run(Map.of("BATON_HTTP_PORT", "x", "BATON_DATA_DIR", dir.toString()), "--dev");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).singleElement().asString().contains("baton.http.port must be a TCP port");
        assertThat(dir.resolve("kafka")).doesNotExist();
    }

    @Test
    @DisplayName("a missing required setting names its key and environment variable")
    void missingBootstrap() {
        Run r = run(Map.of());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).containsExactly("baton: configuration error: baton.kafka.bootstrap-servers is required:"
                + " host:port[,host:port...] (or run with --dev) (environment: BATON_KAFKA_BOOTSTRAP_SERVERS)");
    }

    @Test
    @DisplayName("several problems: one line each")
    void severalProblems() {
        Run r = run(env("BATON_KAFKA_PARTITIONS", "0", "BATON_LOG_FORMAT", "xml", "BATON_API_READ_TOKEN", "r",
                "BATON_ENGINE_LEASE_MS", "5", "BATON_ENGINE_INBOX_RETENTION_HOURS", "a week",
                "BATON_ENGINE_ENDED_RETENTION_DAYS", "-1"));
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).hasSize(6).allSatisfy(l -> assertThat(l).startsWith("baton: configuration error: "));
        assertThat(String.join("\n", r.err())).contains("baton.kafka.partitions must be an integer, 1 to 10000, but was 0",
                "baton.log.format must be text or json, but was 'xml'",
                "baton.api.read-token is set but baton.api.token is not",
                "baton.engine.lease-ms must be an integer number of milliseconds, 100 to 600000",
                "baton.engine.inbox-retention-hours must be an integer number of hours, 1 to 87600",
                "but was 'a week'", "baton.engine.ended-retention-days must be an integer number of days, 0 to 36500");
    }

    @Test
    @DisplayName("an unknown key in the file is an error, with a suggestion; a missing file too")
    void unknownKeyInFile() throws IOException {
        Path file = dir.resolve("baton.properties");
        Files.writeString(file, "baton.kafka.bootstrap-servers=127.0.0.1:1\nbaton.http.prot=8080\n");
        Run r = run(Map.of(), "--config", file.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).containsExactly("baton: configuration error: unknown setting 'baton.http.prot' in the configuration"
                + " file (did you mean 'baton.http.port'?); known settings: see --help");

        Run missing = run(Map.of(), "--config", dir.resolve("nope.properties").toString());
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).singleElement().asString().startsWith("baton: cannot read the configuration file ")
                .contains("nope.properties");
    }

    @Test
    @DisplayName("an unreachable database stops the start with one line naming baton.db.url")
    void unreachableDatabase() {
        Run r = run(env("BATON_DB_URL", "jdbc:postgresql://127.0.0.1:1/x?password=hunter2"));
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).singleElement().asString()
                .startsWith("baton: cannot start: the database at baton.db.url=jdbc:postgresql://127.0.0.1:1/x?password=**** cannot"
                        + " be opened: ")
                .doesNotContain("hunter2");
    }

    @Test
    @DisplayName("an embedded database in a folder that cannot be created stops the start with one line naming baton.data.dir")
    void uncreatableDataDir() throws IOException {
        Path file = Files.writeString(dir.resolve("a-file"), "not a folder");
        Run r = run(env("BATON_DATA_DIR", file.resolve("data").toString()));
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).singleElement().asString()
                .startsWith("baton: cannot start: the database at baton.data.dir=" + file.resolve("data") + " cannot be opened: ");
    }

    @Test
    @ExtendWith(KafkaBrokerExtension.class)
    @DisplayName("a port already in use stops the start with one line naming baton.http.port")
    void portInUse(EmbeddedKafkaBroker broker) throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Map<String, String> env = TestServer.env(broker);
            env.put("BATON_HTTP_PORT", Integer.toString(taken.getLocalPort()));
            Run r = run(env);
            assertThat(r.exit()).isEqualTo(1);
            assertThat(r.err()).singleElement().asString()
                    .startsWith("baton: cannot start: baton.http.port: cannot listen on 127.0.0.1:" + taken.getLocalPort());
        }
    }
}
