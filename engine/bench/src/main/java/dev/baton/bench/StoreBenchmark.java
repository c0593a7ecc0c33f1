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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One store transaction of the kind the engine commits for each step: versioned update of the saga, two history
 * entries, one outbox row, a timer replaced. On the embedded default (H2 file, every commit written to the file
 * before it returns), single-threaded.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 6, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(1)
public class StoreBenchmark {
    private Path dir;
    private JdbiSagaStore store;
    private SagaRecord saga;
    private long n;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("baton-bench");
        store = JdbiSagaStore.h2File(dir);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        saga = new SagaRecord(SagaId.of(UUID.randomUUID().toString()), "order-flow", 1, SagaStatus.RUNNING, null,
                "reserve-inventory", null, "order-flow.data",
                "{\"orderId\":\"o-1\",\"customerId\":\"c-1\",\"amountCents\":2500,\"reservationId\":null}",
                "{\"completed\":[\"create-order\"],\"compensated\":[],\"cursor\":{\"step\":\"reserve-inventory\"}}",
                null, 1, now, now);
        store.inTransaction(tx -> {
            tx.insert(saga);
            return null;
        });
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        store.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Benchmark
    public SagaRecord stepTransaction() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        long i = ++n;
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
        saga = next;
        return next;
    }
}
