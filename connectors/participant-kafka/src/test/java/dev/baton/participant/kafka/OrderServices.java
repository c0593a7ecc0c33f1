package dev.baton.participant.kafka;

import dev.baton.dsl.Park;
import dev.baton.dsl.Retry;
import dev.baton.dsl.Saga;
import dev.baton.dsl.SagaDefinition;
import dev.baton.kafka.common.KafkaOptions;
import dev.baton.participant.CommandHandlers;
import dev.baton.participant.JdbiIdempotencyStore;
import dev.baton.participant.Outcome;
import dev.baton.participant.ParticipantRuntime;
import dev.baton.testkit.example.OrderSaga.AuthorizePayment;
import dev.baton.testkit.example.OrderSaga.CancelOrder;
import dev.baton.testkit.example.OrderSaga.CreateOrder;
import dev.baton.testkit.example.OrderSaga.ItemsReserved;
import dev.baton.testkit.example.OrderSaga.OrderData;
import dev.baton.testkit.example.OrderSaga.PaymentAuthorized;
import dev.baton.testkit.example.OrderSaga.ReleaseItems;
import dev.baton.testkit.example.OrderSaga.ReserveItems;
import dev.baton.testkit.example.OrderSaga.ScheduleShipment;
import dev.baton.testkit.example.OrderSaga;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Jdbi;

/**
 * The four order-flow participant services for the Kafka tests, each with its own H2 database holding its
 * business effects and the SDK's idempotency records, bound to Kafka with {@link KafkaParticipant}.
 *
 * <p>Behaviour by amount: {@code amount % 10 == 3} payment declined; {@code amount % 10 == 7} payment busy for the
 * first two attempts. Every effect is a row in the service's {@code effect} table, written in the same
 * transaction as the SDK's record.
 */
final class OrderServices implements AutoCloseable {
    /** The order saga with intervals short enough for a test on a real clock. */
    static final SagaDefinition<OrderData> SAGA = saga("order-flow-kafka", Duration.ofSeconds(5));

    /** The order saga under another type name, with this reply timeout on every step. */
    static SagaDefinition<OrderData> saga(String type, Duration timeout) {
        return Saga.define(type, OrderData.class)
            .defaultTimeout(timeout)
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
                .whenBusy(Park.as("PENDING_PAYMENT").retryEvery(Duration.ofMillis(300)).giveUpAfter(Duration.ofMinutes(2)))
                .retry(Retry.fixed(5, Duration.ofMillis(200)))
                .pivot()
            .step("schedule-shipment")
                .invoke(OrderSaga.LOGISTICS, d -> new ScheduleShipment(d.orderId(), d.paymentId()))
                .retry(Retry.forever(Duration.ofMillis(200), Duration.ofSeconds(2)))
            .build();
    }

    /** The names of the four services. */
    static final Set<String> ALL = Set.of(OrderSaga.ORDERS.name(), OrderSaga.INVENTORY.name(), OrderSaga.PAYMENT.name(),
            OrderSaga.LOGISTICS.name());

    private final List<JdbiIdempotencyStore> stores = new ArrayList<>();
    private final List<KafkaParticipant> bindings = new ArrayList<>();
    private final Map<String, Jdbi> databases = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> busyCount = new ConcurrentHashMap<>();
    private final Set<String> only;
    private final Function<String, JdbiIdempotencyStore> storeFor;
    private final io.opentelemetry.api.OpenTelemetry openTelemetry;

    OrderServices(KafkaOptions options, int replyCopies) {
        this(options, replyCopies, ALL);
    }

    /** Only the named services (the crash tests run payment in a process of its own). */
    OrderServices(KafkaOptions options, int replyCopies, Set<String> participants) {
        this(options, replyCopies, participants, name -> JdbiIdempotencyStore.h2InMemory(name + "-" + UUID.randomUUID()));
    }

    /** Only the named services, each on the store {@code storeFor} opens for its name (the fault tests put one on PostgreSQL). */
    OrderServices(KafkaOptions options, int replyCopies, Set<String> participants,
                  Function<String, JdbiIdempotencyStore> storeFor) {
        this(options, replyCopies, participants, storeFor, io.opentelemetry.api.OpenTelemetry.noop());
    }

    /** As above, the services recording their spans through {@code openTelemetry}. */
    OrderServices(KafkaOptions options, int replyCopies, Set<String> participants,
                  Function<String, JdbiIdempotencyStore> storeFor, io.opentelemetry.api.OpenTelemetry openTelemetry) {
        this.only = Set.copyOf(participants);
        this.storeFor = storeFor;
        this.openTelemetry = openTelemetry;
        add(options, replyCopies, CommandHandlers.forParticipant(OrderSaga.ORDERS)
                .on(CreateOrder.class, (c, ctx) -> effect(ctx, c.orderId()))
                .on(CancelOrder.class, (c, ctx) -> effect(ctx, c.orderId()))
                .build());
        add(options, replyCopies, CommandHandlers.forParticipant(OrderSaga.INVENTORY)
                .on(ReserveItems.class, (c, ctx) -> {
                    effect(ctx, c.orderId());
                    return Outcome.success(new ItemsReserved("r-" + c.orderId()));
                })
                .on(ReleaseItems.class, (c, ctx) -> effect(ctx, c.orderId()))
                .build());
        add(options, replyCopies, payment(busyCount));
        add(options, replyCopies, CommandHandlers.forParticipant(OrderSaga.LOGISTICS)
                .on(ScheduleShipment.class, (c, ctx) -> effect(ctx, c.orderId()))
                .build());
    }

