package dev.baton.participant.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.dsl.SagaDefinition;
import dev.baton.engine.HistoryKind;
import dev.baton.engine.SagaEngine;
import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.SagaView;
import dev.baton.jackson.JacksonCodec;
import dev.baton.jdbi.JdbiSagaStore;
import dev.baton.kafka.KafkaTransport;
import dev.baton.kafka.common.KafkaOptions;
import dev.baton.kafka.dev.EmbeddedKafkaBroker;
import dev.baton.kafka.dev.junit.KafkaBrokerExtension;
import dev.baton.participant.JdbiIdempotencyStore;
import dev.baton.testkit.example.OrderSaga;
import dev.baton.testkit.example.OrderSaga.OrderData;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.h2.tools.Server;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault test: a participant's own database goes away mid-run. The payment service keeps its effects and the SDK's
 * idempotency records in an H2 database served over TCP (the participant store supports H2 only so far), whose server
 * is stopped for {@code -Dbaton.fault.participant-db-down-s} seconds (15 by default; the scenario is 30 s),
 * closing every connection, and started again on its files and port. Meanwhile the SDK answers every payment command as unavailable: no reply, no
 * acknowledgement; the binding seeks back and delivers it again. The engine's reply timeout (10 s) is shorter than the
 * outage (and its grace after opening is 2 s rather than 30 s), so it sends the same invocation again (same message
 * id, next attempt) while the database is down; once it is back, each invocation runs once and its repeats are
 * answered from the record.
 */
@ExtendWith(KafkaBrokerExtension.class)
class ParticipantDatabaseOutageTest {
    private static final int SAGAS = 120;
    private static final int DOWN_SECONDS = Integer.getInteger("baton.fault.participant-db-down-s", 15);
    private static final SagaDefinition<OrderData> SAGA = OrderServices.saga("order-flow-pdb", Duration.ofSeconds(10));

    @Test
    @DisplayName("the payment service's database server stops mid-run and starts again: nothing lost, no effect twice")
    void participantSurvivesItsDatabaseGoingAway(EmbeddedKafkaBroker broker, @TempDir Path dir) throws Exception {
        Path data = dir.resolve("payment-db");
        int dbPort;
        try (ServerSocket free = new ServerSocket(0)) {
            dbPort = free.getLocalPort();
        }
        Server db = startDatabase(data, dbPort);
        AtomicReference<Server> running = new AtomicReference<>(db);
        String run = UUID.randomUUID().toString().substring(0, 8);
        KafkaOptions options = KafkaOptions.defaults(broker.bootstrapServers()).withTopicPrefix("pdb" + run + ".")
                .withEngineGroupId("pdb-engine-" + run);
        List<SagaId> ids = new CopyOnWriteArrayList<>();
        ScheduledExecutorService starter = Executors.newSingleThreadScheduledExecutor();
        try (OrderServices services = new OrderServices(options, 1, OrderServices.ALL,
                name -> name.equals(OrderSaga.PAYMENT.name())
                        ? JdbiIdempotencyStore.create("jdbc:h2:tcp://127.0.0.1:" + dbPort + "/payment", "sa", "")
                        : JdbiIdempotencyStore.h2InMemory(name + "-" + run));
             SagaEngine engine = SagaEngine.builder().store(JdbiSagaStore.h2File(dir.resolve("engine")))
                     .transport(KafkaTransport.create(options, null)).codec(new JacksonCodec()).register(SAGA)
                     .timerPollInterval(Duration.ofMillis(50)).timeoutGraceAfterOpen(Duration.ofSeconds(2)).build()) {
            engine.open();
            // one start every 40 ms, about 5 s in all: the outage finds sagas before, at and after the payment step
            AtomicInteger n = new AtomicInteger();
            starter.scheduleAtFixedRate(() -> {
                int i = n.getAndIncrement();
                if (i < SAGAS) {
                    ids.add(engine.start(SAGA, OrderData.of("o-" + i, 100 + i)).id());
                }
            }, 0, 40, TimeUnit.MILLISECONDS);
            await("40 sagas started and 10 completed").atMost(Duration.ofSeconds(60))
                    .until(() -> ids.size() >= 40 && count(engine, ids, SagaStatus.COMPLETED) >= 10);

            running.getAndSet(null).stop();
            Instant down = Instant.now();
            await("every saga started").atMost(Duration.ofSeconds(30)).until(() -> ids.size() == SAGAS);
            await("the outage lasts " + DOWN_SECONDS + " s").pollInterval(Duration.ofMillis(500))
                    .atMost(Duration.ofSeconds(DOWN_SECONDS + 15))
                    .until(() -> Duration.between(down, Instant.now()).toSeconds() >= DOWN_SECONDS);
            long ended = ids.stream().filter(id -> engine.find(id).map(v -> FaultOutcome.ended(v.status())).orElse(false))
                    .count();

            Instant restart = Instant.now();
            running.set(startDatabase(data, dbPort));
            double recovery = FaultOutcome.awaitEnded(engine, ids, restart, Duration.ofSeconds(90));
            FaultOutcome outcome = FaultOutcome.count("participant-database-down", engine, ids, services.effectsBySaga(),
                    FaultOutcome::orderFlow, recovery).print();
            long resent = ids.stream().mapToLong(id -> engine.history(id).stream()
                    .filter(h -> h.kind() == HistoryKind.TIMED_OUT && "authorize-payment".equals(h.step())).count()).sum();
            System.out.printf("FAULT name=participant-database-down down_s=%d ended_during_outage=%d payment_timeouts=%d%n",
                    DOWN_SECONDS, ended, resent);

            assertThat(outcome.lost()).as("lost").isZero();
            assertThat(outcome.duplicatedEffects()).as("duplicated effects").isZero();
            assertThat(outcome.stuck()).as("stuck").isZero();
            assertThat(outcome.statuses()).doesNotContainKey(SagaStatus.FAILED);
        } finally {
            starter.shutdownNow();
            Server last = running.get();
            if (last != null) {
                last.stop();
            }
        }
    }

    /** An H2 TCP server on {@code port} for the files in {@code data}; stopping it closes every connection. */
    private static Server startDatabase(Path data, int port) throws SQLException {
        return Server.createTcpServer("-tcpPort", Integer.toString(port), "-baseDir", data.toString(), "-ifNotExists")
                .start();
    }

    private static long count(SagaEngine engine, List<SagaId> ids, SagaStatus status) {
        return ids.stream().filter(id -> engine.find(id).map(SagaView::status).orElse(null) == status).count();
    }
}
