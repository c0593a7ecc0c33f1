package dev.baton.server;

import dev.baton.jdbi.PostgresDatabase;
import dev.baton.jdbi.PostgresExtension;
import dev.baton.kafka.dev.EmbeddedKafkaBroker;
import dev.baton.kafka.dev.junit.KafkaBrokerExtension;
import java.util.Map;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * One {@link TestServer} without tokens for the whole test run, shared by the classes that use this extension and
 * closed when the run ends (before the shared broker, which was stored first). Classes marked {@link OnPostgres}
 * share another one, whose store is a fresh PostgreSQL database, dropped after the server closed.
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
        boolean postgres = AnnotationSupport.isAnnotated(context.getRequiredTestClass(), OnPostgres.class);
        ExtensionContext.Store store = context.getRoot().getStore(NS);
        return store.computeIfAbsent(postgres ? "server-on-postgres" : "server", k -> {
            try {
                return postgres ? onPostgres(broker, context, store) : TestServer.start(broker, Map.of());
            } catch (Exception e) {
                throw new IllegalStateException("the test server did not start", e);
            }
        }, TestServer.class);
    }

    private static TestServer onPostgres(EmbeddedKafkaBroker broker, ExtensionContext context, ExtensionContext.Store store)
            throws Exception {
        // stored before the server, so closed (dropped) after it; the PostgreSQL server itself was stored earlier still
        PostgresDatabase db = store.computeIfAbsent("database", k -> PostgresExtension.server(context).createDatabase(),
                PostgresDatabase.class);
        return TestServer.start(broker, Map.of("BATON_DB_URL", db.jdbcUrl(), "BATON_DB_USER", db.user(),
                "BATON_DB_PASSWORD", db.password()), db);
    }
}
