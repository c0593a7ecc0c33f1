package dev.baton.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.baton.kafka.dev.EmbeddedKafkaBroker;
import dev.baton.kafka.dev.junit.KafkaBrokerExtension;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * Issue 14, finding 1: without a token the server listens on loopback only; a wider address needs a token or the
 * explicit insecure opt-in (a WARN on every start); unknown {@code BATON_*} variables are reported, and one that looks
 * like a security setting stops the start.
 */
class SecureDefaultsTest {

    private static Map<String, String> env(String... kv) {
        Map<String, String> m = new HashMap<>();
        m.put("BATON_KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092");
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    private static ServerConfig load(Map<String, String> env) {
        return ServerConfig.load(null, env::get, env, Map.of());
    }

    private static List<String> problems(Map<String, String> env) {
        try {
            load(env);
        } catch (ServerConfig.InvalidConfigException e) {
            return e.problems();
        }
        throw new AssertionError("the settings were accepted: " + env.keySet());
    }

    @Test
    @DisplayName("by default the server listens on 127.0.0.1 and needs no opt-in")
    void loopbackByDefault() {
        ServerConfig c = load(env());
        assertThat(c.get(ServerConfig.HTTP_HOST)).isEqualTo("127.0.0.1");
        assertThat(c.get(ServerConfig.HTTP_INSECURE_OPEN)).isEqualTo("false");
        assertThat(c.insecureOpenWarning()).isEmpty();
        assertThat(c.warnings()).isEmpty();
        for (String host : List.of("localhost", "127.0.0.1", "127.1.2.3", "::1", "[::1]")) {
            assertThat(load(env("BATON_HTTP_HOST", host)).get(ServerConfig.HTTP_HOST)).isEqualTo(host);
        }
    }

    @Test
    @DisplayName("a non-loopback host without a token refuses to start, naming both fixes")
    void openHostNeedsTokenOrOptIn() {
        for (String host : List.of("0.0.0.0", "::", "", "192.0.2.7", "no-such-host.invalid")) {
            assertThat(problems(env("BATON_HTTP_HOST", host))).as(host).singleElement().asString()
                    .startsWith("baton.http.host is '" + host + "', which is not a loopback address, and baton.api.token"
                            + " is not set: anyone who reaches the port could start sagas and act on them.")
                    .contains("Set baton.api.token (environment: BATON_API_TOKEN)",
                            "baton.http.insecure-open=true (environment: BATON_HTTP_INSECURE_OPEN)");
        }
        assertThat(load(env("BATON_HTTP_HOST", "0.0.0.0", "BATON_API_TOKEN", "t0ken")).insecureOpenWarning()).isEmpty();

        ServerConfig open = load(env("BATON_HTTP_HOST", "0.0.0.0", "BATON_HTTP_INSECURE_OPEN", "true"));
        assertThat(open.insecureOpenWarning()).hasValue("baton.http.insecure-open=true: the API listens on 0.0.0.0 without"
                + " baton.api.token; anyone who reaches the port can start sagas and act on them");
        assertThat(load(env("BATON_HTTP_INSECURE_OPEN", "true")).insecureOpenWarning()).hasValueSatisfying(w ->
                assertThat(w).contains("has no effect here (baton.http.host is loopback)"));
        assertThat(problems(env("BATON_HTTP_INSECURE_OPEN", "yes"))).containsExactly(
                "baton.http.insecure-open must be true or false, but was 'yes'");
    }

    @Test
    @DisplayName("an unknown BATON_* variable is a warning with a suggestion; one that looks like a security setting is an error")
    void unknownEnvironmentVariables() {
        ServerConfig c = load(env("BATON_HTTP_PROT", "9090", "BATON_SOMETHING_ELSE", "x", "BATON_TEST_POSTGRES_URL", "jdbc:x",
                "BATON_KAFKA_CLIENT_SECURITY_PROTOCOL", "SSL", "PATH", "/bin"));
        assertThat(c.warnings()).containsExactly(
                "unknown environment variable BATON_HTTP_PROT (did you mean BATON_HTTP_PORT?), ignored (known variables: see --help)",
                "unknown environment variable BATON_SOMETHING_ELSE, ignored (known variables: see --help)");

        List<String> p = problems(env("BATON_API_TOKN", "s3cret-value", "BATON_DB_PASWORD", "pw-value",
                "BATON_HTTP_INSECURE_OPN", "true", "BATON_KAFKA_SASL_SECRET", "x", "BATON_APIKEY", "k", "baton_auth", "a"));
        assertThat(p).hasSize(6).allSatisfy(l -> assertThat(l)
                .contains(": it looks like a security setting, and ignoring it could leave the server more open than"
                        + " intended; correct or remove it")
                .doesNotContain("s3cret-value", "pw-value"));
        assertThat(p).anySatisfy(l -> assertThat(l).startsWith("unknown environment variable BATON_API_TOKN (did you mean BATON_API_TOKEN?)"))
                .anySatisfy(l -> assertThat(l).startsWith("unknown environment variable BATON_DB_PASWORD (did you mean BATON_DB_PASSWORD?)"))
                .anySatisfy(l -> assertThat(l).startsWith("unknown environment variable BATON_HTTP_INSECURE_OPN (did you mean"
                        + " BATON_HTTP_INSECURE_OPEN?)"))
                .anySatisfy(l -> assertThat(l).startsWith("unknown environment variable baton_auth"));
    }

    @Test
    @DisplayName("the command line: 0.0.0.0 without a token exits 2; a security typo exits 2 and names the variable, not its value")
    void commandLine() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(new String[0], env("BATON_HTTP_HOST", "0.0.0.0"), new PrintWriter(out), new PrintWriter(err));
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString().lines()).singleElement().asString()
                .startsWith("baton: configuration error: baton.http.host is '0.0.0.0', which is not a loopback address");

