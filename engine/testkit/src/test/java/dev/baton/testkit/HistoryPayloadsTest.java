package dev.baton.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.baton.dsl.Participant;
import dev.baton.dsl.Saga;
import dev.baton.dsl.SagaDefinition;
import dev.baton.engine.HistoryKind;
import dev.baton.engine.SagaEngine;
import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.spi.EngineControls;
import dev.baton.engine.spi.HistoryRecord;
import dev.baton.engine.spi.InboundReply;
import dev.baton.engine.spi.OutboxRecord;
import dev.baton.engine.spi.ReplyOutcome;
import dev.baton.jackson.JacksonCodec;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Through the engine: the history entries of a command sent, a compensation sent and a reply received keep the message
 * they are about, exactly as it went over the transport; other entries and an engine that keeps no payloads have none.
 */
class HistoryPayloadsTest {
    record Data(String order, String reservation) {}

    record Reserve(String order) {}

    record Reserved(String reservation) {}

    record Release(String reservation) {}

    record Charge(String order) {}

    static final Participant<Object> STOCK = Participant.named("stock", Object.class);
    static final Participant<Object> PAYMENT = Participant.named("payment", Object.class);

    static final SagaDefinition<Data> SAGA = Saga.define("reserve-and-charge", Data.class)
            .step("reserve")
                .invoke(STOCK, d -> new Reserve(d.order()))
                .onReply(Reserved.class, (d, r) -> new Data(d.order(), r.reservation()))
                .compensate(STOCK, d -> new Release(d.reservation()))
            .step("charge")
                .invoke(PAYMENT, d -> new Charge(d.order()))
                .pivot()
            .build();

    /** Runs one saga to COMPENSATED: stock reserves, payment refuses, stock releases. */
    private static List<HistoryRecord> run(boolean payloads, List<OutboxRecord> sent) {
        InMemoryTransport transport = new InMemoryTransport();
        try (SagaEngine engine = SagaEngine.builder().store(new InMemorySagaStore()).transport(transport)
                .codec(new JacksonCodec()).clock(ManualClock.atEpochOfTests()).register(SAGA)
                .historyPayloads(payloads).build()) {
            SagaId id = engine.start(SAGA, new Data("o-1", null)).id();
            OutboxRecord reserve = transport.take().get(0);
            EngineControls.of(engine).replies().accept(List.of(new InboundReply("r-1", reserve.messageId(), id,
                    ReplyOutcome.SUCCESS, "Reserved", "{\"reservation\":\"res-7\"}", null)));
            OutboxRecord charge = transport.take().get(0);
            EngineControls.of(engine).replies().accept(List.of(new InboundReply("r-2", charge.messageId(), id,
                    ReplyOutcome.FAILURE, null, null, "card declined")));
            OutboxRecord release = transport.take().get(0);
            EngineControls.of(engine).replies().accept(List.of(new InboundReply("r-3", release.messageId(), id,
                    ReplyOutcome.SUCCESS, null, null, null)));
            assertThat(engine.find(id).orElseThrow().status()).isEqualTo(SagaStatus.COMPENSATED);
            sent.addAll(List.of(reserve, charge, release));
            return engine.history(id);
        }
    }

    @Test
    @DisplayName("sent commands, compensations and replies are in the history as they went over the wire")
    void payloadsKept() {
        List<OutboxRecord> sent = new java.util.ArrayList<>();
        List<HistoryRecord> history = run(true, sent);

        assertThat(history).filteredOn(h -> h.payload() != null)
                .extracting(HistoryRecord::kind, HistoryRecord::step, HistoryRecord::payload)
                .containsExactly(
                        tuple(HistoryKind.COMMAND_SENT, "reserve", sent.get(0).payload()),
                        tuple(HistoryKind.REPLY_RECEIVED, "reserve", "{\"reservation\":\"res-7\"}"),
                        tuple(HistoryKind.COMMAND_SENT, "charge", sent.get(1).payload()),
                        tuple(HistoryKind.COMPENSATION_SENT, "reserve", sent.get(2).payload()));
        assertThat(sent.get(2).payload()).as("the compensation was built from the reply's data").contains("res-7");
        assertThat(history).filteredOn(h -> h.kind() == HistoryKind.REPLY_RECEIVED).hasSize(3)
                .extracting(HistoryRecord::payload).containsExactly("{\"reservation\":\"res-7\"}", null, null);
    }

    @Test
    @DisplayName("an engine built with historyPayloads(false) keeps none")
    void payloadsOff() {
        List<HistoryRecord> history = run(false, new java.util.ArrayList<>());
        assertThat(history).extracting(HistoryRecord::kind).contains(HistoryKind.COMMAND_SENT,
                HistoryKind.COMPENSATION_SENT, HistoryKind.REPLY_RECEIVED);
        assertThat(history).extracting(HistoryRecord::payload).containsOnlyNulls();
    }
}
