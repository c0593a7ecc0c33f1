package dev.baton.server;

import dev.baton.dsl.SagaDefinition;
import dev.baton.kafka.common.KafkaOptions;
import dev.baton.server.dev.DevMode;
import java.nio.file.Path;
import java.util.List;

/**
 * The server's one door to {@code baton-server-dev.jar}. Only this class names its types, and {@link Main} touches
 * it only after {@link DevJar#present(ClassLoader)} said the jar is there, so the production jar never loads them.
 */
final class DevSetup implements AutoCloseable {
    private final DevMode mode;

    private DevSetup(DevMode mode) {
        this.mode = mode;
    }

    /** Starts the in-JVM broker, with its data under {@code dataDirectory}. */
    static DevSetup start(Path dataDirectory) {
        return new DevSetup(DevMode.startBroker(dataDirectory));
    }

    String bootstrapServers() {
        return mode.bootstrapServers();
    }

    List<SagaDefinition<?>> definitions() {
        return mode.definitions();
    }

    void startParticipants(KafkaOptions options) {
        mode.startParticipants(options);
    }

    @Override
    public void close() {
        mode.close();
    }
}
