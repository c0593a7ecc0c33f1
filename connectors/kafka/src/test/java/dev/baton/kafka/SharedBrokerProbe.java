package dev.baton.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.kafka.dev.EmbeddedKafkaBroker;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Records which broker instance each test class was given. An {@link EmbeddedKafkaBroker} starts at most once
 * (a second {@code start()} throws), so one instance seen by every class means one broker start per test JVM.
 */
final class SharedBrokerProbe {
    private static final Set<EmbeddedKafkaBroker> SEEN = ConcurrentHashMap.newKeySet();

    private SharedBrokerProbe() {}

    static void record(Class<?> testClass, EmbeddedKafkaBroker broker) {
        SEEN.add(broker);
        System.out.printf("%s got %s, started in %d ms%n", testClass.getSimpleName(), broker, broker.startupDuration().toMillis());
        assertThat(SEEN).as("brokers given to the test classes of this JVM").containsExactly(broker);
        assertThat(broker.isRunning()).isTrue();
    }
}
