package dev.baton.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.net.URLClassLoader;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** How the server finds dev mode's classes, and what it says when they are missing. */
class DevJarTest {

    @Test
    @DisplayName("dev mode is found where baton-server-dev is on the class path (as in the tests)")
    void foundOnTheClassPath() {
        assertThat(DevJar.present(DevJarTest.class.getClassLoader())).isTrue();
    }

    @Test
    @DisplayName("without the dev jar, dev mode is absent and the message names the jar and the build command")
    void missing() throws Exception {
        try (URLClassLoader bare = new URLClassLoader(new URL[0], ClassLoader.getPlatformClassLoader())) {
            assertThat(DevJar.present(bare)).isFalse();
        }
        assertThat(DevJar.missingMessage())
                .contains("baton-server-dev.jar", "beside baton-server.jar", "mvn -pl engine/server -am package -DskipTests");
    }
}
