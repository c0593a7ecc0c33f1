package dev.baton.bench;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The command line of {@link KafkaSagaBenchmark}. {@code --help} prints the options; a bad option or value prints the
 * reason and the usage and exits with 2. Not thread-safe: one instance per parse.
 */
@Command(name = "java -cp baton-bench.jar dev.baton.bench.KafkaSagaBenchmark", mixinStandardHelpOptions = true,
        version = "Baton benchmark 0.1.0-SNAPSHOT", sortOptions = false,
        description = "The four-step order saga end to end, closed loop: the engine, the Kafka transport, four"
                + " participant services and a Kafka broker in this JVM. Prints throughput, latency percentiles and"
                + " what the engine did in the measured window.")
final class KafkaBenchCommand implements Callable<Integer> {

    /** What {@code --postgres} without a URL stands for. */
    private static final String EMBEDDED = "(embedded)";

    @Spec
    CommandSpec spec;

    @Option(names = "--inflight", paramLabel = "N", defaultValue = "100",
            description = "Sagas in flight at most; a new one starts as soon as one ends (default ${DEFAULT-VALUE}).")
    int inflight;

    @Option(names = "--warmup", paramLabel = "S", defaultValue = "30",
            description = "Seconds before measuring; the JIT needs about 30 on two cores (default ${DEFAULT-VALUE}).")
    int warmupSeconds;

    @Option(names = "--duration", paramLabel = "S", defaultValue = "30",
            description = "Seconds measured (default ${DEFAULT-VALUE}).")
    int durationSeconds;

    @Option(names = "--partitions", paramLabel = "N", defaultValue = "3",
            description = "Partitions of every topic (default ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--participant-db", paramLabel = "file|mem", defaultValue = "file",
            description = "The participant services' H2 databases: files or in memory (default ${DEFAULT-VALUE}).")
    String participantDb;

    @Option(names = "--dir", paramLabel = "DIR",
            description = "Where the databases keep their files (default: a temporary folder, deleted at the end).")
    Path dir;

    @Option(names = "--postgres", paramLabel = "URL", arity = "0..1", fallbackValue = EMBEDDED,
            description = "The engine on PostgreSQL instead of an H2 file: without URL an embedded PostgreSQL 14 with"
                    + " fsync and synchronous_commit on; with a jdbc:postgresql:// URL a fresh database "
                    + BenchPostgres.DATABASE + " on that server (the user needs CREATEDB).")
    String postgres;

    @Option(names = "--postgres-user", paramLabel = "U", defaultValue = "postgres",
            description = "For --postgres URL (default ${DEFAULT-VALUE}).")
    String postgresUser;

    @Option(names = "--postgres-password", paramLabel = "P", defaultValue = "",
            description = "For --postgres URL (default empty).")
    String postgresPassword;

    @Option(names = "--nodes", paramLabel = "N", defaultValue = "1",
            description = "Engine nodes in this JVM sharing the database and the reply consumer group; needs"
                    + " --postgres (default ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--reply-consumers", paramLabel = "K", defaultValue = "1",
            description = "Reply consumers per engine node; give the topics at least nodes x K partitions"
                    + " (default ${DEFAULT-VALUE}).")
    int replyConsumers;

    @Option(names = "--starters", paramLabel = "N", defaultValue = "1",
            description = "Threads calling start, as request threads of an application would (default ${DEFAULT-VALUE}).")
    int starters;

    @Option(names = "--linger-ms", paramLabel = "MS", defaultValue = "0",
            description = "The producers' linger.ms (default ${DEFAULT-VALUE}).")
    int lingerMs;

    @Option(names = "--h2-settings", paramLabel = ";K=V", defaultValue = "",
            description = "H2 settings that replace or add to those of the engine's file URL, to compare; for example"
                    + " ;WRITE_DELAY=500 keeps H2's write delay, which the store writes through its group commit"
                    + " (default none: WRITE_DELAY=0).")
    String h2Settings;

    @Option(names = "--tracing", paramLabel = "off|on[,...]", defaultValue = "off",
            description = "Tracing in the measured phase, or the phases in order, for example off,on,off,on: with"
                    + " several, one JVM and one broker run a shared warm-up (--warmup, split among the modes), then"
                    + " each phase rebuilds the engine and the services with its OpenTelemetry, runs --settle seconds"
                    + " unmeasured and measures --duration seconds. On: an OpenTelemetry SDK per service (sampler"
                    + " parent-based always-on, batch span processor) exporting into a counter that drops the spans;"
                    + " off: OpenTelemetry.noop() (default ${DEFAULT-VALUE}).")
    String tracing;

