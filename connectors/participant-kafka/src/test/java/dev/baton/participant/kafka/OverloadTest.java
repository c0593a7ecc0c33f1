package dev.baton.participant.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.dsl.Park;
import dev.baton.dsl.Retry;
import dev.baton.dsl.Saga;
import dev.baton.dsl.SagaDefinition;
import dev.baton.engine.FlowView;
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
import dev.baton.participant.CommandHandlers;
import dev.baton.participant.JdbiIdempotencyStore;
import dev.baton.participant.Outcome;
import dev.baton.participant.ParticipantRuntime;
import dev.baton.testkit.example.OrderSaga;
import dev.baton.testkit.example.OrderSaga.AuthorizePayment;
import dev.baton.testkit.example.OrderSaga.CancelOrder;
import dev.baton.testkit.example.OrderSaga.CreateOrder;
import dev.baton.testkit.example.OrderSaga.ItemsReserved;
import dev.baton.testkit.example.OrderSaga.OrderData;
import dev.baton.testkit.example.OrderSaga.PaymentAuthorized;
import dev.baton.testkit.example.OrderSaga.ReleaseItems;
import dev.baton.testkit.example.OrderSaga.ReserveItems;
import dev.baton.testkit.example.OrderSaga.ScheduleShipment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A payment service with a fixed capacity, offered three times that: flow control keeps it at its capacity, the
 * sagas that cannot go wait in PENDING_PAYMENT and drain in order afterwards, and none is compensated for being
 * busy. The payment service's capacity is 20 authorizations per second ({@code baton.overload.slots} (5) per
 * {@code baton.overload.hold-ms} (250)); it answers RETRY_LATER beyond it. It runs twice, with the two kinds of
 * limit a real service has ({@link #models()}): a rate (a token bucket, as an API quota) and a number of slots each
 * held for a fixed time after its answer. Sagas start at three times the capacity for {@code baton.overload.seconds} (20 by default; the figures in
 * docs/operations.md are from a 60 s run). With a hold of 100 ms (50 per second, 150 sagas started per second) this
 * 2-core machine, running everything in one JVM, is itself the bottleneck during the load: docs/operations.md says
 * why the default is 20 per second.
 *
 * <p>Rates are printed, not asserted tightly (this machine is shared): the test asserts what must hold whatever the
 * speed (every saga completes, none compensated or FAILED, each payment once) and only a loose floor on goodput, far
 * below the figures it prints, that a breaker shutting the busy participant out would miss.
 */
@ExtendWith(KafkaBrokerExtension.class)
class OverloadTest {
    static final int SLOTS = Integer.getInteger("baton.overload.slots", 5);
    static final int HOLD_MS = Integer.getInteger("baton.overload.hold-ms", 250);
    static final int CAPACITY = SLOTS * 1000 / HOLD_MS;
    static final int OFFERED = 3 * CAPACITY;
    static final int SECONDS = Integer.getInteger("baton.overload.seconds", 20);
    /**
     * How the card processor is limited; the test runs both unless {@code baton.overload.model} names one.
     * {@code rate}: a token bucket of {@link #CAPACITY} authorizations per second with a burst of {@link #SLOTS} (an
     * API quota: a call that comes late finds its token waiting). {@code slots}: {@link #SLOTS} authorizations at a
     * time, each holding its slot {@link #HOLD_MS} ms after its answer (a loss system: a slot that frees between two
     * calls idles until the next one).
     */
    static List<String> models() {
        String one = System.getProperty("baton.overload.model");
        return one == null ? List.of("rate", "slots") : List.of(one);
    }

    static final SagaDefinition<OrderData> SAGA = Saga.define("order-overload", OrderData.class)
            .defaultTimeout(Duration.ofSeconds(10))
            .step("create-order")
                .invoke(OrderSaga.ORDERS, d -> new CreateOrder(d.orderId(), d.customerId()))
                .compensate(OrderSaga.ORDERS, d -> new CancelOrder(d.orderId()))
                .retry(Retry.fixed(5, Duration.ofMillis(200)))
            .step("reserve-inventory")
                .invoke(OrderSaga.INVENTORY, d -> new ReserveItems(d.orderId()))
                .onReply(ItemsReserved.class, (d, r) -> d.withReservation(r.reservationId()))
                .compensate(OrderSaga.INVENTORY, d -> new ReleaseItems(d.orderId(), d.reservationId()))
                .retry(Retry.fixed(5, Duration.ofMillis(200)))
            .step("authorize-payment")
                .invoke(OrderSaga.PAYMENT, d -> new AuthorizePayment(d.orderId(), d.amountCents()))
                .onReply(PaymentAuthorized.class, (d, r) -> d.withPayment(r.paymentId()))
                .whenBusy(Park.as("PENDING_PAYMENT").retryEvery(Duration.ofSeconds(5)).giveUpAfter(Duration.ofMinutes(30)))
                .pivot()
            .step("schedule-shipment")
                .invoke(OrderSaga.LOGISTICS, d -> new ScheduleShipment(d.orderId(), d.paymentId()))
                .retry(Retry.forever(Duration.ofMillis(200), Duration.ofSeconds(2)))
            .build();

    /** The card processor: {@link #SLOTS} authorizations at a time, each for {@link #HOLD_MS}. */
    static final class CardProcessor {
        private final String model;
        private final ArrayDeque<Long> inProgress = new ArrayDeque<>();
        final LongAdder calls = new LongAdder();
        final LongAdder busy = new LongAdder();
        final ConcurrentLinkedQueue<Long> captured = new ConcurrentLinkedQueue<>();
        /** When each call came (nanoTime), to show how evenly the engine spaces them. */
        final ConcurrentLinkedQueue<Long> arrivals = new ConcurrentLinkedQueue<>();

        private double tokens = SLOTS;
        private long refilledAt = System.nanoTime();

        CardProcessor(String model) {
            if (!model.equals("rate") && !model.equals("slots")) {
                throw new IllegalArgumentException("baton.overload.model is rate or slots, but was " + model);
            }
            this.model = model;
        }

        synchronized boolean admit() {
            long now = System.nanoTime();
            arrivals.add(now);
            if (model.equals("rate")) {
                tokens = Math.min(SLOTS, tokens + (now - refilledAt) / 1e9 * CAPACITY);
                refilledAt = now;
                if (tokens < 1) {
                    return false;
                }
                tokens -= 1;
                return true;
            }
            while (!inProgress.isEmpty() && inProgress.peekFirst() <= now) {
                inProgress.pollFirst();
            }
            if (inProgress.size() >= SLOTS) {
                return false;
            }
            inProgress.addLast(now + TimeUnit.MILLISECONDS.toNanos(HOLD_MS));
            return true;
        }

        /** Captures in [from, to) (nanoTime). */
        long capturedBetween(long from, long to) {
            return captured.stream().filter(t -> t >= from && t < to).count();
        }

        /**
         * How the gaps between calls in [from, to) spread: their coefficient of variation (0: evenly spaced, 1: at
         * random moments, as a Poisson stream) and the share of gaps under 5 ms (calls that came in a bunch).
         */
        double[] gapSpread(long from, long to) {
            long[] t = arrivals.stream().filter(x -> x >= from && x < to).mapToLong(Long::longValue).sorted().toArray();
            if (t.length < 3) {
                return new double[] {0, 0};
            }
            double[] gaps = new double[t.length - 1];
            for (int i = 1; i < t.length; i++) {
                gaps[i - 1] = (t[i] - t[i - 1]) / 1e6;
            }
            double mean = java.util.Arrays.stream(gaps).average().orElse(0);
            double var = java.util.Arrays.stream(gaps).map(g -> (g - mean) * (g - mean)).average().orElse(0);
            double bunched = java.util.Arrays.stream(gaps).filter(g -> g < 5).count() / (double) gaps.length;
            double[] sorted = gaps.clone();
            java.util.Arrays.sort(sorted);
            System.out.printf("overload: call gaps ms p10=%.1f p50=%.1f p90=%.1f p99=%.1f max=%.1f%n", sorted[sorted.length / 10],
                    sorted[sorted.length / 2], sorted[sorted.length * 9 / 10], sorted[sorted.length * 99 / 100], sorted[sorted.length - 1]);
            return new double[] {Math.sqrt(var) / mean, bunched};
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    @DisplayName("a participant offered three times its capacity is kept at its capacity; every order completes afterwards, none compensated")
    void busyParticipantAtCapacity(String model, EmbeddedKafkaBroker broker, @TempDir Path dir) throws Exception {
        KafkaOptions options = KafkaOptions.defaults(broker.bootstrapServers())
                .withTopicPrefix("overload-" + model + ".").withEngineGroupId("overload-" + model + "-engine");
        CardProcessor processor = new CardProcessor(model);
        List<SagaId> ids = new CopyOnWriteArrayList<>();
        ScheduledExecutorService starter = Executors.newScheduledThreadPool(2);
        JdbiIdempotencyStore paymentStore = JdbiIdempotencyStore.h2InMemory("payment-" + UUID.randomUUID());
        paymentStore.jdbi().useHandle(h -> h.execute(OrderServices.EFFECT_TABLE));
        CommandHandlers payment = CommandHandlers.forParticipant(OrderSaga.PAYMENT)
                .on(AuthorizePayment.class, (c, ctx) -> {
                    processor.calls.increment();
                    if (!processor.admit()) {
                        processor.busy.increment();
                        return Outcome.retryLater("card processor at capacity");
                    }
                    ctx.handle().createUpdate("INSERT INTO effect (saga_id, order_id, step, kind, message_id)"
                                    + " VALUES (:s, :o, :st, :k, :m)")
                            .bind("s", ctx.sagaId()).bind("o", c.orderId()).bind("st", ctx.step())
                            .bind("k", ctx.kind().name()).bind("m", ctx.messageId()).execute();
                    processor.captured.add(System.nanoTime());
                    return Outcome.success(new PaymentAuthorized("p-" + c.orderId()));
                })
                .build();
        try (OrderServices others = new OrderServices(options, 1, Set.of(OrderSaga.ORDERS.name(),
                     OrderSaga.INVENTORY.name(), OrderSaga.LOGISTICS.name()));
             KafkaParticipant paymentService = KafkaParticipant.create(options,
                     ParticipantRuntime.builder().handlers(payment).store(paymentStore).build()).start();
             SagaEngine engine = SagaEngine.builder().store(JdbiSagaStore.h2File(dir.resolve("engine")))
                     .transport(KafkaTransport.create(options, null)).codec(new JacksonCodec()).register(SAGA)
                     .timerPollInterval(Duration.ofMillis(50)).build()) {
            engine.open();
            int total = OFFERED * SECONDS;
            AtomicInteger n = new AtomicInteger();
            long loadStart = System.nanoTime();
            long[] last = new long[3];
            starter.scheduleAtFixedRate(() -> engine.flows().stream().filter(f -> f.participant().equals("payment"))
                    .forEach(f -> {
                        long paid = processor.captured.size();
                        long busy = processor.busy.sum();
                        System.out.printf("overload: t=%.0fs limit=%.1f pace_ms=%.1f in_flight=%d waiting=%d paid_per_s=%d busy_per_s=%d released_per_s=%d%n",
                                (System.nanoTime() - loadStart) / 1e9, f.limit(), f.pace().toNanos() / 1e6, f.inFlight(), f.waiting(),
                                (paid - last[0]) / 2, (busy - last[1]) / 2, (f.released() - last[2]) / 2);
                        last[0] = paid;
                        last[1] = busy;
                        last[2] = f.released();
                    }), 2, 2, TimeUnit.SECONDS);
            starter.scheduleAtFixedRate(() -> {
                int i = n.getAndIncrement();
                if (i < total) {
                    // amounts never end in 3: no card is declined, so nothing may be compensated
                    ids.add(engine.start(SAGA, OrderData.of("o-" + i, 100 + (i % 3))).id());
                }
            }, 0, 1_000_000 / OFFERED, TimeUnit.MICROSECONDS);
            await("every saga started").atMost(Duration.ofSeconds(SECONDS * 3L + 30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> ids.size() >= total);
            long loadEnd = System.nanoTime();
            long paidAtLoadEnd = processor.captured.size();
            long backlog = total - paidAtLoadEnd;
            List<FlowView> duringLoad = engine.flows();
            long maxWaiting = duringLoad.stream().filter(f -> f.participant().equals("payment"))
                    .mapToLong(FlowView::waiting).max().orElse(0);

            await("every saga ends").atMost(Duration.ofSeconds(backlog / CAPACITY * 3 + 120))
                    .pollInterval(Duration.ofMillis(250)).until(() -> ended(engine, ids));
            long drainedAt = System.nanoTime();

            Map<SagaStatus, Integer> statuses = new EnumMap<>(SagaStatus.class);
            for (SagaId id : ids) {
                statuses.merge(engine.find(id).map(SagaView::status).orElseThrow(), 1, Integer::sum);
            }
            Map<String, Long> paymentsPerSaga = paymentStore.jdbi().withHandle(h -> h
                    .createQuery("SELECT saga_id, COUNT(*) FROM effect GROUP BY saga_id")
                    .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getLong(2))).list()).stream()
                    .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
            long doubled = paymentsPerSaga.values().stream().filter(c -> c > 1).count();

            // goodput from 2 s in (the limit comes down from its initial value) to the end of the load, and while
            // a backlog waited for payment (to the last capture)
            long from = loadStart + TimeUnit.SECONDS.toNanos(2);
            double overloadSeconds = (loadEnd - from) / 1e9;
            double goodput = processor.capturedBetween(from, loadEnd) / overloadSeconds;
            long lastCapture = processor.captured.stream().mapToLong(Long::longValue).max().orElse(loadEnd);
            double backlogGoodput = processor.capturedBetween(from, lastCapture + 1) / ((lastCapture + 1 - from) / 1e9);
            double drainSeconds = (drainedAt - loadEnd) / 1e9;
            double expectedDrain = (double) backlog / CAPACITY;
            int completed = statuses.getOrDefault(SagaStatus.COMPLETED, 0);
            double[] spread = processor.gapSpread(from, loadEnd);
            processor.gapSpread(loadEnd, lastCapture + 1);
            double attemptsPerSaga = processor.calls.sum() / (double) Math.max(1, completed);
            FlowView flow = engine.flows().stream().filter(f -> f.participant().equals("payment")).findFirst().orElseThrow();
            System.out.printf("overload: model=%s capacity_per_s=%d offered_per_s=%d seconds=%d sagas=%d goodput_per_s=%.1f"
                            + " goodput_share=%.3f backlog_goodput_share=%.3f backlog_at_load_end=%d drain_s=%.1f expected_drain_s=%.1f"
                            + " drain_ratio=%.2f payment_calls_per_completed=%.2f busy_answers=%d max_waiting=%d"
                            + " call_gap_cv=%.2f calls_within_5ms=%.2f compensated=%d failed=%d doubled_payments=%d limit_after=%.1f statuses=%s%n",
                    model, CAPACITY, OFFERED, SECONDS, total, goodput, goodput / CAPACITY, backlogGoodput / CAPACITY, backlog,
                    drainSeconds,
                    expectedDrain, drainSeconds / Math.max(0.1, expectedDrain), attemptsPerSaga,
                    processor.busy.sum(), maxWaiting, spread[0], spread[1], statuses.getOrDefault(SagaStatus.COMPENSATED, 0),
                    statuses.getOrDefault(SagaStatus.FAILED, 0), doubled, flow.limit(), statuses);

            assertThat(statuses).as("every order completes: none is compensated for being busy")
                    .containsOnlyKeys(SagaStatus.COMPLETED);
            assertThat(paymentsPerSaga).as("each order paid once").hasSize(total);
            assertThat(doubled).isZero();
            assertThat(backlogGoodput / CAPACITY).as("the busy participant is kept busy, not shut out").isGreaterThan(0.3);
            assertThat(paymentService.loopHealth().failing()).isFalse();
            assertThat(others.loopHealth()).noneMatch(dev.baton.kafka.common.LoopHealth::failing);
        } finally {
            starter.shutdownNow();
            paymentStore.close();
        }
    }

    private static boolean ended(SagaEngine engine, List<SagaId> ids) {
        return ids.stream().allMatch(id -> engine.find(id).map(SagaView::status)
                .map(s -> s == SagaStatus.COMPLETED || s == SagaStatus.COMPENSATED || s == SagaStatus.FAILED)
                .orElse(false));
    }
}
