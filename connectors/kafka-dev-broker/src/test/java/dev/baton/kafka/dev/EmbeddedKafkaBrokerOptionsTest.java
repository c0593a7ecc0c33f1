package dev.baton.kafka.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

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
        EmbeddedKafkaBroker.Builder b = EmbeddedKafkaBroker.fromArguments(
                "--port", "0", "--dir", "data/kafka", "--partitions", "3", "--property", "log.retention.hours=1");
        EmbeddedKafkaBroker broker = b.build();
        assertThat(broker).hasToString("EmbeddedKafkaBroker[not started]");
        assertThat(broker).extracting("configuredPort", "configuredDirectory", "defaultPartitions", "extraProperties")
                .containsExactly(0, Path.of("data/kafka"), 3, Map.of("log.retention.hours", "1"));
        assertThat(EmbeddedKafkaBroker.fromArguments().build()).extracting("configuredPort").isEqualTo(9092);
    }

    @Test
    void theCommandLineReportsEveryProblemAtOnce() {
        assertThatThrownBy(() -> EmbeddedKafkaBroker.fromArguments("--port", "x", "--verbose", "--property", "node.id=2", "--partitions"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--port was 'x' but it must be a number; unknown argument '--verbose'; "
                        + "broker property 'node.id' is set by EmbeddedKafkaBroker itself and cannot be overridden; the reserved ones are "
                        + new TreeSet<>(EmbeddedKafkaBroker.RESERVED_PROPERTIES) + "; --partitions needs a value");
    }
}