    @Option(names = "--settle", paramLabel = "S", defaultValue = "10",
            description = "With several --tracing phases, seconds of load before each phase measures, after its"
                    + " engine and services were rebuilt (default ${DEFAULT-VALUE}).")
    int settleSeconds;

    @Option(names = "--rate", paramLabel = "R", defaultValue = "0",
            description = "Open loop: start R sagas per second on a fixed schedule whatever the engine does, and measure"
                    + " latency from each saga's scheduled start, so a start that waits counts (no coordinated omission);"
                    + " --inflight is then only a cap on sagas in flight. 0: closed loop, a saga starts when one ends"
                    + " (default ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--kafka-client", paramLabel = "K=V",
            description = "A property for every Kafka client of the run (engine, services, admin), such as"
                    + " fetch.max.wait.ms=10; repeatable. Clients that do not know it log a warning.")
    java.util.Map<String, String> kafkaClient = new java.util.LinkedHashMap<>();

    /** Runs the command line; returns the exit code (0 done, 1 failed, 2 bad arguments). */
    static int execute(String[] args, PrintWriter out, PrintWriter err) {
        return new CommandLine(new KafkaBenchCommand()).setOut(out).setErr(err).execute(args);
    }

    /** Parses {@code args}; a bad option or value is a {@link ParameterException} with the reason. */
    static BenchSettings parse(String... args) {
        KafkaBenchCommand command = new KafkaBenchCommand();
        new CommandLine(command).parseArgs(args);
        return command.settings();
    }

    @Override
    public Integer call() throws Exception {
        KafkaSagaBenchmark.run(settings());
        return 0;
    }

    /** The settings these options give; a value out of range is a {@link ParameterException}. */
    BenchSettings settings() {
        positive("--inflight", inflight);
        positive("--duration", durationSeconds);
        positive("--partitions", partitions);
        positive("--nodes", nodes);
        positive("--reply-consumers", replyConsumers);
        positive("--starters", starters);
        if (warmupSeconds < 0) {
            throw new ParameterException(commandLine(), "--warmup must be >= 0, but was " + warmupSeconds);
        }
        if (lingerMs < 0) {
            throw new ParameterException(commandLine(), "--linger-ms must be >= 0, but was " + lingerMs);
        }
        if (!participantDb.equals("file") && !participantDb.equals("mem")) {
            throw new ParameterException(commandLine(), "--participant-db is file or mem, but was " + participantDb);
        }
        String pg = postgres == null ? null : EMBEDDED.equals(postgres) ? "" : postgres;
        if (pg != null && !pg.isEmpty() && !pg.startsWith("jdbc:postgresql:")) {
            throw new ParameterException(commandLine(), "--postgres takes a jdbc:postgresql:// URL, but was '"
                    + dev.baton.protocol.Secrets.maskUrl(pg) + "'");
        }
        if (nodes > 1 && pg == null) {
            throw new ParameterException(commandLine(), "--nodes " + nodes + " needs --postgres: an H2 file serves one node");
        }
        if (rate < 0 || Double.isNaN(rate) || rate > 100_000) {
            throw new ParameterException(commandLine(), "--rate must be 0 (closed loop) or up to 100000 sagas/s, but was "
                    + rate);
        }
        if (settleSeconds < 0) {
            throw new ParameterException(commandLine(), "--settle must be >= 0, but was " + settleSeconds);
        }
        return new BenchSettings(inflight, warmupSeconds, durationSeconds, partitions, participantDb.equals("file"), dir,
                pg, postgresUser, postgresPassword, nodes, replyConsumers, starters, lingerMs, h2Settings,
                tracingPhases(), settleSeconds, rate, kafkaClient);
    }

    /** {@code --tracing} as phases: {@code true} for on. */
    private List<Boolean> tracingPhases() {
        List<Boolean> phases = new ArrayList<>();
        for (String mode : tracing.split(",", -1)) {
            switch (mode.trim().toLowerCase(Locale.ROOT)) {
                case "on" -> phases.add(true);
                case "off" -> phases.add(false);
                default -> throw new ParameterException(commandLine(), "--tracing is a list of off and on, such as"
                        + " off,on,off,on, but was '" + tracing + "'");
            }
        }
        return phases;
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
