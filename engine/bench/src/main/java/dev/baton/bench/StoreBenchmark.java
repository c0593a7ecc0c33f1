package dev.baton.bench;

import dev.baton.engine.HistoryKind;
import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.spi.HistoryRecord;
import dev.baton.engine.spi.OutboxRecord;
import dev.baton.engine.spi.SagaRecord;
import dev.baton.engine.spi.TimerKind;
import dev.baton.engine.spi.TimerRecord;
import dev.baton.jdbi.JdbiSagaStore;
import dev.baton.jdbi.JdbiStoreOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One store transaction of the kind the engine commits for each step: versioned update of the saga, two history
 * entries, one outbox row, a timer replaced. On the embedded default (an H2 file), for each way H2 may write commits:
 * {@code writeDelay=0}, the default (every commit writes the file itself), and {@code writeDelay=500} (commits stay
 * in memory and the store's group commit writes those of every waiting transaction at once before
 * {@code inTransaction} returns). Run with {@code -t 1} for one caller and {@code -t 4} for several (each thread updates a saga of its
 * own, as the engine's reply, start, timer and outbox threads do).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 6, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(1)
public class StoreBenchmark {
    @Param({"500", "0"})
    public int writeDelay;

    private Path dir;
    JdbiSagaStore store;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("baton-bench");
        String url = "jdbc:h2:file:" + dir.resolve("baton").toAbsolutePath() + ";WRITE_DELAY=" + writeDelay
                + ";DB_CLOSE_ON_EXIT=FALSE";
        store = JdbiSagaStore.create(JdbiStoreOptions.of(url, "sa", ""));
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        store.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** A saga of the benchmark thread's own. */
    @State(Scope.Thread)
    public static class ThreadSaga {
        SagaRecord saga;
        long n;

        @Setup(Level.Trial)
        public void setUp(StoreBenchmark bench) {
            Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
            saga = new SagaRecord(SagaId.of(UUID.randomUUID().toString()), "order-flow", 1, SagaStatus.RUNNING, null,
                    "reserve-inventory", null, "order-flow.data",
                    "{\"orderId\":\"o-1\",\"customerId\":\"c-1\",\"amountCents\":2500,\"reservationId\":null}",
                    "{\"completed\":[\"create-order\"],\"compensated\":[],\"cursor\":{\"step\":\"reserve-inventory\"}}",
                    null, 1, now, now);
            SagaRecord first = saga;
            bench.store.inTransaction(tx -> {
                tx.insert(first);
                return null;
            });
        }
    }

    @Benchmark
    public SagaRecord stepTransaction(ThreadSaga t) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        long i = ++t.n;
        SagaRecord saga = t.saga;
        SagaRecord next = new SagaRecord(saga.id(), saga.type(), 1, SagaStatus.RUNNING, null, "step-" + (i % 4), null,
                saga.dataType(), saga.data(), saga.execution(), null, saga.version() + 1, saga.createdAt(), now);
        store.inTransaction(tx -> {
            tx.update(next);
            tx.appendHistory(List.of(new HistoryRecord(0, saga.id(), now, HistoryKind.REPLY_RECEIVED, "step", "SUCCESS"),
                    new HistoryRecord(0, saga.id(), now, HistoryKind.COMMAND_SENT, "step", "attempt 1 to payment")));
            tx.addOutbox(List.of(new OutboxRecord(UUID.randomUUID().toString(), saga.id(), "payment", saga.id() + "/step/do/" + i,
                    "AuthorizePayment", Map.of("baton-step", "authorize-payment"), "{\"orderId\":\"o-1\",\"amountCents\":2500}", now)));
            tx.cancelTimers(saga.id(), Set.of(TimerKind.RETRY));
            tx.setTimer(new TimerRecord(saga.id(), TimerKind.TIMEOUT, "step", "t" + i, now.plusSeconds(30)));
            return null;
        });
        t.saga = next;
        return next;
    }
}
