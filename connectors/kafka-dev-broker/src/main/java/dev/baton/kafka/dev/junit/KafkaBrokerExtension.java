package dev.baton.kafka.dev.junit;

import dev.baton.kafka.dev.EmbeddedKafkaBroker;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Starts one {@link EmbeddedKafkaBroker} per test JVM, shared by every test class that uses this extension,
 * and injects it into parameters of type {@code EmbeddedKafkaBroker} (constructors, {@code @BeforeAll},
 * {@code @BeforeEach} and test methods).
 *
 * <pre>{@code
 * @ExtendWith(KafkaBrokerExtension.class)
 * class OrderTopicsTest {
 *     @Test
 *     void roundTrip(EmbeddedKafkaBroker broker) {
 *         var config = Map.<String, Object>of("bootstrap.servers", broker.bootstrapServers());
 *         ...
 *     }
 * }
 * }</pre>
 *
 * <p>The broker starts before the first such class runs (about 3 s) and is closed when the whole test run
 * ends: it lives in the root {@link ExtensionContext.Store}, which closes {@link AutoCloseable} values last.
 * It has {@link EmbeddedKafkaBroker.Builder the defaults}: a free port, a temporary directory, one partition
 * per auto-created topic. Since classes share it, each test should use its own topic names and consumer
 * group ids. A test that needs other settings, or a restart, starts its own broker.
 *
 * @since 0.1
 */
public final class KafkaBrokerExtension implements BeforeAllCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(KafkaBrokerExtension.class);
    private static final String KEY = "broker";

    /** Used by JUnit through {@code @ExtendWith}. */
    public KafkaBrokerExtension() {}

    /**
     * The shared broker of this test run, started on first use.
     *
     * @param context any extension context of the run
     */
    public static EmbeddedKafkaBroker sharedBroker(ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE)
                .computeIfAbsent(KEY, key -> EmbeddedKafkaBroker.builder().build().start(), EmbeddedKafkaBroker.class);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        sharedBroker(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == EmbeddedKafkaBroker.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return sharedBroker(context);
    }
}
