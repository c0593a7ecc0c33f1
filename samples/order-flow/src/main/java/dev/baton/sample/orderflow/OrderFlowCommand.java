package dev.baton.sample.orderflow;

import dev.baton.sample.orderflow.OrderFlowDemo.Mode;
import dev.baton.sample.orderflow.OrderFlowDemo.Settings;
import dev.baton.server.ServerConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The demo's command line: {@code java -jar order-flow.jar [options]}. {@code --help} prints the options; a bad
 * option or value prints the reason and the usage and exits with 2. Not thread-safe: one instance per parse.
 */
@Command(name = "order-flow.jar", mixinStandardHelpOptions = true, version = "Baton order-flow demo 0.1.0-SNAPSHOT",
        sortOptions = false,
        description = "Runs a Kafka broker, the Baton engine and four services in this JVM, sends a stream of orders"
                + " with a promotion spike in the middle, then prints a summary and a consistency check.",
        footer = "%nWith --postgres the engine and the four services all keep their data in that PostgreSQL database:"
                + " the engine's tables in its default schema, each service's (its own tables and the participant"
                + " SDK's records) in a schema of its own, orderflow_<service>.")
final class OrderFlowCommand implements Callable<Integer> {

    /** What {@code --postgres} without a URL stands for. */
    private static final String EMBEDDED = "(embedded)";

    @Spec
    CommandSpec spec;

    @Option(names = "--orders", paramLabel = "N", defaultValue = "2000",
            description = "Orders to send (default ${DEFAULT-VALUE}); a promotion spike sends a fifth of them at once.")
    int orders;

    @Option(names = "--exit", description = "Wait until every saga has ended, print the summary and exit (code 0 ="
            + " consistent).")
    boolean exit;

    @Option(names = "--rate", paramLabel = "R", description = "Open loop instead: R orders per second for --duration S"
            + " seconds, no spike.")
    Double rate;

    @Option(names = "--duration", paramLabel = "S", description = "With --rate: how many seconds to send.")
    Integer duration;

    @Option(names = "--max", description = "Closed loop instead: at most --inflight sagas in flight, --orders N of them.")
    boolean max;

    @Option(names = "--inflight", paramLabel = "K", defaultValue = "100",
            description = "With --max: sagas in flight at most (default ${DEFAULT-VALUE}).")
    int inflight;

    @Option(names = "--warmup", paramLabel = "S", description = "With --max: the first S seconds are the warm-up;"
            + " the steady-state line measures from then until the last order is sent (default: the second half of the"
            + " orders).")
    Integer warmup;

    @Option(names = "--chaos", description = "Kill the payment service mid-run and restart it on its database.")
    boolean chaos;

    @Option(names = "--data", paramLabel = "DIR", defaultValue = "data/order-flow",
            description = "Where the databases and the broker keep their files (default ${DEFAULT-VALUE}).")
    Path data;

    @Option(names = "--keep", description = "Keep DIR's contents (default: wiped at start).")
    boolean keep;

    @Option(names = "--port", paramLabel = "P", description = "REST API port (default 8080; with --exit any free port).")
    Integer port;

    @Option(names = "--wait", paramLabel = "S", defaultValue = "120",
            description = "With --exit, how long to wait for the last sagas (default ${DEFAULT-VALUE} s).")
    int waitSeconds;

    @Option(names = "--payment-capacity", paramLabel = "C", defaultValue = "30",
            description = "The card processor's authorizations at once (default ${DEFAULT-VALUE}).")
    int paymentCapacity;

    @Option(names = "--payment-hold-ms", paramLabel = "H", defaultValue = "300",
            description = "How long each authorization is held (default ${DEFAULT-VALUE} ms).")
    int paymentHoldMs;

    @Option(names = "--decline-rate", paramLabel = "D", defaultValue = "0.05",
            description = "Share of cards declined (default ${DEFAULT-VALUE}).")
    double declineRate;

    @Option(names = "--payment-latency-ms", paramLabel = "L", defaultValue = "0",
            description = "Milliseconds added to each authorization (default ${DEFAULT-VALUE}).")
    int paymentLatencyMs;

    @Option(names = "--logistics-failure-rate", paramLabel = "F", defaultValue = "0.05",
            description = "Share of carrier calls failing transiently (default ${DEFAULT-VALUE}).")
    double logisticsFailureRate;

    @Option(names = "--spike-share", paramLabel = "S", defaultValue = "0.2",
            description = "Share of --orders the promotion spike sends at once (default ${DEFAULT-VALUE}), 0 to 0.9.")
    double spikeShare;

