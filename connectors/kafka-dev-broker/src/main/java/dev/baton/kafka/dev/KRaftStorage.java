package dev.baton.kafka.dev;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

/** The KRaft storage directory of {@link EmbeddedKafkaBroker}: formatted once, its cluster id kept across restarts. */
final class KRaftStorage {

    private KRaftStorage() {}

    /**
     * Formats {@code dataDirectory} for a single node unless it holds KRaft storage already; returns the cluster id,
     * new or read back from {@code meta.properties}.
     */
    static String formatIfNeeded(Path dataDirectory, int nodeId, String controllerListener) {
        Path meta = dataDirectory.resolve("meta.properties");
        if (Files.exists(meta)) {
            return readClusterId(meta);
        }
        String id = Uuid.randomUuid().toString();
        try {
            new Formatter()
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setNodeId(nodeId)
                    .setClusterId(id)
                    .setReleaseVersion(MetadataVersion.latestProduction())
                    .setControllerListenerName(controllerListener)
                    .setMetadataLogDirectory(dataDirectory.toString())
                    .addDirectory(dataDirectory.toString())
                    .run();
        } catch (Exception e) {
            throw new KafkaBrokerException("cannot format Kafka storage in " + dataDirectory + ": " + e.getMessage(), e);
        }
        return id;
    }

    private static String readClusterId(Path meta) {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(meta)) {
            p.load(in);
        } catch (IOException e) {
            throw new KafkaBrokerException("cannot read " + meta + ": " + e, e);
        }
        String id = p.getProperty("cluster.id");
        if (id == null) {
            throw new KafkaBrokerException(meta + " has no cluster.id: it is not Kafka KRaft storage");
        }
        return id;
    }
}
