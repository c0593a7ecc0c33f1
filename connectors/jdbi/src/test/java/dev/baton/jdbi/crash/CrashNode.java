package dev.baton.jdbi.crash;

import dev.baton.dsl.Retry;
import dev.baton.dsl.Saga;
import dev.baton.dsl.SagaDefinition;
import dev.baton.engine.SagaEngine;
import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.SagaView;
import dev.baton.engine.spi.InboundReply;
import dev.baton.engine.spi.SagaListener;
import java.util.concurrent.atomic.AtomicInteger;
import dev.baton.engine.spi.OutboxRecord;
import dev.baton.jackson.JacksonCodec;
import dev.baton.jdbi.JdbiSagaStore;
import dev.baton.testkit.InMemoryTransport;
import dev.baton.testkit.example.OrderSaga;
import dev.baton.testkit.example.OrderSaga.OrderData;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * An engine process for the crash tests: an engine over an H2 file, the durable participants in the same JVM,
 * {@code count} order sagas started idempotently (business key {@code order-<i>}). Prints
 * {@code ENDED <n>} each time a saga of this run ends, {@code PROGRESS terminal=<n>} every 100 ms, and {@code DONE completed=<c> compensated=<k>} when all have, then
 * exits. Killed with SIGKILL by the test at any point; started again on the same directory, it finishes the job.
 */
public final class CrashNode {
    /** The order saga with short timeouts and retries everywhere, so a lost message costs a second, not a saga. */
    public static final SagaDefinition<OrderData> DEFINITION = Saga.define("crash-order", OrderData.class)
            .defaultTimeout(Duration.ofMillis(800))
            .step("create-order")
                .invoke(OrderSaga.ORDERS, d -> new OrderSaga.CreateOrder(d.orderId(), d.customerId()))
                .compensate(OrderSaga.ORDERS, d -> new OrderSaga.CancelOrder(d.orderId()))
                .retry(Retry.fixed(100, Duration.ofMillis(100)))
            .step("reserve-inventory")
                .invoke(OrderSaga.INVENTORY, d -> new OrderSaga.ReserveItems(d.orderId()))
                .onReply(OrderSaga.ItemsReserved.class, (d, r) -> d.withReservation(r.reservationId()))
                .compensate(OrderSaga.INVENTORY, d -> new OrderSaga.ReleaseItems(d.orderId(), d.reservationId()))
                .retry(Retry.fixed(100, Duration.ofMillis(100)))
            .step("authorize-payment")
                .invoke(OrderSaga.PAYMENT, d -> new OrderSaga.AuthorizePayment(d.orderId(), d.amountCents()))
                .onReply(OrderSaga.PaymentAuthorized.class, (d, r) -> d.withPayment(r.paymentId()))
                .retry(Retry.fixed(100, Duration.ofMillis(100)))
                .pivot()
            .step("schedule-shipment")
                .invoke(OrderSaga.LOGISTICS, d -> new OrderSaga.ScheduleShipment(d.orderId(), d.paymentId()))
                .retry(Retry.forever(Duration.ofMillis(100), Duration.ofSeconds(1)))
            .build();


    private CrashNode() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int count = Integer.parseInt(args[1]);
        InMemoryTransport transport = new InMemoryTransport();
        DurableParticipants participants = new DurableParticipants(dir);
        SagaEngine engine = SagaEngine.builder()
                .store(JdbiSagaStore.h2File(dir.resolve("engine")))
                .transport(transport)
                .codec(new JacksonCodec())
                .register(DEFINITION)
                .timerPollInterval(Duration.ofMillis(20))
                .outboxSweep(Duration.ofMillis(500), Duration.ofSeconds(1))
                .listener(new SagaListener() {
                    private final AtomicInteger ended = new AtomicInteger();

                    @Override
                    public void onEnded(SagaId id, String sagaType, SagaStatus outcome, Duration took) {
                        System.out.println("ENDED " + ended.incrementAndGet()); // committed before this runs
                    }
                })
                .build();
        engine.open();
        Thread worker = Thread.ofPlatform().daemon().name("participants").start(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    List<OutboxRecord> commands = transport.poll(Duration.ofMillis(50));
                    List<InboundReply> replies = new ArrayList<>();
                    for (OutboxRecord c : commands) {
                        replies.add(participants.handle(c));
                    }
                    if (!replies.isEmpty()) {
                        transport.reply(replies);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        List<SagaId> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ids.add(engine.start(DEFINITION, OrderData.of("o-" + i, i), "order-" + i).id());
        }
        System.out.println("STARTED " + ids.size());
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < deadline) {
            int completed = 0;
            int compensated = 0;
            for (SagaId id : ids) {
                SagaStatus s = engine.find(id).map(SagaView::status).orElseThrow();
                if (s == SagaStatus.COMPLETED) {
                    completed++;
                } else if (s == SagaStatus.COMPENSATED) {
                    compensated++;
                }
            }
            System.out.println("PROGRESS terminal=" + (completed + compensated));
            if (completed + compensated == count) {
                System.out.println("DONE completed=" + completed + " compensated=" + compensated);
                worker.interrupt();
                engine.close();
                participants.close();
                System.exit(0);
            }
            Thread.sleep(100);
        }
        System.out.println("TIMEOUT");
        System.exit(2);
    }
}
