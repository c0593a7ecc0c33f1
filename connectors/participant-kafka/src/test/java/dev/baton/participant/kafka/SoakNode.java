package dev.baton.participant.kafka;

import dev.baton.dsl.Park;
import dev.baton.dsl.Retry;
import dev.baton.dsl.Saga;
import dev.baton.dsl.SagaDefinition;
import dev.baton.engine.SagaEngine;
import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.spi.SagaCount;
import dev.baton.engine.spi.SagaListener;
import dev.baton.jackson.JacksonCodec;
import dev.baton.jdbi.JdbiSagaStore;
import dev.baton.kafka.KafkaStartConsumer;
import dev.baton.kafka.KafkaTransport;
import dev.baton.kafka.common.KafkaOptions;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One process of the chaos soak ({@link ChaosSoakTest}): the engine or one of the four order-flow services, each on
 * the database the soak gives it (a PostgreSQL database of its own by default, or an H2 file).
 *
 * <ul>
 *   <li>{@code engine <bootstrap> <prefix> <dir or jdbc url> [<user> [<password>]]}: the engine (on the H2 file in
 *       that directory, or the database at that URL) with its Kafka transport, and the start topic's
 *       consumer. Prints {@code READY <ms>}, then {@code STATUS sagas=<n> open=<k> <ms>} every 500 ms (from the
 *       store) and {@code ENDED <ms>} when sagas end here (at most every 200 ms).</li>
 *   <li>{@code service <bootstrap> <prefix> <participant> <jdbc url> [<user> [<password>]]}: the participant's
 *       handlers (as in {@link OrderServices}) bound to Kafka, their effects and the SDK's records in that database;
 *       prints {@code READY <ms>}.</li>
 * </ul>
 *
 * End of stdin closes a node cleanly (exit 0); the soak kills nodes with SIGKILL at any point.
 */
public final class SoakNode {
    /**
     * The order flow of the soak: as {@link OrderServices#saga}, but forward steps retry timeouts for ever (a service
     * killed and restarted is silent for a while, and the soak counts a saga compensated though not declined as lost).
     */
    static final SagaDefinition<OrderData> SAGA = Saga.define("order-flow-soak", OrderData.class)
            .defaultTimeout(Duration.ofSeconds(10))
            .step("create-order")
                .invoke(OrderSaga.ORDERS, d -> new CreateOrder(d.orderId(), d.customerId()))
                .compensate(OrderSaga.ORDERS, d -> new CancelOrder(d.orderId()))
                .retry(Retry.forever(Duration.ofMillis(200), Duration.ofSeconds(2)))
            .step("reserve-inventory")
                .invoke(OrderSaga.INVENTORY, d -> new ReserveItems(d.orderId()))
                .onReply(ItemsReserved.class, (d, r) -> d.withReservation(r.reservationId()))
                .compensate(OrderSaga.INVENTORY, d -> new ReleaseItems(d.orderId(), d.reservationId()))
                .retry(Retry.forever(Duration.ofMillis(200), Duration.ofSeconds(2)))
            .step("authorize-payment")
                .invoke(OrderSaga.PAYMENT, d -> new AuthorizePayment(d.orderId(), d.amountCents()))
                .onReply(PaymentAuthorized.class, (d, r) -> d.withPayment(r.paymentId()))
                .whenBusy(Park.as("PENDING_PAYMENT").retryEvery(Duration.ofMillis(500)).giveUpAfter(Duration.ofMinutes(30)))
                .retry(Retry.forever(Duration.ofMillis(200), Duration.ofSeconds(2)))
                .pivot()
            .step("schedule-shipment")
                .invoke(OrderSaga.LOGISTICS, d -> new ScheduleShipment(d.orderId(), d.paymentId()))
                .retry(Retry.forever(Duration.ofMillis(200), Duration.ofSeconds(2)))
            .build();

    private SoakNode() {}

    public static void main(String[] args) throws Exception {
        KafkaOptions options = CrashSaga.options(args[1], args[2]);
        switch (args[0]) {
            case "engine" -> engine(options, args[3], args.length > 4 ? args[4] : "sa", args.length > 5 ? args[5] : "");
            case "service" -> service(options, args[3], args[4], args.length > 5 ? args[5] : "sa",
                    args.length > 6 ? args[6] : "");
            default -> throw new IllegalArgumentException("engine or service, but was " + args[0]);
        }
    }

