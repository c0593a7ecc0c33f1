package dev.baton.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.engine.OperatorAction;
import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.internal.OrderSaga.ItemsReserved;
import dev.baton.engine.internal.OrderSaga.OrderData;
import dev.baton.protocol.ErrorReports;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

@DisplayName("A user exception is a reason with its class and an error id, and a log entry with the full exception")
class UserErrorLogTest {

    @Test
    @DisplayName("the reason has the class and an id, no message; the id is the same on a replay of the same event and differs on the operator's retry")
    void reasonHasIdNotMessage() {
        Driver<OrderData> saga = Driver.start(OrderSaga.definition(), OrderSaga.order());
        saga.succeed();
        Decision d = saga.succeed(new ItemsReserved(OrderSaga.UNREADABLE));
        assertThat(saga.status()).isEqualTo(SagaStatus.FAILED);
        Decision.UserError e = d.errors().get(0);
        assertThat(e.id()).matches("[0-9a-f]{8}");
        assertThat(e.place()).isEqualTo("onReply of step '" + OrderSaga.RESERVE + "'");
        assertThat(saga.state.reason()).isEqualTo("onReply of step '" + OrderSaga.RESERVE + "' threw IllegalStateException"
                + " (error id " + e.id() + ")");
        assertThat(saga.state.reason()).doesNotContain(OrderSaga.UNREADABLE);

        Driver.Applied last = saga.log.get(saga.log.size() - 1);
        Decision replay = StateMachine.decide(last.before(), last.event(), saga.def, last.at());
        assertThat(replay.errors().get(0).id()).as("pure: the same inputs, the same id").isEqualTo(e.id());

        saga.operator(OperatorAction.RETRY);
        Decision again = saga.succeed(new ItemsReserved(OrderSaga.UNREADABLE));
        assertThat(again.errors().get(0).id()).as("another attempt, another id").isNotEqualTo(e.id());
    }

    @Test
    @DisplayName("100 like errors within the interval: one ERROR with the stack trace and id, the rest one DEBUG line each; the next full report counts them")
    void throttled() {
        AtomicLong nanos = new AtomicLong();
        RecordingLogger logger = new RecordingLogger();
        UserErrorLog log = new UserErrorLog(new ErrorReports(Duration.ofSeconds(10), nanos::get), logger);
        RuntimeException boom = new IllegalStateException("jane.doe@example.com has no credit");
        for (int i = 0; i < 100; i++) {
            log.log(SagaId.of("saga-" + i), "order-flow", new Decision.UserError("id" + i, "onReply of step 'x'", boom));
        }
        assertThat(logger.at(Level.ERROR)).singleElement().satisfies(ev -> {
            assertThat(ev.error()).isSameAs(boom);
            assertThat(ev.message()).contains("saga-0", "onReply of step 'x'", "IllegalStateException", "error id id0");
        });
        assertThat(logger.at(Level.DEBUG)).hasSize(99).allSatisfy(ev -> assertThat(ev.error()).isNull());
        assertThat(logger.at(Level.DEBUG).get(0).message()).contains("error id id1", "jane.doe@example.com");

        log.log(SagaId.of("saga-x"), "order-flow", new Decision.UserError("idx", "building the command of step 'y'", boom));
        assertThat(logger.at(Level.ERROR)).as("another place: reported in full").hasSize(2);

        nanos.addAndGet(Duration.ofSeconds(10).toNanos());
        log.log(SagaId.of("saga-100"), "order-flow", new Decision.UserError("id100", "onReply of step 'x'", boom));
        assertThat(logger.at(Level.ERROR)).hasSize(3);
        assertThat(logger.at(Level.ERROR).get(2).message()).contains("error id id100", "99 more like it");
    }
}
