package dev.baton.bench;

import dev.baton.dsl.MessageType;
import dev.baton.engine.SagaEngine;
import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.spi.EngineControls;
import dev.baton.engine.spi.InboundReply;
import dev.baton.engine.spi.OutboxRecord;
import dev.baton.engine.spi.ReplyOutcome;
import dev.baton.jackson.JacksonCodec;
import dev.baton.jdbi.JdbiSagaStore;
import dev.baton.testkit.InMemoryTransport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
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
 * A whole four-step order saga through the real runtime on the embedded default store (H2 file, each commit
 * written to the file), with an in-memory transport and replies applied one at a time: five transactions per
 * saga (start + four replies), each with decide, JSON encoding, history, outbox and timers. No Kafka: this is
 * the engine's own cost per saga, single-threaded.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 6, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(1)
public class EngineSagaBenchmark {
    private Path dir;
    private SagaEngine engine;
    private InMemoryTransport transport;
    private long n;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("baton-bench");
        transport = new InMemoryTransport();
        engine = SagaEngine.builder().store(JdbiSagaStore.h2File(dir)).transport(transport)
                .codec(new JacksonCodec()).register(DecideBenchmark.ORDER).build();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        engine.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Benchmark
    public SagaStatus saga() {
        long i = ++n;
        SagaId id = engine.start(DecideBenchmark.ORDER, new DecideBenchmark.Data("o-" + i, 2500, null)).id();
        for (int step = 0; step < 4; step++) {
            List<OutboxRecord> sent = transport.take();
            OutboxRecord cmd = sent.get(sent.size() - 1);
            boolean reserve = step == 1;
            EngineControls.of(engine).replies().accept(List.of(new InboundReply(cmd.messageId() + "/r", cmd.messageId(), id, ReplyOutcome.SUCCESS,
                    reserve ? MessageType.Names.of(DecideBenchmark.Reserved.class) : null,
                    reserve ? "{\"reservationId\":\"r-" + i + "\"}" : null, null)));
        }
        return engine.find(id).orElseThrow().status();
    }
}