    /** The H2 URL of a service's database file (without {@code .mv.db}). */
    static String serviceUrl(String database) {
        return "jdbc:h2:file:" + database + ";WRITE_DELAY=0";
    }

    private static void engine(KafkaOptions options, String database, String user, String password) throws Exception {
        JdbiSagaStore store = database.startsWith("jdbc:") ? JdbiSagaStore.create(database, user, password)
                : JdbiSagaStore.h2File(Path.of(database));
        AtomicLong lastPrinted = new AtomicLong();
        SagaListener listener = new SagaListener() {
            @Override
            public void onEnded(SagaId id, String sagaType, SagaStatus outcome, Duration took) {
                long now = System.currentTimeMillis();
                long last = lastPrinted.get();
                if (now - last >= 200 && lastPrinted.compareAndSet(last, now)) {
                    System.out.println("ENDED " + now);
                }
            }
        };
        SagaEngine engine = SagaEngine.builder().store(store).transport(KafkaTransport.create(options, listener))
                .codec(new JacksonCodec()).register(SAGA).listener(listener)
                .timerPollInterval(Duration.ofMillis(50)).outboxSweep(Duration.ofMillis(500), Duration.ofSeconds(2))
                .build();
        engine.open();
        KafkaStartConsumer starts = new KafkaStartConsumer(options, engine, listener).start();
        System.out.println("READY " + System.currentTimeMillis());
        Thread status = Thread.ofPlatform().daemon().name("status").start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    long sagas = 0;
                    long open = 0;
                    for (SagaCount c : store.counts()) {
                        sagas += c.count();
                        if (c.status() != SagaStatus.COMPLETED && c.status() != SagaStatus.COMPENSATED
                                && c.status() != SagaStatus.FAILED) {
                            open += c.count();
                        }
                    }
                    System.out.println("STATUS sagas=" + sagas + " open=" + open + " " + System.currentTimeMillis());
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    // the store is closing; the next round tells
                }
            }
        });
        awaitEndOfInput();
        status.interrupt();
        starts.close();
        engine.close();
        System.exit(0);
    }

    private static void service(KafkaOptions options, String participant, String url, String user, String password)
            throws Exception {
        OrderServices.TRACE_EFFECTS = true;
        JdbiIdempotencyStore store = JdbiIdempotencyStore.create(url, user, password);
        store.jdbi().useHandle(h -> h.execute(OrderServices.EFFECT_TABLE));
        ParticipantRuntime runtime = ParticipantRuntime.builder().handlers(handlers(participant)).store(store).build();
        KafkaParticipant binding = KafkaParticipant.create(options, runtime).start();
        System.out.println("READY " + System.currentTimeMillis());
        awaitEndOfInput();
        binding.close();
        store.close();
        System.exit(0);
    }

    static CommandHandlers handlers(String participant) {
        if (participant.equals(OrderSaga.PAYMENT.name())) {
            return OrderServices.payment(new ConcurrentHashMap<>());
        }
        if (participant.equals(OrderSaga.ORDERS.name())) {
            return CommandHandlers.forParticipant(OrderSaga.ORDERS)
                    .on(CreateOrder.class, (c, ctx) -> OrderServices.effect(ctx, c.orderId()))
                    .on(CancelOrder.class, (c, ctx) -> OrderServices.effect(ctx, c.orderId()))
                    .build();
        }
        if (participant.equals(OrderSaga.INVENTORY.name())) {
            return CommandHandlers.forParticipant(OrderSaga.INVENTORY)
                    .on(ReserveItems.class, (c, ctx) -> {
                        OrderServices.effect(ctx, c.orderId());
                        return Outcome.success(new ItemsReserved("r-" + c.orderId()));
                    })
                    .on(ReleaseItems.class, (c, ctx) -> OrderServices.effect(ctx, c.orderId()))
                    .build();
        }
        if (participant.equals(OrderSaga.LOGISTICS.name())) {
            return CommandHandlers.forParticipant(OrderSaga.LOGISTICS)
                    .on(ScheduleShipment.class, (c, ctx) -> OrderServices.effect(ctx, c.orderId()))
                    .build();
        }
        throw new IllegalArgumentException("no such participant: " + participant);
    }

    private static void awaitEndOfInput() throws java.io.IOException {
        while (System.in.read() != -1) {
            // the soak closes stdin to stop us
        }
    }
}
