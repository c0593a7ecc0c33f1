package dev.baton.participant.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.engine.SagaEngine;
import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.SagaView;
import dev.baton.engine.spi.SagaListener;
import dev.baton.jackson.JacksonCodec;
import dev.baton.jdbi.JdbiSagaStore;
import dev.baton.kafka.KafkaTransport;
import dev.baton.kafka.common.KafkaOptions;
import dev.baton.kafka.dev.EmbeddedKafkaBroker;
import dev.baton.kafka.dev.junit.KafkaBrokerExtension;
import dev.baton.testkit.example.OrderSaga.OrderData;
import dev.baton.testkit.example.OrderSaga;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The payment service, in a process of its own with its idempotency records and effects in an H2 file, is killed
 * with SIGKILL while sagas are in flight over the real broker, and restarted on the same file. The engine and the
 * other three services run in this JVM. Every saga must end as its amount says, and every payment must have been
 * authorised exactly once, whatever the kill interrupted (a handler's transaction, a reply not yet sent, an offset
 * not yet committed).
 */
@ExtendWith(KafkaBrokerExtension.class)
class KafkaParticipantCrashTest {
    private static final int SAGAS = 200;
    private static final int KILL_AFTER_AUTHORISED = 30;
    private static final String PREFIX = "payment-crash.";

    @TempDir
    Path dir;

    @Test
    @DisplayName("the payment process is SIGKILLed mid-run and restarted: every saga ends as expected, each payment once")
    void paymentKilledMidRun(EmbeddedKafkaBroker broker) throws Exception {
        KafkaOptions options = CrashSaga.options(broker.bootstrapServers(), PREFIX);
        String database = dir.resolve("payment").toAbsolutePath().toString();
        String[] args = {broker.bootstrapServers(), PREFIX, database};
        AtomicInteger ended = new AtomicInteger();
        ConcurrentLinkedQueue<Long> payments = new ConcurrentLinkedQueue<>(); // when the engine saw each authorisation
        SagaListener listener = new SagaListener() {
            @Override
            public void onEnded(SagaId id, String sagaType, SagaStatus outcome, Duration took) {
                ended.incrementAndGet();
            }

            @Override
            public void onStepCompleted(SagaId id, String sagaType, String step, Duration took) {
                if (step.equals("authorize-payment")) {
                    payments.add(System.currentTimeMillis());
                }
            }
        };
        List<SagaId> ids = new ArrayList<>();
        try (ChildProcess first = ChildProcess.start("payment-1", CrashPaymentNode.class, dir.resolve("payment-1.log"), args);
             OrderServices others = new OrderServices(options, 1, Set.of(OrderSaga.ORDERS.name(), OrderSaga.INVENTORY.name(),
                     OrderSaga.LOGISTICS.name()));
             SagaEngine engine = SagaEngine.builder()
                     .store(JdbiSagaStore.h2InMemory("payment-crash-" + UUID.randomUUID()))
                     .transport(KafkaTransport.create(options, listener))
                     .codec(new JacksonCodec())
                     .register(CrashSaga.DEFINITION)
                     .timerPollInterval(Duration.ofMillis(50))
                     .outboxSweep(Duration.ofMillis(500), Duration.ofSeconds(2))
                     .listener(listener)
                     .build()) {
            first.awaitLine(line -> line.startsWith("READY "), Duration.ofSeconds(30));
            engine.open();
            for (int i = 0; i < SAGAS; i++) {
                ids.add(engine.start(CrashSaga.DEFINITION, OrderData.of("o-" + i, CrashSaga.amount(i)), CrashSaga.businessKey(i)).id());
            }
            await("some payments are authorised").atMost(Duration.ofSeconds(60)).until(() -> payments.size() >= KILL_AFTER_AUTHORISED);
            long killedAt = first.kill();
            int endedAtKill = ended.get();
            int authorisedAtKill = payments.size();
            assertThat(authorisedAtKill).as("the kill was mid-run: authorisations the engine had seen")
                    .isLessThan((int) IntStream.range(0, SAGAS).filter(i -> CrashSaga.amount(i) % 10 != 3).count());

            long ready;
            try (ChildProcess second = ChildProcess.start("payment-2", CrashPaymentNode.class, dir.resolve("payment-2.log"), args)) {
                ready = KafkaEngineCrashTest.field(second.awaitLine(line -> line.startsWith("READY "), Duration.ofSeconds(30)), 1);
                await("all sagas end").atMost(Duration.ofSeconds(90)).until(() -> ids.stream()
                        .allMatch(id -> engine.find(id).map(SagaView::status).orElseThrow().isTerminal()));
                long allDone = System.currentTimeMillis();
                assertThat(second.stop(Duration.ofSeconds(30))).as(second.tail()).isZero();
                long firstPayment = payments.stream().filter(t -> t >= ready).min(Long::compare).orElseThrow();
                System.out.printf("participant crash: %d of %d sagas ended and %d payments authorised before the SIGKILL;"
                                + " after it: payment process up +%d ms, first authorisation from it seen by the engine +%d ms,"
                                + " all ended +%d ms%n", endedAtKill, SAGAS, authorisedAtKill, ready - killedAt,
                        firstPayment - killedAt, allDone - killedAt);
            }

            Map<String, Long> payment = Jdbi.create(CrashPaymentNode.url(database), "sa", "").withHandle(h -> h.createQuery(
                    "SELECT saga_id, step, kind FROM effect").map((rs, ctx) -> {
                        assertThat(rs.getString("step") + "/" + rs.getString("kind")).isEqualTo("authorize-payment/COMMAND");
                        return rs.getString("saga_id");
                    }).list()).stream().collect(Collectors.groupingBy(s -> s, Collectors.counting()));
            long authorised = 0;
            for (int i = 0; i < SAGAS; i++) {
                String id = ids.get(i).value();
                SagaView v = engine.find(ids.get(i)).orElseThrow();
                Map<String, Long> effects = others.effects(id);
                if (CrashSaga.amount(i) % 10 == 3) {
                    assertThat(v.status()).as("saga %d (declined)", i).isEqualTo(SagaStatus.COMPENSATED);
                    assertThat(payment).as("saga %d: no authorisation", i).doesNotContainKey(id);
                    assertThat(effects).as("saga %d: each effect once", i).containsOnly(
                            Map.entry("create-order/COMMAND", 1L), Map.entry("reserve-inventory/COMMAND", 1L),
                            Map.entry("create-order/COMPENSATION", 1L), Map.entry("reserve-inventory/COMPENSATION", 1L));
                } else {
                    assertThat(v.status()).as("saga %d", i).isEqualTo(SagaStatus.COMPLETED);
                    assertThat(payment.get(id)).as("saga %d: authorised exactly once", i).isEqualTo(1L);
                    assertThat(effects).as("saga %d: each effect once", i).containsOnly(
                            Map.entry("create-order/COMMAND", 1L), Map.entry("reserve-inventory/COMMAND", 1L),
                            Map.entry("schedule-shipment/COMMAND", 1L));
                    authorised++;
                }
            }
            assertThat(payment.values().stream().mapToLong(Long::longValue).sum()).as("no authorisation outside these sagas")
                    .isEqualTo(authorised);
        }
    }
}
