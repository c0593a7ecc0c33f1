package dev.baton.server;

import dev.baton.dsl.SagaDefinition;
import dev.baton.server.ops.LogSetup;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code java -jar baton-server.jar [--config FILE] [--dev]}: runs the Baton engine as a service.
 *
 * @since 0.1
 */
@Command(name = "baton-server", mixinStandardHelpOptions = true, version = "Baton 0.1.0-SNAPSHOT",
        description = "Runs the Baton saga engine as a service: REST API, metrics and health endpoints.%n"
                + "Settings come from the file given with --config, overridden by BATON_* environment variables.",
        footerHeading = "%nSettings (file key / environment variable: expected, default):%n", footer = "%s")
public final class Main implements Callable<Integer> {
    @Option(names = "--config", paramLabel = "FILE", description = "A properties file with baton.* settings.")
    Path configFile;

    @Option(names = "--dev", description = "Development mode: starts a Kafka broker inside the JVM and keeps its data and"
            + " an H2 database under ./data; registers a demo saga (demo-order) with its participants. Needs baton-server-dev.jar beside this jar (the build"
            + " puts it there).")
    boolean dev;

    private final Map<String, String> env;
    private final PrintWriter out;
    private final PrintWriter err;
    private final CountDownLatch stop = new CountDownLatch(1);

    Main(Map<String, String> env, PrintWriter out, PrintWriter err) {
        this.env = env;
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.getenv(), new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line; returns the exit code. */
    static int run(String[] args, Map<String, String> env, PrintWriter out, PrintWriter err) {
        Main main = new Main(env, out, err);
        CommandLine cl = new CommandLine(main).setOut(out).setErr(err);
        cl.getCommandSpec().usageMessage().footer(settingsHelp());
        return cl.execute(args);
    }

    private static String settingsHelp() {
        StringBuilder sb = new StringBuilder();
        for (ServerConfig.Key k : ServerConfig.KEYS) {
            sb.append("  ").append(k.name()).append(" / ").append(k.envName()).append("%n      ").append(k.expected())
                    .append(k.defaultValue() == null ? "; required" : k.defaultValue().isEmpty() ? "" : "; default " + k.defaultValue())
                    .append("%n");
        }
        sb.append("  ").append(ServerConfig.KAFKA_CLIENT_PREFIX).append("<kafka client property> / BATON_KAFKA_CLIENT_<PROPERTY>%n")
                .append("      passed to every Kafka client (TLS, SASL, ...)%n");
        return sb.toString();
    }

    @Override
    public Integer call() {
        DevSetup devSetup = null;
        BatonServer server = null;
        try {
            Properties file = null;
            if (configFile != null) {
                file = new Properties();
                try (InputStream in = Files.newInputStream(configFile)) {
                    file.load(in);
                } catch (IOException e) {
                    err.println("baton: cannot read the configuration file " + configFile + ": " + e);
                    err.flush();
                    return 2;
                }
            }
            Map<String, String> overrides = new LinkedHashMap<>();
            List<SagaDefinition<?>> extra = new ArrayList<>();
            if (dev && !DevJar.present(Main.class.getClassLoader())) {
                err.println("baton: " + DevJar.missingMessage());
                err.flush();
                return 2;
            }
            if (dev) {
                // check the settings and set up logging before the broker starts; its address is not known yet
                ServerConfig early = ServerConfig.load(file, env::get, env,
                        Map.of(ServerConfig.KAFKA_BOOTSTRAP.name(), "127.0.0.1:9092"));
                LogSetup.apply(early.get(ServerConfig.LOG_FORMAT), early.get(ServerConfig.LOG_LEVEL));
                Path data = Path.of(early.get(ServerConfig.DATA_DIR));
                devSetup = DevSetup.start(data);
                overrides.put(ServerConfig.KAFKA_BOOTSTRAP.name(), devSetup.bootstrapServers());
                extra.addAll(devSetup.definitions());
            }
            ServerConfig config = ServerConfig.load(file, env::get, env, overrides);
            LogSetup.apply(config.get(ServerConfig.LOG_FORMAT), config.get(ServerConfig.LOG_LEVEL));
            List<SagaDefinition<?>> definitions = new ArrayList<>(BatonServer.discoverDefinitions(config.get(ServerConfig.DEFINITIONS_DIR)));
            definitions.addAll(extra);
            if (devSetup != null) {
                devSetup.startParticipants(BatonServer.kafkaOptions(config));
            }
            server = BatonServer.start(config, definitions);
            String host = config.get(ServerConfig.HTTP_HOST);
            boolean local = host.isEmpty() || "0.0.0.0".equals(host) || "::".equals(host) || ServerConfig.isLoopback(host);
            out.println("Baton ready: http://" + (local ? "localhost" : host) + ":" + server.port() + "/");
            out.flush();
            BatonServer s = server;
            AutoCloseable d = devSetup;
            // SIGTERM or Ctrl-C: a graceful stop (see BatonServer.close), then exit code 0. The JVM would report a
            // signal's 143 (130) however cleanly the service stopped, so the hook ends the process itself once done.
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                closeQuietly(s);
                closeQuietly(d);
                out.println("Baton stopped");
                out.flush();
                err.flush();
                stop.countDown();
                Runtime.getRuntime().halt(0);
            }, "baton-shutdown"));
            stop.await();
            return 0;
        } catch (ServerConfig.InvalidConfigException e) {
            for (String p : e.problems()) {
                err.println("baton: configuration error: " + p);
            }
            err.flush();
            closeQuietly(server);
            closeQuietly(devSetup);
            return 2;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } catch (BatonServer.StartException e) {
            err.println("baton: cannot start: " + e.getMessage());
            err.flush();
            closeQuietly(server);
            closeQuietly(devSetup);
            return 1;
        } catch (RuntimeException e) {
            err.println("baton: cannot start: " + BatonServer.rootMessage(e));
            err.flush();
            closeQuietly(server);
            closeQuietly(devSetup);
            return 1;
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            // shutting down anyway
        }
    }
}