    @Option(names = "--base-rate", paramLabel = "R", defaultValue = "60",
            description = "Orders per second outside the spike (default ${DEFAULT-VALUE}).")
    double baseRate;

    @Option(names = "--postgres", paramLabel = "URL", arity = "0..1", fallbackValue = EMBEDDED,
            description = "Keep the engine's sagas and the services' data in PostgreSQL instead of H2 files (a schema per"
                    + " service): without URL, a PostgreSQL 14"
                    + " started by the demo, its files in DIR/postgres (fsync and synchronous commit on; Linux"
                    + " x86-64); with a jdbc:postgresql://host[:port]/db URL, that server (best an empty database:"
                    + " sagas of earlier runs stay in it).")
    String postgres;

    @Option(names = "--postgres-user", paramLabel = "U", description = "For --postgres URL (default postgres, or"
            + " BATON_DB_USER from the environment).")
    String postgresUser;

    @Option(names = "--postgres-password", paramLabel = "P", description = "For --postgres URL (default empty, or"
            + " BATON_DB_PASSWORD from the environment, which keeps it out of ps).")
    String postgresPassword;

    private final Map<String, String> env;

    OrderFlowCommand(Map<String, String> env) {
        this.env = env;
    }

    /** Parses {@code args}; a bad option or value is an {@link IllegalArgumentException} with the reason. */
    static Settings parse(String[] args, Map<String, String> env) {
        OrderFlowCommand command = new OrderFlowCommand(env);
        try {
            new CommandLine(command).parseArgs(args);
            return command.settings();
        } catch (ParameterException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** Runs the command line; returns the exit code (0 consistent or help, 1 not consistent, 2 bad arguments). */
    static int execute(String[] args, Map<String, String> env, PrintWriter out, PrintWriter err) {
        return new CommandLine(new OrderFlowCommand(env)).setOut(out).setErr(err).execute(args);
    }

    @Override
    public Integer call() throws Exception {
        return OrderFlowDemo.run(settings(), System.out) ? 0 : 1;
    }

    /** The settings these options give; a combination that makes no sense is a {@link ParameterException}. */
    Settings settings() {
        positive("--orders", orders);
        positive("--inflight", inflight);
        positive("--wait", waitSeconds);
        positive("--payment-capacity", paymentCapacity);
        positive("--payment-hold-ms", paymentHoldMs);
        if (duration != null) {
            positive("--duration", duration);
        }
        if (warmup != null) {
            positive("--warmup", warmup);
            if (!max) {
                throw new ParameterException(commandLine(), "--warmup measures the closed loop: add --max");
            }
        }
        Mode mode = rate != null ? Mode.RATE : max ? Mode.MAX : Mode.SPIKE;
        double r = rate != null ? rate : baseRate;
        int n = orders;
        if (mode == Mode.RATE) {
            if (duration == null) {
                throw new ParameterException(commandLine(), "--rate needs --duration S");
            }
            n = (int) Math.max(1, Math.round(r * duration));
        }
        if (r <= 0) {
            throw new ParameterException(commandLine(), "the rate must be positive, but was " + r);
        }
        if (!(spikeShare >= 0 && spikeShare <= 0.9)) {
            throw new ParameterException(commandLine(), "--spike-share must be between 0 and 0.9, but was " + spikeShare);
        }
        EngineDatabase engineDb;
        try {
            String user = postgresUser != null ? postgresUser
                    : env.getOrDefault(ServerConfig.DB_USER.envName(), "postgres");
            String password = postgresPassword != null ? postgresPassword
                    : env.getOrDefault(ServerConfig.DB_PASSWORD.envName(), "");
            engineDb = postgres == null ? EngineDatabase.H2 : EMBEDDED.equals(postgres) ? EngineDatabase.embeddedPostgres()
                    : EngineDatabase.postgres(postgres, user, password);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(commandLine(), e.getMessage());
        }
        Settings defaults = Settings.defaults();
        return new Settings(n, mode, r, duration == null ? 0 : duration, inflight, spikeShare,
                new PaymentService.Settings(paymentCapacity, paymentHoldMs, declineRate, paymentLatencyMs),
                logisticsFailureRate, data, keep, exit, port == null ? (exit ? 0 : 8080) : port, waitSeconds, chaos,
                defaults.progress(), defaults.seed(), engineDb, warmup == null ? 0 : warmup);
    }

    private void positive(String option, int value) {
        if (value < 1) {
            throw new ParameterException(commandLine(), option + " must be >= 1, but was " + value);
        }
    }

    private CommandLine commandLine() {
        return spec != null ? spec.commandLine() : new CommandLine(this);
    }
}
