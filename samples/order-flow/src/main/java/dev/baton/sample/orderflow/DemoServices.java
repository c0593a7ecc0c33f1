package dev.baton.sample.orderflow;

import dev.baton.kafka.common.KafkaOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/** The four services, in this JVM, on H2 files or in PostgreSQL. */
final class DemoServices implements AutoCloseable {
    final OrdersService orders;
    final InventoryService inventory;
    final LogisticsService logistics;
    final Path data;
    final KafkaOptions options;
    final PaymentService.Settings paymentSettings;
    volatile PaymentService payment;

    /** Where the services keep their data: null for H2 files in {@code data}, else schemas in PostgreSQL. */
    final ServiceDatabase database;

    DemoServices(Path data, KafkaOptions options, OrderFlowDemo.Settings s, ServiceDatabase database) {
        this.data = data;
        this.options = options;
        this.database = database;
        this.paymentSettings = s.payment();
        this.orders = new OrdersService(data, options);
        this.inventory = new InventoryService(data, options, Catalog.stock(s.orders()));
        this.logistics = new LogisticsService(data, options, s.logisticsFailureRate());
        this.payment = new PaymentService(data, options, s.payment());
        orders.on(database);
        inventory.on(database);
        logistics.on(database);
        payment.on(database);
        orders.start();
        inventory.start();
        payment.start();
        logistics.start();
    }

    /**
     * Kills the payment service, and after {@code downtime} starts a new one on the same database, in the
     * background: orders keep coming meanwhile, their payment commands wait in Kafka.
     */
    Thread restartPayment(Duration downtime) {
        Thread t = new Thread(() -> {
            payment.kill();
            LockSupport.parkNanos(downtime.toNanos());
            for (int attempt = 1; ; attempt++) {
                PaymentService fresh = new PaymentService(data, options, paymentSettings);
                fresh.on(database);
                try {
                    fresh.start();
                    payment = fresh;
                    return;
                } catch (RuntimeException e) {
                    if (attempt == 60) {
                        throw e; // the run ends with sagas pending: reported, exit code 1
                    }
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500)); // the killed pool may still hold the file
                }
            }
        }, "order-flow-chaos");
        t.start();
        return t;
    }

    @Override
    public void close() {
        logistics.close();
        payment.close();
        inventory.close();
        orders.close();
    }
}
