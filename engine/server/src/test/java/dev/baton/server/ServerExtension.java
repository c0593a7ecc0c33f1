package dev.baton.server;

import dev.baton.kafka.dev.junit.KafkaBrokerExtension;
import java.util.Map;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One {@link TestServer} without tokens for the whole test run, shared by the classes that use this extension and
 * closed when the run ends (before the shared broker, which was stored first).
 */
public final class ServerExtension implements ParameterResolver {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(ServerExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == TestServer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        var broker = KafkaBrokerExtension.sharedBroker(context);
        return context.getRoot().getStore(NS).computeIfAbsent("server", k -> {
            try {
                return TestServer.start(broker, Map.of());
            } catch (Exception e) {
                throw new IllegalStateException("the test server did not start", e);
            }
        }, TestServer.class);
    }
}
