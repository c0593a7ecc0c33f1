package dev.baton.jdbi;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A real PostgreSQL for the tests of this module: one {@link PostgresServer} per test JVM (embedded, or the server
 * named by {@code BATON_TEST_POSTGRES_URL}), kept in the root {@link ExtensionContext.Store} and closed when the run
 * ends, and one fresh {@link PostgresDatabase} per test class, dropped after the class. Injects parameters of type
 * {@link PostgresDatabase} (the class's database) and {@link PostgresServer} (to create more databases).
 *
 * <pre>{@code
 * @ExtendWith(PostgresExtension.class)
 * class SomethingOnPostgresTest {
 *     @BeforeEach void open(PostgresDatabase db) { store = db.openStore(); db.clearBatonTables(); }
 * }
 * }</pre>
 *
 * <p>Tests of one class share its database: each test empties the tables it uses, or asks the server for its own.
 */
public final class PostgresExtension implements BeforeAllCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(PostgresExtension.class);
    private static final String SERVER = "server";
    private static final String DATABASE = "database";

    /** Used by JUnit through {@code @ExtendWith}. */
    public PostgresExtension() {}

    /** The shared server of this test run, started on first use. */
    public static PostgresServer server(ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE)
                .computeIfAbsent(SERVER, key -> PostgresServer.fromEnvironment(), PostgresServer.class);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        PostgresServer server = server(context);
        // in the class's store: closed, so dropped, when the class is done
        context.getStore(NAMESPACE).computeIfAbsent(DATABASE, key -> server.createDatabase(), PostgresDatabase.class);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == PostgresDatabase.class || type == PostgresServer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        if (parameter.getParameter().getType() == PostgresServer.class) {
            return server(context);
        }
        // a method's store sees the values of its class's store
        PostgresDatabase database = context.getStore(NAMESPACE).get(DATABASE, PostgresDatabase.class);
        if (database == null) {
            throw new IllegalStateException("no class database: PostgresDatabase parameters work from @BeforeAll on");
        }
        return database;
    }
}
