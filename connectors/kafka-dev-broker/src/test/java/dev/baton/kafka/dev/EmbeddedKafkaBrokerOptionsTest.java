package dev.baton.kafka.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.ParameterException;

/** Options and command line; no broker is started here. */
class EmbeddedKafkaBrokerOptionsTest {

    @Test
    void theBuilderRefusesBadValuesNamingThem() {
        var builder = EmbeddedKafkaBroker.builder();
        assertThatThrownBy(() -> builder.port(70_000)).hasMessage("port must be between 0 (any free port) and 65535, but was 70000");
        assertThatThrownBy(() -> builder.defaultPartitions(0)).hasMessage("defaultPartitions must be >= 1, but was 0");
        assertThatThrownBy(() -> builder.brokerProperty("listeners", "PLAINTEXT://0.0.0.0:9092"))
                .hasMessageStartingWith("broker property 'listeners' is set by EmbeddedKafkaBroker itself and cannot be overridden");
    }

    @Test
    void aBrokerThatWasNeverStartedHasNoAddressAndClosesQuietly() {
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().build();
        assertThatThrownBy(broker::bootstrapServers).isInstanceOf(IllegalStateException.class).hasMessageContaining("not started");
        broker.close();
        broker.close();
        assertThatThrownBy(broker::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("starts once");
    }

    @Test
    void theCommandLineTakesPortDirectoryPartitionsAndProperties() {
        EmbeddedKafkaBroker.Builder b = DevBrokerCommand.parse(
                "--port", "0", "--dir", "data/kafka", "--partitions", "3", "--property", "log.retention.hours=1",
                "--property", "auto.create.topics.enable=false");
        EmbeddedKafkaBroker broker = b.build();
        assertThat(broker).hasToString("EmbeddedKafkaBroker[not started]");
        assertThat(broker).extracting("configuredPort", "configuredDirectory", "defaultPartitions", "extraProperties")
                .containsExactly(0, Path.of("data/kafka"), 3,
                        Map.of("log.retention.hours", "1", "auto.create.topics.enable", "false"));
        assertThat(DevBrokerCommand.parse().build()).extracting("configuredPort", "configuredDirectory", "defaultPartitions")
                .containsExactly(9092, null, 1);
    }

    @Test
    void theCommandLineNamesWhatIsWrong() {
        assertThatThrownBy(() -> DevBrokerCommand.parse("--port", "x"))
                .isInstanceOf(ParameterException.class).hasMessageContaining("--port").hasMessageContaining("'x'");
        assertThatThrownBy(() -> DevBrokerCommand.parse("--verbose")).isInstanceOf(ParameterException.class)
                .hasMessageContaining("Unknown option: '--verbose'");
        assertThatThrownBy(() -> DevBrokerCommand.parse("--partitions")).isInstanceOf(ParameterException.class)
                .hasMessageContaining("Missing required parameter for option '--partitions'");
        assertThatThrownBy(() -> DevBrokerCommand.parse("--property", "node.id=2")).isInstanceOf(ParameterException.class)
                .hasMessage("broker property 'node.id' is set by EmbeddedKafkaBroker itself and cannot be overridden; the"
                        + " reserved ones are " + new TreeSet<>(EmbeddedKafkaBroker.RESERVED_PROPERTIES));
        assertThatThrownBy(() -> DevBrokerCommand.parse("--port", "70000")).isInstanceOf(ParameterException.class)
                .hasMessage("port must be between 0 (any free port) and 65535, but was 70000");
    }

    @Test
    void helpExitsZeroAndABadOptionExitsTwoWithTheUsage() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertThat(DevBrokerCommand.execute(new String[] {"--help"}, new PrintWriter(out, true), new PrintWriter(err, true)))
                .isZero();
        assertThat(out.toString()).contains("Usage:", "--port=PORT", "default 9092", "--dir=DIR", "--partitions=N",
                "--property=KEY=VALUE");
        assertThat(DevBrokerCommand.execute(new String[] {"--property", "no-equals-sign"}, new PrintWriter(out, true),
                new PrintWriter(err, true))).isEqualTo(2);
        assertThat(err.toString()).contains("no-equals-sign", "Usage:");
    }
}
