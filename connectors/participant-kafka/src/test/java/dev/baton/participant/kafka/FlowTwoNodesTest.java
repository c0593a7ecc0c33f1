package dev.baton.participant.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.dsl.Park;
import dev.baton.dsl.Saga;
import dev.baton.dsl.SagaDefinition;
import dev.baton.engine.FlowView;
import dev.baton.engine.SagaEngine;
import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.SagaView;
import dev.baton.jackson.JacksonCodec;
import dev.baton.jdbi.PostgresDatabase;
import dev.baton.jdbi.PostgresExtension;
import dev.baton.kafka.KafkaTransport;
import dev.baton.kafka.common.KafkaOptions;
import dev.baton.kafka.dev.EmbeddedKafkaBroker;
import dev.baton.kafka.dev.junit.KafkaBrokerExtension;
import dev.baton.participant.CommandHandlers;
import dev.baton.participant.JdbiIdempotencyStore;
import dev.baton.participant.Outcome;
import dev.baton.participant.ParticipantRuntime;
import dev.baton.testkit.example.OrderSaga;
import dev.baton.testkit.example.OrderSaga.AuthorizePayment;
import dev.baton.testkit.example.OrderSaga.OrderData;
import dev.baton.testkit.example.OrderSaga.PaymentAuthorized;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Flow control shared by two engine nodes: both on one PostgreSQL database and one engine consumer group (so a
 * command sent by one node may be answered on the other), both starting sagas that pay at one payment service. The
 * service takes {@value #HIGH} payments per 100 ms, then, for {@value #PHASE_S} s, only {@value #LOW}, then
 * {@value #HIGH} again. The shared limit falls while the service is short of capacity, both nodes see it fall, and once
 * the service has room again the payments per second rise back (the limit, or the pace that replaced it, lets them
 * through); every saga completes, each paid once. Prints the timeline of each node's view.
 */
@ExtendWith({KafkaBrokerExtension.class, PostgresExtension.class})
class FlowTwoNodesTest {
    static final int HIGH = 4;
    static final int LOW = 1;
    static final int PHASE_S = 6;
    /** Starts per second on each node: a little over the service's high capacity together, far over its low one. */
    static final int STARTS_PER_NODE = 25;

    static final SagaDefinition<OrderData> SAGA = Saga.define("flow-two-nodes", OrderData.class)
            .defaultTimeout(Duration.ofSeconds(10))
            .step("authorize-payment")
                .invoke(OrderSaga.PAYMENT, d -> new AuthorizePayment(d.orderId(), d.amountCents()))
                .noCompensation()
                .whenBusy(Park.as("PENDING_PAYMENT").retryEvery(Duration.ofSeconds(2)).giveUpAfter(Duration.ofMinutes(30)))
            .build();

    /** A card processor taking {@code perTenth} payments in any 100 ms. */
    static final class Processor {
        volatile int perTenth = HIGH;
        private final ArrayDeque<Long> recent = new ArrayDeque<>();
        final Map<String, AtomicInteger> paid = new ConcurrentHashMap<>();
        final List<Long> paidAt = new CopyOnWriteArrayList<>();

        synchronized boolean admit() {
            long now = System.nanoTime();
            while (!recent.isEmpty() && recent.peekFirst() <= now - TimeUnit.MILLISECONDS.toNanos(100)) {
                recent.pollFirst();
            }
            if (recent.size() >= perTenth) {
                return false;
            }
            recent.addLast(now);
            paidAt.add(now);
            return true;
        }
    }

    record Sample(double t, String phase, String node, double limit, long inFlight, long waiting, boolean leader,
                  Duration pace) {}

    @Test
    @DisplayName("two nodes share one participant's limit: it falls while the participant is short of capacity and"
            + " rises after; every saga completes, each paid once")
    void sharedLimitFallsAndRecovers(EmbeddedKafkaBroker broker, PostgresDatabase db) throws Exception {
        KafkaOptions options = KafkaOptions.defaults(broker.bootstrapServers()).withTopicPrefix("flow2.")
                .withEngineGroupId("flow2-engine").withPartitions(4);
        Processor processor = new Processor();
        CommandHandlers payment = CommandHandlers.forParticipant(OrderSaga.PAYMENT)
                .on(AuthorizePayment.class, (c, ctx) -> {
                    if (!processor.admit()) {
                        return Outcome.retryLater("card processor at capacity");
                    }
                    processor.paid.computeIfAbsent(c.orderId(), k -> new AtomicInteger()).incrementAndGet();
                    return Outcome.success(new PaymentAuthorized("p-" + c.orderId()));
                })
                .build();
        db.openStore().close(); // migrate once, before the two nodes open together
        List<SagaId> ids = new CopyOnWriteArrayList<>();
        List<Sample> samples = new CopyOnWriteArrayList<>();
        ScheduledExecutorService clock = Executors.newScheduledThreadPool(3);
        java.util.concurrent.atomic.AtomicReference<String> phase = new java.util.concurrent.atomic.AtomicReference<>("high");
        try (JdbiIdempotencyStore paymentStore = JdbiIdempotencyStore.h2InMemory("pay2-" + UUID.randomUUID());
             KafkaParticipant service = KafkaParticipant.create(options,
                     ParticipantRuntime.builder().handlers(payment).store(paymentStore).build()).start();
             SagaEngine a = node(db, options, "node-a");
             SagaEngine b = node(db, options, "node-b")) {
            a.open();
            b.open();
            long t0 = System.nanoTime();
            long[] phaseStart = new long[3];
            phaseStart[0] = t0;
            AtomicInteger n = new AtomicInteger();
            for (SagaEngine e : List.of(a, b)) {
                clock.scheduleAtFixedRate(() -> {
                    if (!phase.get().equals("done")) {
                        int i = n.getAndIncrement();
                        ids.add(e.start(SAGA, OrderData.of("o-" + i, 100 + i % 3)).id());
                    }
                }, 0, 1000 / STARTS_PER_NODE, TimeUnit.MILLISECONDS);
            }
            clock.scheduleAtFixedRate(() -> {
                double t = (System.nanoTime() - t0) / 1e9;
                for (var e : Map.of("a", a, "b", b).entrySet()) {
                    FlowView f = e.getValue().flows().stream().filter(v -> v.participant().equals("payment"))
                            .findFirst().orElseThrow();
                    samples.add(new Sample(t, phase.get(), e.getKey(), f.limit(), f.inFlight(), f.waiting(), f.leader(),
                            f.pace()));
                }
            }, 200, 200, TimeUnit.MILLISECONDS);

            Thread.sleep(PHASE_S * 1000L);
            phase.set("low");
            processor.perTenth = LOW;
            phaseStart[1] = System.nanoTime();
            Thread.sleep(PHASE_S * 1000L);
            phase.set("recovered");
            processor.perTenth = HIGH;
            phaseStart[2] = System.nanoTime();
            Thread.sleep(PHASE_S * 1000L);
            phase.set("done");
            long end = System.nanoTime();

            await("every saga ends").atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(500))
                    .until(() -> ids.stream().allMatch(id -> a.find(id).map(SagaView::status)
                            .map(SagaStatus::isTerminal).orElse(false)));
            Map<SagaStatus, Integer> statuses = new EnumMap<>(SagaStatus.class);
            for (SagaId id : ids) {
                statuses.merge(a.find(id).orElseThrow().status(), 1, Integer::sum);
            }
            for (Sample s : samples) {
                System.out.printf("flow2: t=%.1f phase=%s node=%s limit=%.1f in_flight=%d waiting=%d leader=%s"
                        + " pace_ms=%.1f%n", s.t(), s.phase(), s.node(), s.limit(), s.inFlight(), s.waiting(),
                        s.leader(), s.pace().toNanos() / 1e6);
            }
            double highEnd = limitAt(samples, "high", true);
            double lowMin = samples.stream().filter(s -> s.phase().equals("low")).mapToDouble(Sample::limit).min()
                    .orElseThrow();
            double paidLow = paidPerSecond(processor, phaseStart[1], phaseStart[2]);
            double paidRecovered = paidPerSecond(processor, phaseStart[2], end);
            System.out.printf("flow2: sagas=%d statuses=%s limit_end_of_high=%.1f limit_min_low=%.1f"
                    + " paid_per_s_low=%.1f paid_per_s_recovered=%.1f doubled=%d%n", ids.size(), statuses, highEnd,
                    lowMin, paidLow, paidRecovered, processor.paid.values().stream().filter(c -> c.get() > 1).count());

            assertThat(statuses).as("every saga completes").containsOnlyKeys(SagaStatus.COMPLETED);
            assertThat(service.loopHealth().failing()).isFalse();
            assertThat(processor.paid).hasSize(ids.size()).allSatisfy((k, v) -> assertThat(v.get()).isOne());
            for (String node : List.of("a", "b")) {
                assertThat(samples.stream().filter(s -> s.node().equals(node) && s.phase().equals("low"))
                        .mapToDouble(Sample::limit).min().orElseThrow())
                        .as("node %s sees the limit fall while the participant is short", node)
                        .isLessThan(highEnd * 0.7);
            }
            // the service takes 4x as much once it recovers and sagas are waiting for it: at least twice the payments
            assertThat(paidRecovered).as("payments per second rise again once the participant has room (%.1f/s while"
                    + " it was short)", paidLow).isGreaterThan(paidLow * 2);
            assertThat(samples.stream().filter(Sample::leader).map(Sample::node).distinct().count())
                    .as("a leader holds the participant's flow").isPositive();
        } finally {
            clock.shutdownNow();
        }
    }

    private static double paidPerSecond(Processor processor, long from, long to) {
        long n = processor.paidAt.stream().filter(t -> t >= from && t < to).count();
        return n / ((to - from) / 1e9);
    }

    private static double limitAt(List<Sample> samples, String phase, boolean last) {
        List<Sample> in = new ArrayList<>(samples.stream().filter(s -> s.phase().equals(phase)).toList());
        return in.isEmpty() ? Double.NaN : in.get(last ? in.size() - 1 : 0).limit();
    }

    private static SagaEngine node(PostgresDatabase db, KafkaOptions options, String name) {
        return SagaEngine.builder().store(db.openStore()).transport(KafkaTransport.create(options, null))
                .codec(new JacksonCodec()).register(SAGA).nodeName(name).timerPollInterval(Duration.ofMillis(50))
                .build();
    }
}
