package dev.baton.server.dev;

import dev.baton.dsl.SagaDefinition;
import dev.baton.kafka.common.KafkaOptions;
import dev.baton.kafka.dev.EmbeddedKafkaBroker;
import java.nio.file.Path;
import java.util.List;

/**
 * What {@code baton-server --dev} adds to the server: a Kafka broker inside the JVM, the demo saga and its four
 * participant services. Lives in {@code baton-server-dev.jar}, which the build puts beside {@code baton-server.jar};
 * the production jar carries no broker, no Scala and no participant SDK.
 *
 * <p>Use: {@link #startBroker(Path)}, hand {@link #bootstrapServers()} and {@link #definitions()} to the server,
 * {@link #startParticipants(KafkaOptions)} once its settings are known, {@link #close()} on shutdown.
 *
 * @since 0.1
 */
public final class DevMode implements AutoCloseable {
    private final EmbeddedKafkaBroker broker;
    private volatile AutoCloseable participants;

    private DevMode(EmbeddedKafkaBroker broker) {
        this.broker = broker;
    }

    /** Starts a single-node broker keeping its data under {@code dataDirectory/kafka}. */
    public static DevMode startBroker(Path dataDirectory) {
        return new DevMode(EmbeddedKafkaBroker.builder().dataDirectory(dataDirectory.resolve("kafka")).build().start());
    }

    /** The broker's {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return broker.bootstrapServers();
    }

    /** The saga definitions dev mode registers: the demo order saga. */
    public List<SagaDefinition<?>> definitions() {
        return List.of(DemoSagas.DEMO_ORDER);
    }

    /** Starts the demo saga's participant services, in this JVM, on these Kafka settings. */
    public synchronized void startParticipants(KafkaOptions options) {
        if (participants != null) {
            throw new IllegalStateException("the demo participants were started already");
        }
        participants = DemoSagas.startParticipants(options);
    }

    /** Stops the participants, then the broker. */
    @Override
    public void close() {
        AutoCloseable p = participants;
        try {
            if (p != null) {
                p.close();
            }
        } catch (Exception e) {
            throw new IllegalStateException("the demo participants did not stop cleanly", e);
        } finally {
            broker.close();
        }
    }
}
