package dev.baton.participant.kafka;

import dev.baton.engine.SagaEngine;
import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.SagaView;
import dev.baton.engine.spi.SagaListener;
import dev.baton.engine.spi.SagaRecord;
import dev.baton.jackson.JacksonCodec;
import dev.baton.jdbi.JdbiSagaStore;
import dev.baton.kafka.KafkaTransport;
import dev.baton.testkit.example.OrderSaga.OrderData;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An engine process for {@link KafkaEngineCrashTest}: the engine on an H2 file with the Kafka transport; the
 * participants run elsewhere. Starts {@code count} {@link CrashSaga} sagas idempotently (business key
 * {@code order-<i>}), so a second process on the same directory starts nothing new and finishes the job.
 *
 * <p>Arguments: bootstrap servers, directory, count, topic prefix. Prints, with epoch milliseconds:
 * {@code FOUND terminal=<k> <ms>} (sagas already terminal in the store when it came up), {@code OPEN <ms> jvm=<ms>},
 * {@code STARTED <n> <ms>}, {@code STEP <ms>} at the first step this process completes, {@code ENDED <n> <ms>} each
 * time a saga ends here (after its commit), and {@code DONE completed=<c> compensated=<k> <ms>} when all have, then
 * exits 0. End of stdin closes it cleanly (exit 3). Killed with SIGKILL by the test at any point.
 */
public final class CrashEngineNode {
    private CrashEngineNode() {}

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        Path dir = Path.of(args[1]);
        int count = Integer.parseInt(args[2]);
        String prefix = args[3];

        JdbiSagaStore store = JdbiSagaStore.h2File(dir.resolve("engine"));
        int found = 0;
        for (int i = 0; i < count; i++) {
            String key = CrashSaga.businessKey(i);
            Optional<SagaRecord> r = store.inTransaction(tx -> tx.loadByBusinessKey(CrashSaga.DEFINITION.type(), key));
            if (r.isPresent() && r.get().status().isTerminal()) {
                found++;
            }
        }
        System.out.println("FOUND terminal=" + found + " " + System.currentTimeMillis());

        Semaphore ended = new Semaphore(0);
        AtomicInteger endedHere = new AtomicInteger();
        AtomicBoolean firstStep = new AtomicBoolean();
        SagaListener listener = new SagaListener() {
            @Override
            public void onStepCompleted(SagaId id, String sagaType, String step, Duration took) {
                if (firstStep.compareAndSet(false, true)) {
                    System.out.println("STEP " + System.currentTimeMillis());
                }
            }

            @Override
            public void onEnded(SagaId id, String sagaType, SagaStatus outcome, Duration took) {
                System.out.println("ENDED " + endedHere.incrementAndGet() + " " + System.currentTimeMillis());
                ended.release();
            }
        };
        SagaEngine engine = SagaEngine.builder()
                .store(store)
                .transport(KafkaTransport.create(CrashSaga.options(bootstrap, prefix), listener))
                .codec(new JacksonCodec())
                .register(CrashSaga.DEFINITION)
                .timerPollInterval(Duration.ofMillis(50))
                .outboxSweep(Duration.ofMillis(500), Duration.ofSeconds(2))
                .listener(listener)
                .build();
        Thread.ofPlatform().daemon().name("stdin-watch").start(() -> {
            try {
                while (System.in.read() != -1) {
                    // the test closes stdin to stop us
                }
            } catch (java.io.IOException e) {
                // the test JVM is gone
            }
            engine.close();
            System.exit(3);
        });
        engine.open();
        System.out.println("OPEN " + System.currentTimeMillis() + " jvm=" + ManagementFactory.getRuntimeMXBean().getStartTime());

        List<SagaId> remaining = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            remaining.add(engine.start(CrashSaga.DEFINITION, OrderData.of("o-" + i, CrashSaga.amount(i)), CrashSaga.businessKey(i)).id());
        }
        System.out.println("STARTED " + remaining.size() + " " + System.currentTimeMillis());

        int completed = 0;
        int compensated = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(75);
        while (!remaining.isEmpty() && System.nanoTime() < deadline) {
            ended.tryAcquire(200, TimeUnit.MILLISECONDS);
            for (var it = remaining.iterator(); it.hasNext(); ) {
                SagaStatus s = engine.find(it.next()).map(SagaView::status).orElseThrow();
                if (s == SagaStatus.COMPLETED) {
                    completed++;
                    it.remove();
                } else if (s == SagaStatus.COMPENSATED) {
                    compensated++;
                    it.remove();
                }
            }
        }
        if (!remaining.isEmpty()) {
            System.out.println("TIMEOUT remaining=" + remaining.size());
            remaining.stream().limit(10).forEach(id -> engine.find(id).ifPresent(v ->
                    System.out.println("STUCK " + id + " " + v.status() + " step=" + v.currentStep() + " reason=" + v.reason())));
            System.exit(2);
        }
        System.out.println("DONE completed=" + completed + " compensated=" + compensated + " " + System.currentTimeMillis());
        engine.close();
        System.exit(0);
    }
}