    /** The payment service's handlers: declines amounts ending in 3, is busy twice (per order) for amounts ending in 7. */
    static CommandHandlers payment(Map<String, AtomicInteger> busyCount) {
        return CommandHandlers.forParticipant(OrderSaga.PAYMENT)
                .on(AuthorizePayment.class, (c, ctx) -> {
                    if (c.amountCents() % 10 == 3) {
                        return Outcome.failure("card declined");
                    }
                    if (c.amountCents() % 10 == 7 && busyCount.computeIfAbsent(c.orderId(), k -> new AtomicInteger()).incrementAndGet() <= 2) {
                        return Outcome.retryLater("promotion traffic");
                    }
                    effect(ctx, c.orderId());
                    return Outcome.success(new PaymentAuthorized("p-" + c.orderId()));
                })
                .build();
    }

    /** The table each service records its business effects in, one row per effect. */
    static final String EFFECT_TABLE = "CREATE TABLE IF NOT EXISTS effect (saga_id VARCHAR(64), order_id VARCHAR(64),"
            + " step VARCHAR(100), kind VARCHAR(20), message_id VARCHAR(200))";

    /** Whether each effect prints a line on stderr (the chaos soak's processes: their logs tell a lost effect's story). */
    static volatile boolean TRACE_EFFECTS = false;

    static Outcome effect(dev.baton.participant.HandlerContext ctx, String orderId) {
        ctx.handle().createUpdate("INSERT INTO effect (saga_id, order_id, step, kind, message_id) VALUES (:s, :o, :st, :k, :m)")
                .bind("s", ctx.sagaId()).bind("o", orderId).bind("st", ctx.step()).bind("k", ctx.kind().name())
                .bind("m", ctx.messageId()).execute();
        if (TRACE_EFFECTS) {
            System.err.println(java.time.Instant.now() + " EFFECT saga=" + ctx.sagaId() + " step=" + ctx.step() + " kind=" + ctx.kind()
                    + " message=" + ctx.messageId() + " (in the handler's transaction, before its commit)");
        }
        return Outcome.success();
    }

    /** Starts one more service with these handlers, on a store of its own; its effects count with the others'. */
    void startService(KafkaOptions options, CommandHandlers handlers) {
        start(options, 1, handlers);
    }

    /** As {@link #startService(KafkaOptions, CommandHandlers)}, every reply sent {@code replyCopies} times. */
    void startService(KafkaOptions options, int replyCopies, CommandHandlers handlers) {
        start(options, replyCopies, handlers);
    }

    private void add(KafkaOptions options, int replyCopies, CommandHandlers handlers) {
        if (only.contains(handlers.participant())) {
            start(options, replyCopies, handlers);
        }
    }

    private synchronized void start(KafkaOptions options, int replyCopies, CommandHandlers handlers) {
        JdbiIdempotencyStore store = storeFor.apply(handlers.participant());
        store.jdbi().useHandle(h -> h.execute(EFFECT_TABLE));
        stores.add(store);
        databases.put(handlers.participant(), store.jdbi());
        ParticipantRuntime runtime = ParticipantRuntime.builder().handlers(handlers).store(store)
                .openTelemetry(openTelemetry).build();
        bindings.add((replyCopies == 1 ? KafkaParticipant.create(options, runtime)
                : KafkaParticipant.createDuplicatingReplies(options, runtime, replyCopies)).start());
    }

    /** The state of each service's command loop. */
    List<dev.baton.kafka.common.LoopHealth> loopHealth() {
        return bindings.stream().map(KafkaParticipant::loopHealth).toList();
    }

    /** Effects applied for a saga, as "step/KIND" → count, across the four services. */
    Map<String, Long> effects(String sagaId) {
        return databases.values().stream()
                .flatMap(db -> db.withHandle(h -> h.createQuery("SELECT step, kind FROM effect WHERE saga_id = :s")
                        .bind("s", sagaId).map((rs, ctx) -> rs.getString(1) + "/" + rs.getString(2)).list()).stream())
                .collect(Collectors.groupingBy(s -> s, Collectors.counting()));
    }

    /** Effects applied for every saga, as saga id → "step/KIND" → count, across the four services. */
    Map<String, Map<String, Long>> effectsBySaga() {
        return effectsBySaga(databases.values());
    }

    /** Effects recorded in the {@code effect} tables of {@code services}, as saga id → "step/KIND" → count. */
    static Map<String, Map<String, Long>> effectsBySaga(java.util.Collection<Jdbi> services) {
        record Row(String sagaId, String effect, long count) {}
        Map<String, Map<String, Long>> all = new HashMap<>();
        for (Jdbi db : services) {
            db.withHandle(h -> h.createQuery("SELECT saga_id, step, kind, COUNT(*) FROM effect GROUP BY saga_id, step, kind")
                    .map((rs, ctx) -> new Row(rs.getString(1), rs.getString(2) + "/" + rs.getString(3), rs.getLong(4))).list())
                    .forEach(r -> all.computeIfAbsent(r.sagaId(), k -> new TreeMap<>()).merge(r.effect(), r.count(), Long::sum));
        }
        return all;
    }

    /** Every effect row across the services. */
    long totalEffects() {
        return databases.values().stream().mapToLong(db -> db.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM effect")
                .mapTo(Long.class).one())).sum();
    }

    @Override
    public void close() {
        bindings.forEach(KafkaParticipant::close);
        stores.forEach(s -> {
            try {
                s.close();
            } catch (Exception e) {
                // best effort in tests
            }
        });
    }
}