        StringWriter err2 = new StringWriter();
        int exit2 = Main.run(new String[0], env("BATON_API_TOKN", "s3cret-value"), new PrintWriter(out), new PrintWriter(err2));
        assertThat(exit2).isEqualTo(2);
        assertThat(err2.toString()).contains("unknown environment variable BATON_API_TOKN (did you mean BATON_API_TOKEN?)")
                .doesNotContain("s3cret-value");
    }

    @Test
    @ExtendWith(KafkaBrokerExtension.class)
    @DisplayName("a real start: loopback only without a token; with the opt-in it listens everywhere and warns")
    void realStart(EmbeddedKafkaBroker broker) throws Exception {
        InetAddress external = nonLoopbackAddress();
        assumeThat(external).as("a non-loopback IPv4 address on this machine").isNotNull();
        Map<String, String> env = TestServer.env(broker);
        env.remove("BATON_HTTP_HOST"); // the default
        try (TestServer s = TestServer.start(env, null)) {
            assertThat(s.get("/health/live").statusCode()).isEqualTo(200);
            assertThat(connects(external, s.server.port())).as("reachable on " + external).isFalse();
        }

        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        Logger root = ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(Logger.ROOT_LOGGER_NAME);
        root.addAppender(logged);
        env.put("BATON_HTTP_HOST", "0.0.0.0");
        env.put("BATON_HTTP_INSECURE_OPEN", "true");
        try (TestServer s = TestServer.start(env, null)) {
            assertThat(connects(external, s.server.port())).as("reachable on " + external).isTrue();
        } finally {
            root.detachAppender(logged);
        }
        assertThat(logged.list).anySatisfy(e -> {
            assertThat(e.getLevel().toString()).isEqualTo("WARN");
            assertThat(e.getFormattedMessage()).contains("baton.http.insecure-open=true: the API listens on 0.0.0.0 without"
                    + " baton.api.token");
        });

        env.remove("BATON_HTTP_INSECURE_OPEN");
        assertThatThrownBy(() -> TestServer.start(env, null))
                .isInstanceOf(ServerConfig.InvalidConfigException.class)
                .hasMessageContaining("which is not a loopback address");
    }

    private static boolean connects(InetAddress address, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address, port), 5000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static InetAddress nonLoopbackAddress() throws SocketException {
        for (NetworkInterface n : NetworkInterface.networkInterfaces().toList()) {
            if (n.isUp() && !n.isLoopback()) {
                for (InetAddress a : n.inetAddresses().toList()) {
                    if (a instanceof Inet4Address && !a.isLoopbackAddress()) {
                        return a;
                    }
                }
            }
        }
        return null;
    }
}
