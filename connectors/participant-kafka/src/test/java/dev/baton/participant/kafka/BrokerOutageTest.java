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
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker goes away in the middle of a run and comes back on its data directory: the engine's reply loop and the
 * participants' command loops back off and resume (replacing their consumers), the engine holds its reply timeouts
 * while it cannot read replies, and every saga ends as its business rules say, each effect once.
 *
 * <p>The outage lasts {@value #DOWN_SECONDS} s: longer than the consumer session timeout (10 s), so every group
 * member is gone when the broker returns and the groups rebalance; three times the steps' reply timeout (15 s), so a
 * timeout that were not held would fire for every command in flight; and long enough for each loop to fail five
 * times in a row (a probe waits 3 s, back-offs double from 1 s) and replace its consumer. The broker is closed
 * cleanly (an in-JVM broker cannot be killed); to its clients that is the same outage: connections refused.
 */
class BrokerOutageTest {
    private static final int SAGAS = 200;
    private static final int DOWN_SECONDS = 45;
    private static final SagaDefinition<OrderData> SAGA = OrderServices.saga("order-flow-outage", Duration.ofSeconds(15));

    @Test
    @DisplayName("a 45 s broker outage mid-run: every saga not declined completes after it returns, none FAILED, effects once")
    void sagasSurviveABrokerOutage(@TempDir Path dir) throws Exception {
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().dataDirectory(dir.resolve("kafka")).build().start();
        int port = broker.port();
        KafkaOptions options = KafkaOptions.defaults(broker.bootstrapServers()).withTopicPrefix("outage.")
                .withEngineGroupId("outage-engine");
        List<SagaId> ids = new CopyOnWriteArrayList<>();
        KafkaTransport transport = KafkaTransport.create(options, null);
        ScheduledExecutorService starter = Executors.newSingleThreadScheduledExecutor();
        try (OrderServices services = new OrderServices(options, 1);
             SagaEngine engine = SagaEngine.builder().store(JdbiSagaStore.h2File(dir.resolve("engine")))
                     .transport(transport).codec(new JacksonCodec()).register(SAGA)
                     .timerPollInterval(Duration.ofMillis(50)).build()) {
            engine.open();
            // one start every 40 ms, 8 s in all: the outage begins with sagas at every step and goes on while more start
            AtomicInteger n = new AtomicInteger();
            starter.scheduleAtFixedRate(() -> {
                int i = n.getAndIncrement();
                if (i < SAGAS) {
                    ids.add(engine.start(SAGA, OrderData.of("o-" + i, 100 + i)).id());
                }
            }, 0, 40, TimeUnit.MILLISECONDS);
            await("60 sagas started and 10 completed").atMost(Duration.ofSeconds(60))
                    .until(() -> ids.size() >= 60 && count(engine, ids, SagaStatus.COMPLETED) >= 10);

            broker.close();
            Instant down = Instant.now();
            await("the engine's reply loop fails").atMost(Duration.ofSeconds(30))
                    .until(() -> allFailing(transport.loopHealth()));
            await("every saga started, during the outage too").atMost(Duration.ofSeconds(30)).until(() -> ids.size() == SAGAS);
            await("the outage lasts " + DOWN_SECONDS + " s").pollInterval(Duration.ofMillis(500))
                    .atMost(Duration.ofSeconds(DOWN_SECONDS + 15))
                    .until(() -> Duration.between(down, Instant.now()).toSeconds() >= DOWN_SECONDS);
            assertThat(count(engine, ids, SagaStatus.FAILED)).as("FAILED during the outage").isZero();
            List<LoopHealth> during = new ArrayList<>(transport.loopHealth());
            during.addAll(services.loopHealth());

            Instant restart = Instant.now();
            broker = EmbeddedKafkaBroker.builder().dataDirectory(dir.resolve("kafka")).port(port).build().start();
            await("every saga ends").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                    .until(() -> ended(engine, ids));
            double recovery = Duration.between(restart, Instant.now()).toMillis() / 1000.0;
            await("every loop works again").atMost(Duration.ofSeconds(30))
                    .until(() -> noneFailing(transport.loopHealth()) && noneFailing(services.loopHealth()));

            Map<SagaStatus, Integer> statuses = new EnumMap<>(SagaStatus.class);
            int lost = 0;
            int duplicated = 0;
            Map<String, Map<String, Long>> effects = services.effectsBySaga();
            for (int i = 0; i < ids.size(); i++) {
                SagaView v = engine.find(ids.get(i)).orElseThrow();
                statuses.merge(v.status(), 1, Integer::sum);
                boolean declined = v.data(OrderData.class).amountCents() % 10 == 3;
                SagaStatus expected = declined ? SagaStatus.COMPENSATED : SagaStatus.COMPLETED;
                if (v.status() != expected) {
                    lost++;
                }
                Map<String, Long> e = effects.getOrDefault(v.id().value(), Map.of());
                for (long c : e.values()) {
                    duplicated += (int) Math.max(0, c - 1);
                }
                Map<String, Long> want = declined
                        ? Map.of("create-order/COMMAND", 1L, "reserve-inventory/COMMAND", 1L,
                                "create-order/COMPENSATION", 1L, "reserve-inventory/COMPENSATION", 1L)
                        : Map.of("create-order/COMMAND", 1L, "reserve-inventory/COMMAND", 1L,
                                "authorize-payment/COMMAND", 1L, "schedule-shipment/COMMAND", 1L);
                assertThat(e).as("effects of saga %s (%s, %s)", v.id(), v.status(), v.reason()).isEqualTo(want);
            }
            int failed = statuses.getOrDefault(SagaStatus.FAILED, 0);
            System.out.printf("outage: sagas=%d down_s=%d lost=%d duplicated_effects=%d failed=%d recovery_s=%.1f%n",
                    ids.size(), DOWN_SECONDS, lost, duplicated, failed, recovery);
            System.out.printf("outage: statuses=%s loops during the outage=%s%n", statuses, during);
            assertThat(lost).isZero();
            assertThat(duplicated).isZero();
            assertThat(failed).isZero();
            assertThat(transport.loopHealth()).as("the reply loop replaced its consumer during the outage")
                    .allMatch(h -> h.restarts() >= 1);
        } finally {
            starter.shutdownNow();
            broker.close();
        }
    }

    private static boolean allFailing(List<LoopHealth> loops) {
        return !loops.isEmpty() && loops.stream().allMatch(LoopHealth::failing);
    }

    private static boolean noneFailing(List<LoopHealth> loops) {
        return loops.stream().noneMatch(LoopHealth::failing);
    }

    private static long count(SagaEngine engine, List<SagaId> ids, SagaStatus status) {
        return ids.stream().filter(id -> engine.find(id).map(SagaView::status).orElse(null) == status).count();
    }

    private static boolean ended(SagaEngine engine, List<SagaId> ids) {
        return ids.size() == SAGAS && ids.stream().allMatch(id -> engine.find(id).map(SagaView::status)
                .map(s -> s == SagaStatus.COMPLETED || s == SagaStatus.COMPENSATED || s == SagaStatus.FAILED)
                .orElse(false));
    }
}
