package dev.baton.jdbi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.engine.HistoryKind;
import dev.baton.dsl.Participant;
import dev.baton.dsl.Retry;
import dev.baton.dsl.Saga;
import dev.baton.dsl.SagaDefinition;
import dev.baton.engine.SagaEngine;
import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.spi.EngineControls;
import dev.baton.engine.spi.HistoryRecord;
import dev.baton.engine.spi.InboundReply;
import dev.baton.engine.spi.OutboxRecord;
import dev.baton.engine.spi.ReplyOutcome;
import dev.baton.engine.spi.TimerKind;
import dev.baton.engine.spi.TimerRecord;
import dev.baton.engine.spi.Transport;
import dev.baton.jackson.JacksonCodec;
import dev.baton.testkit.InMemoryTransport;
import dev.baton.testkit.ManualClock;
import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A poll of replies is applied with one statement per table, not one per reply ({@code StoreTransaction.writeAll}),
 * and stays correct when one poll holds a duplicate, a reply for no saga, and two replies that change one saga.
 */
@ExtendWith(PostgresExtension.class)
class ReplyBatchStatementsTest {
    record Data(String id) {}
    record First(String id) {}
    record Second(String id) {}

    static final SagaDefinition<Data> SAGA = Saga.define("batched", Data.class)
            .defaultTimeout(Duration.ofSeconds(30))
            .step("first").invoke(Participant.named("p", Object.class), d -> new First(d.id())).noCompensation()
                .retry(Retry.fixed(5, Duration.ofSeconds(10)))
            .step("second").invoke(Participant.named("p", Object.class), d -> new Second(d.id())).noCompensation()
            .build();

    static final int SAGAS = 20;

    @Test
    @DisplayName("on PostgreSQL a poll of 23 replies for 21 sagas takes 12 statements (one the dead letter of the reply to no saga), where one per reply and table took 140")
    void postgres(PostgresDatabase db) throws Exception {
        org.postgresql.ds.PGSimpleDataSource pg = new org.postgresql.ds.PGSimpleDataSource();
        pg.setUrl(db.jdbcUrl());
        pg.setUser(db.user());
        pg.setPassword(db.password());
        // inbox 1, sagas 1; saga 0's first change on its own (update, history, removed timer, set timer: 4), as its
        // second change must follow it; then the poll's writes: updates, history, outbox, removed timers, set timers;
        // and the dead letter of the ghost reply, an outbox row of the same transaction
        scenario(pg, 2 + 4 + 5 + 1);
    }

