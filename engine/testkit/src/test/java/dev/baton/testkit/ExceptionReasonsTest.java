package dev.baton.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.dsl.Participant;
import dev.baton.dsl.Saga;
import dev.baton.dsl.SagaDefinition;
import dev.baton.engine.SagaEngine;
import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.SagaView;
import dev.baton.engine.spi.EngineControls;
import dev.baton.engine.spi.HistoryRecord;
import dev.baton.engine.spi.InboundReply;
import dev.baton.engine.spi.OutboxRecord;
import dev.baton.engine.spi.ReplyOutcome;
import dev.baton.jackson.JacksonCodec;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Through the engine: a handler's exception message stays out of reasons and history unless the engine opts in. */
class ExceptionReasonsTest {
    record Data(String customer) {}

    record Charge(String customer) {}

    record Charged(String receipt) {}

    static final String PERSONAL = "jane.doe@example.com has no credit";

    static final SagaDefinition<Data> SAGA = Saga.define("charge", Data.class)
            .step("charge")
                .invoke(Participant.named("billing", Object.class), d -> new Charge(d.customer()))
                .onReply(Charged.class, (d, r) -> {
                    throw new IllegalStateException(PERSONAL);
                })
                .pivot()
            .build();

    private static SagaView failOnce(boolean messages) {
        InMemoryTransport transport = new InMemoryTransport();
        try (SagaEngine engine = SagaEngine.builder().store(new InMemorySagaStore()).transport(transport)
                .codec(new JacksonCodec()).clock(ManualClock.atEpochOfTests()).register(SAGA)
                .exceptionMessagesInReasons(messages).build()) {
            SagaId id = engine.start(SAGA, new Data("jane")).id();
            OutboxRecord charge = transport.take().get(0);
            EngineControls.of(engine).replies().accept(List.of(new InboundReply("r-1", charge.messageId(), id,
                    ReplyOutcome.SUCCESS, "Charged", "{\"receipt\":\"x\"}", null)));
            SagaView v = engine.find(id).orElseThrow();
            assertThat(v.status()).isEqualTo(SagaStatus.FAILED);
            List<String> details = engine.history(id).stream().map(HistoryRecord::detail).filter(d -> d != null).toList();
            if (messages) {
                assertThat(details).anySatisfy(d -> assertThat(d).contains(PERSONAL));
            } else {
                assertThat(details).allSatisfy(d -> assertThat(d).doesNotContain(PERSONAL));
            }
            return v;
        }
    }

    @Test
    @DisplayName("by default the reason names the class and an error id, never the message; history neither")
    void noMessageByDefault() {
        assertThat(failOnce(false).reason()).matches("onReply of step 'charge' threw IllegalStateException \\(error id [0-9a-f]{8}\\)");
    }

    @Test
    @DisplayName("opted in, the message follows the error id in the reason and the history")
    void messageOnRequest() {
        assertThat(failOnce(true).reason()).matches("onReply of step 'charge' threw IllegalStateException \\(error id [0-9a-f]{8}\\): "
                + PERSONAL);
    }
}
