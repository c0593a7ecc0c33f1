package dev.baton.participant.kafka;

import dev.baton.engine.SagaEngine;
import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.SagaView;
import dev.baton.engine.spi.OutboxRecord;
import dev.baton.engine.spi.Transport;
import dev.baton.jackson.JacksonCodec;
import dev.baton.jdbi.JdbiSagaStore;
import dev.baton.kafka.KafkaTransport;
import dev.baton.testkit.example.OrderSaga.OrderData;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * An engine process for {@link DeadLetterCrashTest}, on an H2 file with the Kafka transport.
 *
 * <p>Arguments: bootstrap servers, directory, saga count, topic prefix, mode. In mode {@code hold} the transport sends
 * commands but holds every dead letter it is handed (it never sends one) and prints {@code HELD <reply id>} for each: the
 * dead letter's transaction has committed and its send has not happened, which is where the test kills the process.
 * In mode {@code finish} the transport is the plain one. Either way it starts {@code count} {@link CrashSaga} sagas
 * idempotently and prints {@code SAGAS-DONE} once all ended; in mode {@code finish} it then prints
 * {@code OUTBOX-EMPTY} once no outbox row is left. End of stdin closes it cleanly.
 */
public final class DeadLetterCrashNode {
    private DeadLetterCrashNode() {}

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        Path dir = Path.of(args[1]);
        int count = Integer.parseInt(args[2]);
        String prefix = args[3];
        boolean hold = "hold".equals(args[4]);

        JdbiSagaStore store = JdbiSagaStore.h2File(dir.resolve("engine"));
        KafkaTransport kafka = KafkaTransport.create(CrashSaga.options(bootstrap, prefix), null);
        Transport transport = hold ? new Holding(kafka) : kafka;
        SagaEngine engine = SagaEngine.builder()
                .store(store)
                .transport(transport)
                .codec(new JacksonCodec())
                .register(CrashSaga.DEFINITION)
                .timerPollInterval(Duration.ofMillis(50))
                .outboxSweep(Duration.ofMillis(500), Duration.ofSeconds(2))
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
        System.out.println("OPEN " + System.currentTimeMillis());

        List<SagaId> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ids.add(engine.start(CrashSaga.DEFINITION, OrderData.of("o-" + i, CrashSaga.amount(i)), CrashSaga.businessKey(i)).id());
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!ids.stream().allMatch(id -> engine.find(id).map(SagaView::status).map(SagaStatus::isTerminal).orElse(false))) {
            if (System.nanoTime() > deadline) {
                System.out.println("TIMEOUT sagas");
                System.exit(2);
            }
            Thread.sleep(50);
        }
        System.out.println("SAGAS-DONE " + System.currentTimeMillis());
        if (!hold) {
            while (!store.outbox(Instant.parse("9000-01-01T00:00:00Z"), 1).isEmpty()) {
                if (System.nanoTime() > deadline) {
                    System.out.println("TIMEOUT outbox");
                    System.exit(2);
                }
                Thread.sleep(50);
            }
            System.out.println("OUTBOX-EMPTY " + System.currentTimeMillis());
        }
        Thread.sleep(Long.MAX_VALUE); // until the test stops or kills us
    }

    /** Sends commands; holds dead letters: their transaction committed, their send never happens. */
    private record Holding(Transport delegate) implements Transport {
        @Override
        public CompletableFuture<Void> send(List<OutboxRecord> messages) {
            List<OutboxRecord> commands = new ArrayList<>();
            for (OutboxRecord m : messages) {
                if (m.deadLetter()) {
                    System.out.println("HELD " + m.messageId());
                } else {
                    commands.add(m);
                }
            }
            CompletableFuture<Void> sent = commands.isEmpty() ? CompletableFuture.completedFuture(null) : delegate.send(commands);
            return commands.size() == messages.size() ? sent : new CompletableFuture<>(); // never acknowledged
        }

        @Override
        public void prepare(Set<String> destinations) {
            delegate.prepare(destinations);
        }

        @Override
        public void start(ReplySink sink) {
            delegate.start(sink);
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}
