package dev.baton.bench;

import dev.baton.dsl.Park;
import dev.baton.dsl.Participant;
import dev.baton.dsl.Retry;
import dev.baton.dsl.Saga;
import dev.baton.dsl.SagaDefinition;
import dev.baton.engine.SagaId;
import dev.baton.engine.internal.Decision;
import dev.baton.engine.internal.SagaEvent;
import dev.baton.engine.internal.SagaState;
import dev.baton.engine.internal.StateMachine;
import dev.baton.engine.spi.ReplyOutcome;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of the pure state machine: starting the four-step order saga, and applying one SUCCESS reply
 * (which folds the reply into the data and issues the next step's command and timers).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DecideBenchmark {
    public record Data(String orderId, long amountCents, String reservationId) {}
    public record Create(String orderId) {}
    public record Cancel(String orderId) {}
    public record Reserve(String orderId) {}
    public record Release(String reservationId) {}
    public record Reserved(String reservationId) {}
    public record Authorize(String orderId, long amountCents) {}
    public record Ship(String orderId) {}

    static final SagaDefinition<Data> ORDER = Saga.define("order-flow", Data.class)
            .step("create-order")
                .invoke(Participant.named("order", Object.class), d -> new Create(d.orderId()))
                .compensate(Participant.named("order", Object.class), d -> new Cancel(d.orderId()))
            .step("reserve-inventory")
                .invoke(Participant.named("inventory", Object.class), d -> new Reserve(d.orderId()))
                .onReply(Reserved.class, (d, r) -> new Data(d.orderId(), d.amountCents(), r.reservationId()))
                .compensate(Participant.named("inventory", Object.class), d -> new Release(d.reservationId()))
            .step("authorize-payment")
                .invoke(Participant.named("payment", Object.class), d -> new Authorize(d.orderId(), d.amountCents()))
                .whenBusy(Park.as("PENDING_PAYMENT"))
                .pivot()
            .step("schedule-shipment")
                .invoke(Participant.named("logistics", Object.class), d -> new Ship(d.orderId()))
                .retry(Retry.forever(Duration.ofSeconds(1), Duration.ofMinutes(1)))
            .build();

    private final SagaId id = SagaId.of("0193a1b2-0000-7000-8000-000000000001");
    private final Instant now = Instant.parse("2026-11-27T12:00:00Z");
    private final Data data = new Data("o-1", 2500, null);
    private SagaState afterCreate;
    private SagaEvent.Replied reserveReply;

    @Setup
    public void setUp() {
        SagaState started = StateMachine.start(id, ORDER, data, null, now).state();
        Decision d = StateMachine.decide(started, new SagaEvent.Replied(started.exec() == null ? null
                : StateMachine.messageId(id, started.exec().cursor()), ReplyOutcome.SUCCESS, null, null), ORDER, now);
        afterCreate = d.state();
        reserveReply = new SagaEvent.Replied(StateMachine.messageId(id, afterCreate.exec().cursor()), ReplyOutcome.SUCCESS,
                new Reserved("r-1"), null);
    }

    @Benchmark
    public Decision start() {
        return StateMachine.start(id, ORDER, data, null, now);
    }

    @Benchmark
    public Decision replySuccess() {
        return StateMachine.decide(afterCreate, reserveReply, ORDER, now);
    }
}
