package dev.baton.server;

import java.net.URISyntaxException;
import java.nio.file.Path;

/**
 * Finds {@code --dev}'s classes: they live in {@code baton-server-dev.jar}, which the build puts beside
 * {@code baton-server.jar} and which that jar's manifest puts on the class path. The production jar runs without it.
 */
final class DevJar {
    /** The dev jar's file name, as the server jar's manifest refers to it. */
    static final String FILE_NAME = "baton-server-dev.jar";
    static final String ENTRY_CLASS = "dev.baton.server.dev.DevMode";

    private DevJar() {}

    /** Whether dev mode's classes can be loaded by {@code loader}. */
    static boolean present(ClassLoader loader) {
        try {
            Class.forName(ENTRY_CLASS, false, loader);
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** What to tell a user who asked for {@code --dev} without the dev jar. */
    static String missingMessage() {
        return "--dev needs " + FILE_NAME + " (the Kafka broker, the demo saga and its participants) in "
                + serverJarDirectory() + ", beside baton-server.jar; the build puts it there:"
                + " mvn -pl engine/server -am package -DskipTests";
    }

    private static String serverJarDirectory() {
        try {
            Path location = Path.of(DevJar.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path dir = location.getParent();
            return dir == null ? location.toString() : dir.toString();
        } catch (URISyntaxException | RuntimeException e) {
            return "the directory of baton-server.jar";
        }
    }
}
