package dev.baton.bench;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The command line of {@link Soak}: {@code --help} prints the options; a bad value prints the reason and the usage
 * and exits with 2. Not thread-safe: one instance per parse.
 *
 * <pre>
 * java -cp engine/bench/target/baton-bench.jar dev.baton.bench.SoakCommand --minutes 30 --rate 100 --retention 60
 * </pre>
 */
@Command(name = "java -cp baton-bench.jar dev.baton.bench.SoakCommand", mixinStandardHelpOptions = true,
        version = "Baton soak 0.1.0-SNAPSHOT", sortOptions = false,
        description = "Starts the order saga at a steady rate for N minutes with a short retention, and prints every"
                + " table's row count and the engine's H2 file size at each report: they stay flat once the first"
                + " sagas are older than the retention.")
public final class SoakCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--minutes", paramLabel = "M", defaultValue = "10", description = "How long (default ${DEFAULT-VALUE}).")
    int minutes;

    @Option(names = "--rate", paramLabel = "N", defaultValue = "50",
            description = "Sagas started per second (default ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--retention", paramLabel = "S", defaultValue = "60",
            description = "Seconds ended sagas, inbox ids and participant records are kept (default ${DEFAULT-VALUE}).")
    int retentionSeconds;

    @Option(names = "--report-every", paramLabel = "S", defaultValue = "60",
            description = "Seconds between reports (default ${DEFAULT-VALUE}).")
    int reportSeconds;

    @Option(names = "--no-h2-compaction", description = "Leave the engine's H2 file as H2 keeps it, to compare.")
    boolean noCompaction;

    @Option(names = "--h2-settings", paramLabel = ";K=V", defaultValue = "",
            description = "More H2 settings for the engine's file URL, to compare (default none).")
    String h2Settings;

    @Option(names = "--dir", paramLabel = "DIR",
            description = "Where the engine's H2 file is kept (default: a temporary folder, deleted at the end).")
    Path dir;

    public static void main(String[] args) {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        System.exit(new CommandLine(new SoakCommand()).setOut(new PrintWriter(System.out, true))
                .setErr(new PrintWriter(System.err, true)).execute(args));
    }

    /** Parses {@code args}; a bad value is a {@link ParameterException} naming it. */
    static Soak.Settings parse(String... args) {
        SoakCommand c = new SoakCommand();
        new CommandLine(c).parseArgs(args);
        return c.settings();
    }

    Soak.Settings settings() {
        positive("--minutes", minutes);
        positive("--rate", rate);
        positive("--retention", retentionSeconds);
        positive("--report-every", reportSeconds);
        return new Soak.Settings(Duration.ofMinutes(minutes), rate, Duration.ofSeconds(retentionSeconds),
                Duration.ofSeconds(reportSeconds), !noCompaction, h2Settings, dir);
    }

    @Override
    public Integer call() throws Exception {
        Soak.run(settings(), spec.commandLine().getOut());
        return 0;
    }

    private void positive(String option, int value) {
        if (value < 1) {
            throw new ParameterException(spec != null ? spec.commandLine() : new CommandLine(this),
                    option + " must be >= 1, but was " + value);
        }
    }
}
