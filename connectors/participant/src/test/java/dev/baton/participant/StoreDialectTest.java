package dev.baton.participant;

import static dev.baton.participant.TestMessages.command;
import static dev.baton.participant.TestMessages.reply;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.participant.TestMessages.AuthorizePayment;
import dev.baton.protocol.ReplyOutcome;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Which database the store runs on, and who creates its tables. */
class StoreDialectTest {

    private static JdbcDataSource freshH2() {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:dialect-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        ds.setUser("sa");
        return ds;
    }

    private static CommandHandlers paying() {
        return CommandHandlers.forParticipant("payment")
                .on(AuthorizePayment.class, cmd -> Outcome.success())
                .build();
    }

    private static ReplyOutcome handleOne(JdbiIdempotencyStore store) {
        ParticipantRuntime runtime = ParticipantRuntime.builder().handlers(paying()).store(store).build();
        return reply(runtime.handle(command("s-1", "authorize-payment", 1, new AuthorizePayment("o-1", 100))))
                .outcome();
    }

    private static boolean tableExists(DataSource ds, String table) throws SQLException {
        try (Connection c = ds.getConnection();
             var rs = c.getMetaData().getTables(null, null, table.toUpperCase(), null)) {
            return rs.next();
        }
    }

    @Test
    @DisplayName("the built-in dialects are found by the product name their drivers report")
    void builtInDialectsByProductName() {
        assertThat(StoreDialect.forProduct("H2")).contains(StoreDialect.h2());
        assertThat(StoreDialect.forProduct("PostgreSQL")).contains(StoreDialect.postgresql());
        assertThat(StoreDialect.postgresql().migrationLocation()).isEqualTo("db/baton-participant/postgresql");
        assertThat(StoreDialect.forProduct("MariaDB")).isEmpty();
        assertThat(StoreDialect.of("MariaDB", "classpath:db/x").migrationLocation()).isEqualTo("db/x");
    }

    @Test
    @DisplayName("every built-in dialect has its migration scripts on the classpath")
    void builtInScriptsExist() throws IOException {
        for (StoreDialect d : StoreDialect.builtIn()) {
            String script = d.migrationLocation() + "/V1__participant_inbox.sql";
            try (InputStream in = getClass().getClassLoader().getResourceAsStream(script)) {
                assertThat(in).as(script).isNotNull();
                String ddl = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                assertThat(ddl).contains("CREATE TABLE baton_participant_inbox", "CREATE TABLE baton_participant_step");
            }
        }
    }

    @Test
    @DisplayName("the H2 dialect is detected and its tables migrated by default")
    void detectsAndMigrates() throws SQLException {
        JdbcDataSource ds = freshH2();
        try (JdbiIdempotencyStore store = JdbiIdempotencyStore.create(ds)) {
            assertThat(store.dialect()).isEqualTo(StoreDialect.h2());
            assertThat(tableExists(ds, "baton_participant_inbox")).isTrue();
            assertThat(handleOne(store)).isEqualTo(ReplyOutcome.SUCCESS);
        }
    }

    @Test
    @DisplayName("migrate(false) on a database without the tables: refused, naming the table, the scripts and the docs")
    void missingTablesWithoutMigration() throws SQLException {
        JdbcDataSource ds = freshH2();
        assertThatThrownBy(() -> JdbiIdempotencyStore.builder(ds).migrate(false).build())
                .isInstanceOf(ParticipantStoreException.class)
                .hasMessageContaining("baton_participant_inbox")
                .hasMessageContaining("classpath:db/baton-participant/h2")
                .hasMessageContaining("docs/participants.md");
        assertThat(tableExists(ds, "baton_participant_inbox")).isFalse(); // nothing created behind the service's back
    }

    @Test
    @DisplayName("migrate(false) with the tables created by the service's own tool from the published DDL: the store works")
    void tablesCreatedByTheService() throws Exception {
        JdbcDataSource ds = freshH2();
        String ddl;
        try (InputStream in = getClass().getClassLoader()
                .getResourceAsStream("db/baton-participant/h2/V1__participant_inbox.sql")) {
            ddl = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute(ddl);
        }
        try (JdbiIdempotencyStore store = JdbiIdempotencyStore.builder(ds).migrate(false).build()) {
            assertThat(handleOne(store)).isEqualTo(ReplyOutcome.SUCCESS);
            assertThat(store.find("payment", "s-1/authorize-payment/do/1")).isPresent();
        }
        assertThat(tableExists(ds, JdbiIdempotencyStore.SCHEMA_HISTORY_TABLE)).isFalse();
    }

    @Test
    @DisplayName("a table that lacks a column the SDK writes is refused at open, not at the first command")
    void tableLackingAColumn() throws Exception {
        JdbcDataSource ds = freshH2();
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE baton_participant_inbox (participant VARCHAR(100), message_id VARCHAR(255))");
        }
        assertThatThrownBy(() -> JdbiIdempotencyStore.builder(ds).migrate(false).build())
                .isInstanceOf(ParticipantStoreException.class)
                .hasMessageContaining("baton_participant_inbox is missing or lacks a column");
    }

    @Test
    @DisplayName("a custom dialect migrates from its own scripts")
    void customDialectScripts() throws SQLException {
        JdbcDataSource ds = freshH2();
        try (JdbiIdempotencyStore store = JdbiIdempotencyStore.builder(ds)
                .dialect(StoreDialect.of("H2", "db/custom-participant")).build()) {
            assertThat(tableExists(ds, "custom_dialect_marker")).isTrue();
            assertThat(handleOne(store)).isEqualTo(ReplyOutcome.SUCCESS);
        }
    }

    @Test
    @DisplayName("a database without a built-in dialect: refused with the product's name and how to add one")
    void unknownDatabase() {
        DataSource mariaDb = reportingProduct(freshH2(), "MariaDB");
        assertThatThrownBy(() -> JdbiIdempotencyStore.create(mariaDb))
                .isInstanceOf(ParticipantStoreException.class)
                .hasMessageContaining("no built-in dialect for the database 'MariaDB'")
                .hasMessageContaining("StoreDialect.of(\"MariaDB\"");
    }

    /** {@code ds}, but its connections' metadata name another database product. */
    private static DataSource reportingProduct(JdbcDataSource ds, String product) {
        return (DataSource) Proxy.newProxyInstance(StoreDialectTest.class.getClassLoader(),
                new Class<?>[] {DataSource.class}, (p, m, args) -> {
                    Object result = invoke(ds, m, args);
                    if (!m.getName().equals("getConnection")) {
                        return result;
                    }
                    Connection real = (Connection) result;
                    return Proxy.newProxyInstance(StoreDialectTest.class.getClassLoader(),
                            new Class<?>[] {Connection.class}, (cp, cm, cargs) -> {
                                if (cm.getName().equals("getMetaData")) {
                                    DatabaseMetaData meta = real.getMetaData();
                                    return Proxy.newProxyInstance(StoreDialectTest.class.getClassLoader(),
                                            new Class<?>[] {DatabaseMetaData.class}, (mp, mm, margs) ->
                                                    mm.getName().equals("getDatabaseProductName")
                                                            ? product : invoke(meta, mm, margs));
                                }
                                return invoke(real, cm, cargs);
                            });
                });
    }

    private static Object invoke(Object target, java.lang.reflect.Method m, Object[] args) throws Throwable {
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
