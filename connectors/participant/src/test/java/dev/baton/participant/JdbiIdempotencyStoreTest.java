package dev.baton.participant;

import static dev.baton.participant.TestMessages.command;
import static dev.baton.participant.TestMessages.reply;
import static dev.baton.participant.TestMessages.unavailable;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.participant.TestMessages.AuthorizePayment;
import java.sql.Connection;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The store in the service's own database: schema, coexistence, retention and failures. */
class JdbiIdempotencyStoreTest {

    private final AtomicInteger runs = new AtomicInteger();

    private CommandHandlers handlers() {
        return CommandHandlers.forParticipant("payment")
                .on(AuthorizePayment.class, c -> {
                    runs.incrementAndGet();
                    return Outcome.success();
                })
                .build();
    }

    private static String memoryUrl() {
        return "jdbc:h2:mem:store-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
    }

    @Test
    @DisplayName("shares a schema with the service's tables and other Flyway histories, and migrates only its own")
    void coexists() throws Exception {
        SwitchableDataSource ds = new SwitchableDataSource(memoryUrl());
        Flyway.configure().dataSource(ds).locations("classpath:db/test-service").load().migrate();
        // an engine store in the same schema keeps its own history table too
        try (Connection c = ds.getConnection()) {
            c.createStatement().execute("CREATE TABLE baton_schema_history (installed_rank INT PRIMARY KEY)");
        }

        try (JdbiIdempotencyStore store = JdbiIdempotencyStore.create(ds)) {
            List<String> versions = store.jdbi().withHandle(h -> h.createQuery(
                    // Flyway creates its table with a quoted lower-case name on H2
                    "SELECT \"version\" FROM \"" + JdbiIdempotencyStore.SCHEMA_HISTORY_TABLE + "\" WHERE \"version\" IS NOT NULL ORDER BY \"installed_rank\"")
                    .mapTo(String.class).list());
            assertThat(versions).containsExactly("0", "1"); // baseline on a non-empty schema, then ours
            List<String> tables = store.jdbi().withHandle(h -> h.createQuery(
                    "SELECT LOWER(table_name) FROM information_schema.tables WHERE table_schema = 'PUBLIC' ORDER BY 1")
                    .mapTo(String.class).list());
            assertThat(tables).containsExactly("baton_participant_inbox", "baton_participant_schema_history",
                    "baton_participant_step", "baton_schema_history", "customer_payment", "flyway_schema_history");
            List<String> serviceMigrations = store.jdbi().withHandle(h -> h.createQuery(
                    "SELECT \"script\" FROM \"flyway_schema_history\" WHERE \"version\" IS NOT NULL")
                    .mapTo(String.class).list());
            assertThat(serviceMigrations).containsExactly("V1__service_tables.sql");
        }
        try (JdbiIdempotencyStore again = JdbiIdempotencyStore.create(ds)) { // opening twice is harmless
            assertThat(again.find("payment", "nothing")).isEmpty();
        }
    }

    @Test
    @DisplayName("database unreachable: Unavailable (redeliver), never a thrown exception; once back, the command runs once")
    void databaseDown() {
        SwitchableDataSource ds = new SwitchableDataSource(memoryUrl());
        try (JdbiIdempotencyStore store = JdbiIdempotencyStore.create(ds)) {
            ParticipantRuntime runtime = ParticipantRuntime.builder().handlers(handlers()).store(store).build();
            IncomingCommand cmd = command("s-1", "authorize-payment", 1, new AuthorizePayment("o-1", 1));

            ds.down(true);
            Unavailable u = unavailable(runtime.handle(cmd));
            assertThat(u.reason()).startsWith("database unreachable: SQLSTATE 08001");
            assertThat(u.command()).isEqualTo(cmd);
            assertThat(runs).hasValue(0);

            ds.down(false);
            assertThat(reply(runtime.handle(cmd)).disposition()).isEqualTo(Disposition.HANDLED);
            assertThat(reply(runtime.handle(cmd)).disposition()).isEqualTo(Disposition.REPLAYED);
            assertThat(runs).hasValue(1);
        }
    }

    @Test
    @DisplayName("a closed store: Unavailable, and its maintenance calls say it is closed")
    void closed() {
        JdbiIdempotencyStore store = JdbiIdempotencyStore.h2InMemory("closed-" + UUID.randomUUID());
        ParticipantRuntime runtime = ParticipantRuntime.builder().handlers(handlers()).store(store).build();
        store.close();
        store.close(); // idempotent

        assertThat(unavailable(runtime.handle(command("s-1", "authorize-payment", 1, new AuthorizePayment("o-1", 1))))
                .reason()).isEqualTo("the participant store is closed");
        assertThatThrownBy(() -> store.find("payment", "m")).isInstanceOf(ParticipantStoreException.class)
                .hasMessageContaining("closed");
        assertThat(store.toString()).contains("closed");
    }

    @Test
    @DisplayName("purgeHandledBefore deletes old records; a redelivery after its record is gone runs again")
    void purge() {
        try (JdbiIdempotencyStore store = JdbiIdempotencyStore.h2InMemory("purge-" + UUID.randomUUID())) {
            Instant day1 = Instant.parse("2026-01-01T00:00:00Z");
            Instant day9 = Instant.parse("2026-01-09T00:00:00Z");
            IncomingCommand old = command("s-1", "authorize-payment", 1, new AuthorizePayment("o-1", 1));
            IncomingCommand recent = command("s-2", "authorize-payment", 1, new AuthorizePayment("o-2", 1));
            runtimeAt(store, day1).handle(old);
            runtimeAt(store, day9).handle(recent);

            assertThat(store.find("payment", "s-1/authorize-payment/do/1")).hasValueSatisfying(
                    r -> assertThat(r.handledAt()).isEqualTo(day1));
            assertThat(store.purgeHandledBefore(Instant.parse("2026-01-05T00:00:00Z"))).isEqualTo(1);

            assertThat(store.find("payment", "s-1/authorize-payment/do/1")).isEmpty();
            assertThat(reply(runtimeAt(store, day9).handle(recent)).disposition()).isEqualTo(Disposition.REPLAYED);
            assertThat(reply(runtimeAt(store, day9).handle(old)).disposition()).isEqualTo(Disposition.HANDLED);
            assertThat(runs).hasValue(3);
        }
    }

    private ParticipantRuntime runtimeAt(JdbiIdempotencyStore store, Instant now) {
        return ParticipantRuntime.builder().handlers(handlers()).store(store).clock(Clock.fixed(now, ZoneOffset.UTC)).build();
    }

    @Test
    @DisplayName("opening on a database that cannot be reached fails with the reason")
    void cannotOpen() {
        SwitchableDataSource ds = new SwitchableDataSource(memoryUrl());
        ds.down(true);

        assertThatThrownBy(() -> JdbiIdempotencyStore.create(ds))
                .isInstanceOf(ParticipantStoreException.class)
                .hasMessageContaining("participant store: cannot reach the database (SQLSTATE 08001");
        assertThatThrownBy(() -> JdbiIdempotencyStore.h2InMemory("bad name"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
