package dev.baton.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.engine.SagaId;
import dev.baton.engine.spi.SagaStore;
import dev.baton.jdbi.JdbiSagaStore;
import dev.baton.jdbi.JdbiStoreOptions;
import dev.baton.kafka.dev.EmbeddedKafkaBroker;
import dev.baton.kafka.dev.junit.KafkaBrokerExtension;
import dev.baton.server.api.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, finding 7: the server jar's main class in a process of its own, under load from a few clients starting
 * sagas, gets SIGTERM. It stops taking connections, finishes the requests in flight (two of them still sending their
 * body when the signal comes), and exits with 0. Every request that was connected before the signal got a complete
 * answer; later ones got one, or a refused (or reset, never read) connection; and the database, reopened, holds
 * exactly the sagas that were answered 201.
 */
@ExtendWith(KafkaBrokerExtension.class)
class GracefulShutdownTest {
    private static final Pattern READY = Pattern.compile("Baton ready: http://localhost:(\\d+)/");
    private static final int CLIENTS = 4;

    @TempDir
    Path dir;

    /** What one request got. {@code connectedAt}: nanoTime when its connection was made, or -1 when refused. */
    record Outcome(String businessKey, long connectedAt, RawHttp.Response response, IOException failure) {}

    @Test
    @DisplayName("SIGTERM under load: exit 0, in-flight requests answered, every 201 saga stored and nothing else")
    void sigtermUnderLoad(EmbeddedKafkaBroker broker) throws Exception {
        Map<String, String> env = TestServer.env(broker);
        env.remove("BATON_DB_URL");
        env.put("BATON_DATA_DIR", dir.resolve("data").toString());
        env.put("BATON_SHUTDOWN_GRACE_MS", "10000");
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-Xmx384m", "-cp", System.getProperty("java.class.path"), Main.class.getName());
        Path log = dir.resolve("server.out");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("BATON_"));
        builder.environment().putAll(env);
        Process process = builder.start();
        Supplier<List<String>> output = () -> {
            try {
                return Files.readAllLines(log, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
        try {
            await("the server's ready line").atMost(Duration.ofSeconds(120))
                    .failFast("the server ended before it was ready", () -> !process.isAlive())
                    .until(() -> output.get().stream().anyMatch(l -> READY.matcher(l).find()));
            int port = output.get().stream().map(READY::matcher).filter(Matcher::find).map(m -> Integer.parseInt(m.group(1)))
                    .findFirst().orElseThrow();
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);

            List<Outcome> outcomes = new CopyOnWriteArrayList<>();
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> clients = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int client = c;
                clients.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; !stop.get(); i++) {
                        Outcome o = start(address, "c" + client + "-" + i);
                        outcomes.add(o);
                        if (o.connectedAt() < 0) {
                            return; // refused: the server stopped taking connections
                        }
                    }
                }));
            }
            await("load on the server").atMost(Duration.ofSeconds(60))
                    .until(() -> outcomes.stream().filter(o -> o.response() != null && o.response().status() == 201).count() >= 40);

            // two requests in flight: headers and half the body sent, the rest only after the signal
            List<Socket> slow = new ArrayList<>();
            List<byte[]> rests = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                Socket socket = new Socket();
                socket.connect(address, 5000);
                byte[] body = body("slow-" + i);
                int half = body.length / 2;
                socket.setSoTimeout(30_000);
                OutputStream out = socket.getOutputStream();
                String head = head(port, body.length);
                out.write((head.substring(0, head.length() - 2) + "Expect: 100-continue\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                // the interim 100 comes when the handler starts reading the body: the request is in flight
                assertThat(RawHttp.read(socket.getInputStream(), true).status()).isEqualTo(100);
                out.write(body, 0, half);
                out.flush();
                slow.add(socket);
                rests.add(Arrays.copyOfRange(body, half, body.length));
            }

            long signalledAt = System.nanoTime();
            process.destroy(); // SIGTERM
            await("the server stops taking connections").atMost(Duration.ofSeconds(30))
                    .until(() -> refuses(address));
            List<RawHttp.Response> slowAnswers = new ArrayList<>();
            for (int i = 0; i < slow.size(); i++) {
                try (Socket socket = slow.get(i)) {
                    socket.setSoTimeout(30_000);
                    socket.getOutputStream().write(rests.get(i));
                    socket.getOutputStream().flush();
                    slowAnswers.add(RawHttp.read(socket.getInputStream(), true));
                }
            }
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the server exited").isTrue();
            long stoppedAt = System.nanoTime();
            stop.set(true);
            for (Thread t : clients) {
                t.join(Duration.ofSeconds(60));
            }

            assertThat(process.exitValue()).as("exit code; output:\n" + String.join("\n", output.get())).isZero();
            assertThat(output.get()).anySatisfy(l -> assertThat(l).contains("requests in flight have up to 10000 ms"))
                    .anySatisfy(l -> assertThat(l).contains("the consumers stop after their current batch"))
                    .last().isEqualTo("Baton stopped");
            assertThat(Duration.ofNanos(stoppedAt - signalledAt)).isLessThan(Duration.ofSeconds(40));
            List<String> created = new ArrayList<>();
            for (RawHttp.Response r : slowAnswers) {
                assertThat(r.status()).as(r.body()).isEqualTo(201);
                created.add(Json.MAPPER.readTree(r.body()).get("id").asText());
            }
            for (Outcome o : outcomes) {
                if (o.response() != null) {
                    assertThat(o.response().status()).as(o.response().body()).isIn(201, 503);
                    JsonNode body = Json.MAPPER.readTree(o.response().body());
                    if (o.response().status() == 201) {
                        created.add(body.get("id").asText());
                    } else {
                        assertThat(body.get("type").asText()).isEqualTo("https://baton.dev/problems/shutting-down");
                    }
                } else if (o.connectedAt() >= 0) {
                    assertThat(o.connectedAt() - signalledAt).as(o.businessKey() + " was connected before the signal"
                            + " and got no answer: " + o.failure()).isPositive();
                }
            }
            assertThat(outcomes.stream().filter(o -> o.connectedAt() < 0)).as("refused after the stop").isNotEmpty();

            try (SagaStore store = JdbiSagaStore.create(JdbiStoreOptions.h2File(dir.resolve("data")))) {
                for (String id : created) {
                    assertThat(store.find(SagaId.of(id))).as("saga " + id + " answered 201").isPresent();
                }
                assertThat(store.counts().stream().mapToLong(c -> c.count()).sum()).as("sagas stored")
                        .isEqualTo(created.size());
            }
        } finally {
            process.destroyForcibly();
        }
    }

    private static byte[] body(String key) {
        return ("{\"type\":\"test-ops\",\"data\":{\"mode\":\"ok\",\"amount\":1},\"businessKey\":\"" + key + "\"}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static String head(int port, int length) {
        return "POST /api/sagas HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\nContent-Type:"
                + " application/json\r\nContent-Length: " + length + "\r\n\r\n";
    }

    /** Starts one saga on a connection of its own. */
    private static Outcome start(InetSocketAddress address, String key) {
        Socket socket = new Socket();
        try (socket) {
            try {
                socket.connect(address, 5000);
            } catch (ConnectException e) {
                return new Outcome(key, -1, null, e);
            }
            long connectedAt = System.nanoTime();
            byte[] body = body(key);
            String head = head(address.getPort(), body.length);
            try {
                return new Outcome(key, connectedAt, RawHttp.exchange(socket, head.substring(0, head.length() - 4), body), null);
            } catch (IOException e) {
                return new Outcome(key, connectedAt, null, e);
            }
        } catch (IOException e) {
            return new Outcome(key, -1, null, e);
        }
    }

    private static boolean refuses(InetSocketAddress address) {
        try (Socket socket = new Socket()) {
            socket.connect(address, 1000);
            return false;
        } catch (IOException e) {
            return true;
        }
    }
}
