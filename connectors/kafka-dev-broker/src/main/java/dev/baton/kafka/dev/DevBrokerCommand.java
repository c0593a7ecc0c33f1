package dev.baton.kafka.dev;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The command line of an {@link EmbeddedKafkaBroker} run as its own process, until the process is stopped (Ctrl-C,
 * SIGTERM), then shut down cleanly. Prints one line once it is ready:
 * {@code Kafka broker ready: bootstrap.servers=127.0.0.1:9092 data=/abs/dir startup-ms=2900}.
 *
 * <pre>
 * java -cp ... dev.baton.kafka.dev.EmbeddedKafkaBroker [--port 9092] [--dir ./data/kafka] [--partitions 1] [--property key=value]...
 * </pre>
 *
 * Exits with 2 on a bad option or value, 1 if the broker cannot start. Not thread-safe: one instance per parse.
 */
@Command(name = "java -cp ... dev.baton.kafka.dev.EmbeddedKafkaBroker", mixinStandardHelpOptions = true,
        version = "Baton dev broker 0.1.0-SNAPSHOT", sortOptions = false,
        description = "Runs a single-node Kafka broker (KRaft, broker and controller) on 127.0.0.1 until the process"
                + " is stopped. For development and tests, not for production.")
final class DevBrokerCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "9092",
            description = "The broker's port on 127.0.0.1; 0 picks a free one (default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--dir", paramLabel = "DIR",
            description = "Where the broker keeps its data, kept on exit (default: a temporary folder deleted on exit).")
    Path dir;

    @Option(names = "--partitions", paramLabel = "N", defaultValue = "1",
            description = "Partitions of a topic created without a count (default ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--property", paramLabel = "KEY=VALUE",
            description = "A broker property, repeatable (for example log.retention.hours=1).")
    Map<String, String> properties = new LinkedHashMap<>();

    /** Runs the command line; returns the exit code. */
    static int execute(String[] args, PrintWriter out, PrintWriter err) {
        return new CommandLine(new DevBrokerCommand()).setOut(out).setErr(err).execute(args);
    }

    /** Parses {@code args} into a builder; a bad option or value is a {@link ParameterException}. */
    static EmbeddedKafkaBroker.Builder parse(String... args) {
        DevBrokerCommand command = new DevBrokerCommand();
        new CommandLine(command).parseArgs(args);
        return command.builder();
    }

    /** A builder with these options; the builder's own checks become {@link ParameterException}s. */
    EmbeddedKafkaBroker.Builder builder() {
        CommandLine commandLine = spec != null ? spec.commandLine() : new CommandLine(this);
        try {
            EmbeddedKafkaBroker.Builder b = EmbeddedKafkaBroker.builder().port(port).defaultPartitions(partitions);
            if (dir != null) {
                b.dataDirectory(dir);
            }
            properties.forEach(b::brokerProperty);
            return b;
        } catch (IllegalArgumentException e) {
            throw new ParameterException(commandLine, e.getMessage(), e);
        }
    }

    @Override
    public Integer call() throws InterruptedException {
        EmbeddedKafkaBroker broker = builder().build();
        Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "kafka-broker-shutdown"));
        PrintWriter out = spec.commandLine().getOut();
        try {
            broker.start();
        } catch (KafkaBrokerException e) {
            spec.commandLine().getErr().println(e.getMessage());
            return 1;
        }
        out.println("Kafka broker ready: bootstrap.servers=" + broker.bootstrapServers()
                + " data=" + broker.dataDirectory() + " startup-ms=" + broker.startupDuration().toMillis());
        out.flush();
        broker.awaitClosed();
        return 0;
    }
}