    @Test
    @DisplayName("on H2 the same poll is correct too: one inbox insert per reply (no round trips to save), the rest batched")
    void h2() throws Exception {
        org.h2.jdbcx.JdbcDataSource h2 = new org.h2.jdbcx.JdbcDataSource();
        h2.setURL("jdbc:h2:mem:batch-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        // an insert per distinct message id (22), then as on PostgreSQL
        scenario(h2, 22 + 1 + 4 + 5 + 1);
    }

    private static void scenario(DataSource target, int expectedStatements) throws Exception {
        CountingDataSource counting = new CountingDataSource(target);
        ManualClock clock = ManualClock.atEpochOfTests();
        InMemoryTransport transport = new InMemoryTransport();
        try (JdbiSagaStore store = JdbiSagaStore.create(counting);
             SagaEngine engine = SagaEngine.builder().store(store).transport(transport)
                     .codec(new JacksonCodec()).register(SAGA).clock(clock).build()) {
            store.inTransaction(tx -> tx.loadAll(List.of())); // warm: the first statements of a pool
            List<SagaId> ids = new ArrayList<>();
            for (int i = 0; i < SAGAS; i++) {
                ids.add(engine.start(SAGA, new Data("d-" + i)).id());
            }
            List<OutboxRecord> firsts = transport.take();
            assertThat(firsts).hasSize(SAGAS);

            // One poll: saga 0's command is first answered "busy", then (same command) "done"; every other saga's
            // command is answered "done"; saga 1's reply comes twice; and one reply names no saga.
            OutboxRecord busy = firsts.get(0);
            List<InboundReply> poll = new ArrayList<>();
            poll.add(reply("busy-" + busy.messageId(), busy, ReplyOutcome.RETRY_LATER));
            for (OutboxRecord c : firsts) {
                poll.add(reply("r-" + c.messageId(), c, ReplyOutcome.SUCCESS));
            }
            poll.add(reply("r-" + firsts.get(1).messageId(), firsts.get(1), ReplyOutcome.SUCCESS));
            poll.add(new InboundReply("r-ghost", "ghost/first/do/1", SagaId.of("no-such-saga"), ReplyOutcome.SUCCESS,
                    null, null, null));

            counting.counted = Thread.currentThread();
            counting.statements.set(0);
            counting.executed.clear();
            List<Transport.RejectedReply> rejected = EngineControls.of(engine).replies().accept(poll);
            counting.counted = null;
            int statements = counting.statements.get();

            assertThat(rejected).extracting(r -> r.reply().messageId()).containsExactly("r-ghost");
            for (SagaId id : ids) {
                assertThat(engine.find(id).orElseThrow()).satisfies(s -> {
                    assertThat(s.status()).isEqualTo(SagaStatus.RUNNING);
                    assertThat(s.currentStep()).isEqualTo("second");
                });
                assertThat(store.history(id)).as("saga %s's history", id).extracting(HistoryRecord::kind)
                        .filteredOn(HistoryKind.STEP_COMPLETED::equals).hasSize(1);
            }
            List<TimerRecord> timers = store.dueTimers(clock.instant().plus(Duration.ofDays(1)), 100);
            assertThat(timers).as("one timeout per saga, for step second; saga 0's retry timer, set by the busy"
                    + " answer, removed by the answer that followed it").hasSize(SAGAS)
                    .allSatisfy(t -> {
                        assertThat(t.kind()).isEqualTo(TimerKind.TIMEOUT);
                        assertThat(t.step()).isEqualTo("second");
                    });
            assertThat(transport.take()).extracting(OutboxRecord::messageType).hasSize(SAGAS).containsOnly("Second");
            assertThat(statements).as("statements run for the poll: %s", String.join("\n", counting.executed))
                    .isEqualTo(expectedStatements);
        }
    }

    private static InboundReply reply(String messageId, OutboxRecord command, ReplyOutcome outcome) {
        return new InboundReply(messageId, command.messageId(), command.sagaId(), outcome, null, null,
                outcome == ReplyOutcome.RETRY_LATER ? "busy" : null);
    }

    /** Counts the statements executed through its connections (a batch counts once: one round trip). */
    static final class CountingDataSource implements DataSource {
        private static final Set<String> EXECUTIONS = Set.of("execute", "executeQuery", "executeUpdate",
                "executeLargeUpdate", "executeBatch", "executeLargeBatch");
        final DataSource delegate;
        final AtomicInteger statements = new AtomicInteger();
        volatile Thread counted;
        final List<String> executed = java.util.Collections.synchronizedList(new ArrayList<>());

        CountingDataSource(DataSource delegate) {
            this.delegate = delegate;
        }

        @Override
        public Connection getConnection() throws SQLException {
            return wrap(delegate.getConnection());
        }

        @Override
        public Connection getConnection(String user, String password) throws SQLException {
            return wrap(delegate.getConnection(user, password));
        }

        private Connection wrap(Connection c) {
            return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class},
                    forward(c, (method, args, result) -> result instanceof Statement s
                            ? countingStatement(s, args != null && args.length > 0 && args[0] instanceof String sql ? sql : "?")
                            : result));
        }

        private Object countingStatement(Statement s, String sql) {
            List<Class<?>> types = new ArrayList<>(List.of(Statement.class));
            if (s instanceof java.sql.CallableStatement) {
                types.add(java.sql.CallableStatement.class);
            } else if (s instanceof java.sql.PreparedStatement) {
                types.add(java.sql.PreparedStatement.class);
            }
            return Proxy.newProxyInstance(getClass().getClassLoader(), types.toArray(Class<?>[]::new),
                    forward(s, (method, args, result) -> {
                        // the caller's only, and not the deletion of acknowledged outbox rows, which comes after the
                        // transaction, on the caller's thread or another, depending on when the sends completed
                        if (EXECUTIONS.contains(method) && Thread.currentThread() == counted
                                && !sql.startsWith("DELETE FROM baton_outbox")) {
                            statements.incrementAndGet();
                            executed.add(method + ": " + sql);
                        }
                        return result;
                    }));
        }

        private interface After {
            Object apply(String method, Object[] args, Object result);
        }

        private static InvocationHandler forward(Object target, After after) {
            return (proxy, method, args) -> {
                try {
                    return after.apply(method.getName(), args, method.invoke(target, args));
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
            };
        }

        @Override
        public PrintWriter getLogWriter() throws SQLException {
            return delegate.getLogWriter();
        }

        @Override
        public void setLogWriter(PrintWriter out) throws SQLException {
            delegate.setLogWriter(out);
        }

        @Override
        public void setLoginTimeout(int seconds) throws SQLException {
            delegate.setLoginTimeout(seconds);
        }

        @Override
        public int getLoginTimeout() throws SQLException {
            return delegate.getLoginTimeout();
        }

        @Override
        public Logger getParentLogger() throws SQLFeatureNotSupportedException {
            return delegate.getParentLogger();
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            return delegate.unwrap(iface);
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) {
            return false;
        }
    }
}
