package dev.baton.participant.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.dsl.Park;
import dev.baton.dsl.Retry;
import dev.baton.dsl.Saga;
import dev.baton.dsl.SagaDefinition;
import dev.baton.engine.HistoryKind;
import dev.baton.engine.SagaEngine;
import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.SagaView;
import dev.baton.engine.spi.HistoryRecord;
import dev.baton.jackson.JacksonCodec;
import dev.baton.jdbi.PostgresDatabase;
import dev.baton.jdbi.PostgresExtension;
import dev.baton.kafka.KafkaTransport;
import dev.baton.kafka.common.KafkaOptions;
import dev.baton.kafka.dev.EmbeddedKafkaBroker;
import dev.baton.kafka.dev.junit.KafkaBrokerExtension;
import dev.baton.participant.CommandHandlers;
import dev.baton.participant.Outcome;
import dev.baton.testkit.example.OrderSaga;
import dev.baton.testkit.example.OrderSaga.AuthorizePayment;
import dev.baton.testkit.example.OrderSaga.CancelOrder;
import dev.baton.testkit.example.OrderSaga.CreateOrder;
import dev.baton.testkit.example.OrderSaga.ItemsReserved;
import dev.baton.testkit.example.OrderSaga.OrderData;
import dev.baton.testkit.example.OrderSaga.PaymentAuthorized;
import dev.baton.testkit.example.OrderSaga.ReserveItems;
import dev.baton.testkit.example.OrderSaga.ScheduleShipment;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Fault test: every engine node is down while timers fall due, and each fires once when the nodes come back.
 *
 * <p>Two engine nodes share one PostgreSQL database. Half the sagas park on a busy payment service (a re-send
 * every {@value #PARK_EVERY_S} s); the other half wait for an inventory service that is not running, with a reply
 * timeout of {@value #TIMEOUT_S} s. Then both nodes close and stay down for {@code -Dbaton.fault.engine-down-s}
 * seconds (8 by default), longer than both intervals, so every saga's timer falls due while no node runs. The payment
 * service stops being busy meanwhile. Two new nodes open on the same database and race for the due timers: each park
 * timer must re-send its command once, each timeout must fire once; then the inventory service starts, and every saga
 * completes with each effect once.
 *
 * <p>Reply timeouts are held for a grace period after a node opens (replies may be waiting unread); the nodes here
 * use 2 s instead of the default 30 s, which the test would otherwise wait out.
 */
@ExtendWith({KafkaBrokerExtension.class, PostgresExtension.class})
class EngineDowntimeTimersTest {
    private static final int PER_KIND = 40;
    private static final int PARK_EVERY_S = 3;
    private static final int TIMEOUT_S = 5;
    private static final int DOWN_SECONDS = Integer.getInteger("baton.fault.engine-down-s", 8);

    static final SagaDefinition<OrderData> PARKING = Saga.define("timers-park", OrderData.class)
            .defaultTimeout(Duration.ofSeconds(60))
            .step("create-order")
                .invoke(OrderSaga.ORDERS, d -> new CreateOrder(d.orderId(), d.customerId()))
                .compensate(OrderSaga.ORDERS, d -> new CancelOrder(d.orderId()))
            .step("authorize-payment")
                .invoke(OrderSaga.PAYMENT, d -> new AuthorizePayment(d.orderId(), d.amountCents()))
                .onReply(PaymentAuthorized.class, (d, r) -> d.withPayment(r.paymentId()))
                .whenBusy(Park.as("PENDING_PAYMENT").retryEvery(Duration.ofSeconds(PARK_EVERY_S))
                        .giveUpAfter(Duration.ofMinutes(5)))
                .pivot()
            .step("schedule-shipment")
                .invoke(OrderSaga.LOGISTICS, d -> new ScheduleShipment(d.orderId(), d.paymentId()))
                .retry(Retry.forever(Duration.ofMillis(200), Duration.ofSeconds(2)))
            .build();

    static final SagaDefinition<OrderData> TIMING_OUT = Saga.define("timers-timeout", OrderData.class)
            .defaultTimeout(Duration.ofSeconds(60))
            .step("create-order")
                .invoke(OrderSaga.ORDERS, d -> new CreateOrder(d.orderId(), d.customerId()))
                .compensate(OrderSaga.ORDERS, d -> new CancelOrder(d.orderId()))
            .step("reserve-inventory")
                .invoke(OrderSaga.INVENTORY, d -> new ReserveItems(d.orderId()))
                .onReply(ItemsReserved.class, (d, r) -> d.withReservation(r.reservationId()))
                .timeout(Duration.ofSeconds(TIMEOUT_S))
                .retry(Retry.fixed(10, Duration.ofMillis(200)))
                .pivot()
            .step("schedule-shipment")
                .invoke(OrderSaga.LOGISTICS, d -> new ScheduleShipment(d.orderId(), d.paymentId()))
                .retry(Retry.forever(Duration.ofMillis(200), Duration.ofSeconds(2)))
            .build();

    @Test
    @DisplayName("every engine node down while park and timeout timers fall due: on restart each fires once, effects once")
    void timersFireOnceAfterEveryNodeWasDown(EmbeddedKafkaBroker broker, PostgresDatabase db) throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        KafkaOptions options = KafkaOptions.defaults(broker.bootstrapServers()).withTopicPrefix("timers" + run + ".")
                .withEngineGroupId("timers-engine-" + run);
        AtomicBoolean paymentBusy = new AtomicBoolean(true);
        List<SagaId> parked = new ArrayList<>();
        List<SagaId> waiting = new ArrayList<>();
        try (OrderServices services = new OrderServices(options, 1, Set.of(OrderSaga.ORDERS.name(), OrderSaga.LOGISTICS.name()))) {
            services.startService(options, CommandHandlers.forParticipant(OrderSaga.PAYMENT)
                    .on(AuthorizePayment.class, (c, ctx) -> {
                        if (paymentBusy.get()) {
                            return Outcome.retryLater("closed for the night");
                        }
                        OrderServices.effect(ctx, c.orderId());
                        return Outcome.success(new PaymentAuthorized("p-" + c.orderId()));
                    })
                    .build());

            List<SagaEngine> nodes = List.of(node("a", db, options), node("b", db, options));
            for (int i = 0; i < PER_KIND; i++) {
                SagaEngine via = nodes.get(i % 2);
                parked.add(via.start(PARKING, OrderData.of("p-" + i, 100 + i)).id());
                waiting.add(via.start(TIMING_OUT, OrderData.of("t-" + i, 200 + i)).id());
            }
            SagaEngine first = nodes.get(0);
            await("every parking saga parked, every other sent its inventory command").atMost(Duration.ofSeconds(60))
                    .until(() -> parked.stream().allMatch(id -> status(first, id) == SagaStatus.PENDING)
                            && waiting.stream().allMatch(id -> sent(first, id, "reserve-inventory")));
            nodes.forEach(SagaEngine::close);
            Instant down = Instant.now();
            paymentBusy.set(false);
            await("every node down for " + DOWN_SECONDS + " s").pollInterval(Duration.ofMillis(250))
                    .atMost(Duration.ofSeconds(DOWN_SECONDS + 15))
                    .until(() -> Duration.between(down, Instant.now()).toSeconds() >= DOWN_SECONDS);

            Instant restart = Instant.now();
            List<SagaEngine> again = List.of(node("a2", db, options), node("b2", db, options));
            try {
                SagaEngine engine = again.get(0);
                // a parked saga whose command was in flight at the shutdown gets its answer instead of firing a timer
                await("every due timer fired").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                        .until(() -> parked.stream().allMatch(id -> status(engine, id) == SagaStatus.COMPLETED
                                || count(engine, id, restart, EngineDowntimeTimersTest::paymentSent) >= 1)
                                && waiting.stream().allMatch(id -> count(engine, id, restart, h -> h.kind() == HistoryKind.TIMED_OUT) >= 1));
                services.startService(options, CommandHandlers.forParticipant(OrderSaga.INVENTORY)
                        .on(ReserveItems.class, (c, ctx) -> {
                            OrderServices.effect(ctx, c.orderId());
                            return Outcome.success(new ItemsReserved("r-" + c.orderId()));
                        })
                        .build());
                List<SagaId> all = new ArrayList<>(parked);
                all.addAll(waiting);
                double recovery = FaultOutcome.awaitEnded(engine, all, restart, Duration.ofSeconds(90));
                FaultOutcome outcome = FaultOutcome.count("engine-down-timers-due", engine, all, services.effectsBySaga(),
                        EngineDowntimeTimersTest::expected, recovery).print();

                // after the restart, a parked saga sends its payment command once; each timeout fires once per attempt
                List<Long> resends = parked.stream().map(id -> count(engine, id, restart, EngineDowntimeTimersTest::paymentSent))
                        .toList();
                long parkResends = resends.stream().mapToLong(Long::longValue).sum();
                int doubleFires = 0;
                for (SagaId id : all) {
                    doubleFires += repeats(engine.history(id), HistoryKind.TIMED_OUT);
                    doubleFires += repeats(engine.history(id), HistoryKind.COMMAND_SENT);
                }
                System.out.printf("FAULT name=engine-down-timers-due down_s=%d park_timers=%d park_resends_after_restart=%d"
                        + " timeouts=%d double_fires=%d%n", DOWN_SECONDS, parked.size(), parkResends, waiting.size(), doubleFires);

                assertThat(outcome.lost()).as("lost").isZero();
                assertThat(outcome.duplicatedEffects()).as("duplicated effects").isZero();
                assertThat(outcome.stuck()).as("stuck").isZero();
                assertThat(resends).as("payment commands re-sent after the restart, per parked saga").allMatch(n -> n <= 1);
                assertThat(doubleFires).as("a timeout fired, or a command sent, twice for one attempt").isZero();
            } finally {
                again.forEach(SagaEngine::close);
            }
        }
    }

    private static SagaEngine node(String name, PostgresDatabase db, KafkaOptions options) {
        SagaEngine engine = SagaEngine.builder().store(db.openStore()).transport(KafkaTransport.create(options, null))
                .codec(new JacksonCodec()).register(PARKING, TIMING_OUT).timerPollInterval(Duration.ofMillis(50))
                .timeoutGraceAfterOpen(Duration.ofSeconds(2)).nodeName(name).build();
        engine.open();
        return engine;
    }

    private static FaultOutcome.Expected expected(SagaView v) {
        String middle = v.type().equals(PARKING.type()) ? "authorize-payment/COMMAND" : "reserve-inventory/COMMAND";
        return new FaultOutcome.Expected(SagaStatus.COMPLETED, Map.of("create-order/COMMAND", 1L, middle, 1L,
                "schedule-shipment/COMMAND", 1L));
    }

    private static boolean paymentSent(HistoryRecord h) {
        return h.kind() == HistoryKind.COMMAND_SENT && "authorize-payment".equals(h.step());
    }

    private static SagaStatus status(SagaEngine engine, SagaId id) {
        return engine.find(id).map(SagaView::status).orElse(null);
    }

    private static boolean sent(SagaEngine engine, SagaId id, String step) {
        return engine.history(id).stream().anyMatch(h -> h.kind() == HistoryKind.COMMAND_SENT && step.equals(h.step()));
    }

    private static long count(SagaEngine engine, SagaId id, Instant since, Predicate<HistoryRecord> match) {
        return engine.history(id).stream().filter(h -> !h.at().isBefore(since)).filter(match).count();
    }

    /** Entries of {@code kind} beyond the first for one step and attempt (the detail starts "attempt N "). */
    private static int repeats(List<HistoryRecord> history, HistoryKind kind) {
        return history.stream().filter(h -> h.kind() == kind)
                .collect(Collectors.groupingBy(h -> h.step() + "|" + attempt(h.detail()), Collectors.counting()))
                .values().stream().mapToInt(c -> (int) (c - 1)).sum();
    }

    private static String attempt(String detail) {
        if (detail == null || !detail.startsWith("attempt ")) {
            return String.valueOf(detail);
        }
        int end = detail.indexOf(' ', "attempt ".length());
        return end < 0 ? detail : detail.substring(0, end);
    }
}
