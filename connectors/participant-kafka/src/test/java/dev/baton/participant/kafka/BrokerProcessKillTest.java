package dev.baton.participant.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.dsl.SagaDefinition;
import dev.baton.engine.SagaEngine;
import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.SagaView;
import dev.baton.jackson.JacksonCodec;
import dev.baton.jdbi.JdbiSagaStore;
import dev.baton.kafka.KafkaTransport;
import dev.baton.kafka.common.KafkaOptions;
import dev.baton.kafka.common.LoopHealth;
import dev.baton.kafka.dev.EmbeddedKafkaBroker;
import dev.baton.testkit.example.OrderSaga.OrderData;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault test: the broker <em>process</em> is killed (SIGKILL) in the middle of a run, stays down, and is started
 * again on its data directory and port. The broker is the dev broker's command line ({@code EmbeddedKafkaBroker}'s
 * {@code main}) in a JVM of its own; the engine (H2 file) and the four order-flow services run in this JVM, with
 * sagas at every step and more starting during the outage. Unlike {@link BrokerOutageTest} (an in-JVM broker closed
 * cleanly), nothing is flushed or closed on the broker's side: it recovers its logs as after a crash.
 *
 * <p>The outage lasts {@code -Dbaton.fault.broker-down-s} seconds, 20 by default (the scenario is 90 s:
 * {@code -Dbaton.fault.broker-down-s=90}); either is longer than the steps' reply timeout (10 s) and the consumer
 * session timeout, so reply timeouts must be held and every group rebalances when the broker returns.
 */
class BrokerProcessKillTest {
    private static final int SAGAS = 150;
    private static final int DOWN_SECONDS = Integer.getInteger("baton.fault.broker-down-s", 20);
    private static final SagaDefinition<OrderData> SAGA = OrderServices.saga("order-flow-broker-kill", Duration.ofSeconds(10));
    private static final Pattern BOOTSTRAP = Pattern.compile("bootstrap\\.servers=127\\.0\\.0\\.1:(\\d+)");

    @Test
    @DisplayName("the broker process is SIGKILLed mid-run and restarted on its data: every saga not declined completes, none FAILED, effects once")
    void sagasSurviveTheBrokerProcessKilled(@TempDir Path dir) throws Exception {
        ChildProcess broker = startBroker(dir, 0, "broker-1");
        int port = port(broker);
        KafkaOptions options = KafkaOptions.defaults("127.0.0.1:" + port).withTopicPrefix("brokerkill.")
                .withEngineGroupId("brokerkill-engine");
        List<SagaId> ids = new CopyOnWriteArrayList<>();
        KafkaTransport transport = KafkaTransport.create(options, null);
        ScheduledExecutorService starter = Executors.newSingleThreadScheduledExecutor();
        try (OrderServices services = new OrderServices(options, 1);
             SagaEngine engine = SagaEngine.builder().store(JdbiSagaStore.h2File(dir.resolve("engine")))
                     .transport(transport).codec(new JacksonCodec()).register(SAGA)
                     .timerPollInterval(Duration.ofMillis(50)).build()) {
            engine.open();
            // one start every 40 ms, 6 s in all: the kill finds sagas at every step, and starts go on during the outage
            AtomicInteger n = new AtomicInteger();
            starter.scheduleAtFixedRate(() -> {
                int i = n.getAndIncrement();
                if (i < SAGAS) {
                    ids.add(engine.start(SAGA, OrderData.of("o-" + i, 100 + i)).id());
                }
            }, 0, 40, TimeUnit.MILLISECONDS);
            await("50 sagas started and 10 completed").atMost(Duration.ofSeconds(60))
                    .until(() -> ids.size() >= 50 && count(engine, ids, SagaStatus.COMPLETED) >= 10);

            broker.kill();
            Instant down = Instant.now();
            await("every saga started, during the outage too").atMost(Duration.ofSeconds(30)).until(() -> ids.size() == SAGAS);
            await("the outage lasts " + DOWN_SECONDS + " s").pollInterval(Duration.ofMillis(500))
                    .atMost(Duration.ofSeconds(DOWN_SECONDS + 15))
                    .until(() -> Duration.between(down, Instant.now()).toSeconds() >= DOWN_SECONDS);
            long failedDuringOutage = count(engine, ids, SagaStatus.FAILED);
            boolean replyLoopFailed = transport.loopHealth().stream().allMatch(LoopHealth::failing);

            Instant restart = Instant.now();
            broker = startBroker(dir, port, "broker-2");
            double recovery = FaultOutcome.awaitEnded(engine, ids, restart, Duration.ofSeconds(120));
            FaultOutcome outcome = FaultOutcome.count("broker-process-killed", engine, ids, services.effectsBySaga(),
                    FaultOutcome::orderFlow, recovery).print();
            System.out.printf("FAULT name=broker-process-killed down_s=%d broker_restart_ms=%s reply_loop_failed=%s%n",
                    DOWN_SECONDS, broker.line("Kafka broker ready").replaceAll(".*startup-ms=", ""), replyLoopFailed);

            assertThat(failedDuringOutage).as("sagas FAILED during the outage").isZero();
            assertThat(outcome.lost()).as("lost").isZero();
            assertThat(outcome.duplicatedEffects()).as("duplicated effects").isZero();
            assertThat(outcome.stuck()).as("stuck").isZero();
            assertThat(outcome.statuses()).doesNotContainKey(SagaStatus.FAILED);
            await("every loop works again").atMost(Duration.ofSeconds(30))
                    .until(() -> transport.loopHealth().stream().noneMatch(LoopHealth::failing)
                            && services.loopHealth().stream().noneMatch(LoopHealth::failing));
        } finally {
            starter.shutdownNow();
            broker.close();
        }
    }

    /** The dev broker as its own process on {@code port} (0: a free one) with its data in {@code dir/kafka}. */
    static ChildProcess startBroker(Path dir, int port, String name) throws Exception {
        ChildProcess p = ChildProcess.start(name, EmbeddedKafkaBroker.class, dir.resolve(name + ".log"),
                "--port", Integer.toString(port), "--dir", dir.resolve("kafka").toString());
        p.awaitLine(l -> l.startsWith("Kafka broker ready"), Duration.ofSeconds(90));
        return p;
    }

    static int port(ChildProcess broker) {
        Matcher m = BOOTSTRAP.matcher(broker.line("Kafka broker ready"));
        assertThat(m.find()).as("the ready line names the port").isTrue();
        return Integer.parseInt(m.group(1));
    }

    private static long count(SagaEngine engine, List<SagaId> ids, SagaStatus status) {
        return ids.stream().filter(id -> engine.find(id).map(SagaView::status).orElse(null) == status).count();
    }
}
