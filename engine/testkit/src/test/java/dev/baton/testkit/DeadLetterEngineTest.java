package dev.baton.testkit;

import static dev.baton.testkit.example.OrderSaga.DEFINITION;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.engine.FlowSettings;
import dev.baton.engine.FlowView;
import dev.baton.engine.HistoryKind;
import dev.baton.engine.OperatorAction;
import dev.baton.engine.SagaEngine;
import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.spi.EngineControls;
import dev.baton.engine.spi.InboundReply;
import dev.baton.engine.spi.OutboxRecord;
import dev.baton.engine.spi.ReplyOutcome;
import dev.baton.engine.spi.Transport;
import dev.baton.jackson.JacksonCodec;
import dev.baton.protocol.Headers;
import dev.baton.testkit.example.OrderSaga.OrderData;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Through the engine's real reply path (in-memory store and transport, the Jackson codec): an unreadable reply to the
 * outstanding command fails its saga at once and is dead-lettered; every dead letter is an outbox row of the reply's
 * transaction, so a failed send leaves it for the sweeper instead of losing it; flow control never sees one.
 */
class DeadLetterEngineTest {
    private final InMemoryTransport transport = new InMemoryTransport();
    private final InMemorySagaStore store = new InMemorySagaStore();
    private final ManualClock clock = ManualClock.atEpochOfTests();

    private SagaEngine engine() {
        return SagaEngine.builder().store(store).transport(transport).codec(new JacksonCodec()).clock(clock)
                .flow(FlowSettings.DEFAULTS).register(DEFINITION).build();
    }

    /** Starts a saga and answers create-order; the reserve-inventory command is out. */
    private OutboxRecord atReserve(SagaEngine engine, SagaId[] id) {
        id[0] = engine.start(DEFINITION, OrderData.of("o-1", 100)).id();
        OutboxRecord create = transport.take().get(0);
        reply(engine, new InboundReply("r-create", create.messageId(), id[0], ReplyOutcome.SUCCESS, null, null, null));
        OutboxRecord reserve = transport.take().get(0);
        assertThat(reserve.headers().get(Headers.STEP)).isEqualTo("reserve-inventory");
        return reserve;
    }

    private static List<Transport.RejectedReply> reply(SagaEngine engine, InboundReply... replies) {
        return EngineControls.of(engine).replies().accept(List.of(replies));
    }

    @Test
    @DisplayName("a SUCCESS whose field does not map fails the saga at once and is dead-lettered with the reason, no value echoed")
    void fieldDoesNotMap() {
        try (SagaEngine engine = engine()) {
            SagaId[] id = new SagaId[1];
            OutboxRecord reserve = atReserve(engine, id);
            List<Transport.RejectedReply> rejected = reply(engine, new InboundReply("r-bad", reserve.messageId(), id[0],
                    ReplyOutcome.SUCCESS, "ItemsReserved", "{\"reservationId\":{\"iban\":\"DE44-SECRET\"}}", null));

            var saga = engine.find(id[0]).orElseThrow();
            assertThat(saga.status()).isEqualTo(SagaStatus.FAILED);
            assertThat(saga.reason()).isEqualTo("the reply 'ItemsReserved' to step 'reserve-inventory' cannot be read:"
                    + " field 'reservationId' must be a string; it was dead-lettered for inspection");
            assertThat(rejected).singleElement().satisfies(r -> assertThat(r.reason()).isEqualTo(saga.reason()));
            assertThat(transport.deadLetters()).singleElement().satisfies(d -> {
                assertThat(d.destination()).isEqualTo(OutboxRecord.DEAD_LETTERS);
                assertThat(d.headers()).containsEntry(Headers.DEAD_LETTER_REASON, saga.reason())
                        .containsEntry(Headers.MESSAGE_ID, "r-bad").containsEntry(Headers.CORRELATION_ID, reserve.messageId())
                        .containsEntry(Headers.OUTCOME, "SUCCESS").containsEntry(Headers.MESSAGE_TYPE, "ItemsReserved");
                assertThat(d.payload()).contains("DE44-SECRET"); // the dead letter keeps the reply as it came
            });
            assertThat(transport.take()).as("no command: nothing re-sent").isEmpty();
            assertThat(store.dueTimers(Instant.parse("9000-01-01T00:00:00Z"), 100)).as("no timeout left that would re-send").isEmpty();
            assertThat(engine.history(id[0])).extracting(h -> h.kind()).endsWith(HistoryKind.REPLY_RECEIVED, HistoryKind.FAILED);

            // the operator aborts: the reservation may have taken effect, so it is compensated with the order
            engine.act(id[0], OperatorAction.ABORT, "alice", "inventory sent a reply we cannot read");
            for (OutboxRecord c : transport.take()) {
                reply(engine, new InboundReply("r-" + c.messageId(), c.messageId(), id[0], ReplyOutcome.SUCCESS, null, null, null));
                transport.take().forEach(next -> reply(engine, new InboundReply("r-" + next.messageId(), next.messageId(),
                        id[0], ReplyOutcome.SUCCESS, null, null, null)));
            }
            assertThat(engine.find(id[0]).orElseThrow().status()).isEqualTo(SagaStatus.COMPENSATED);
        }
    }

    @Test
    @DisplayName("a payload that is not JSON fails the saga naming the payload; in a batch, with an unknown saga's reply, both are dead-lettered")
    void notJsonInABatch() {
        try (SagaEngine engine = engine()) {
            SagaId[] id = new SagaId[1];
            OutboxRecord reserve = atReserve(engine, id);
            List<Transport.RejectedReply> rejected = reply(engine,
                    new InboundReply("r-bad", reserve.messageId(), id[0], ReplyOutcome.SUCCESS, "ItemsReserved", "<xml/>", null),
                    new InboundReply("r-stranger", "nobody/x/do/1", SagaId.of("nobody"), ReplyOutcome.SUCCESS, null, null, null));
            assertThat(engine.find(id[0]).orElseThrow().reason()).contains("step 'reserve-inventory'",
                    "'ItemsReserved'", "the payload is not valid JSON").doesNotContain("xml");
            assertThat(rejected).hasSize(2);
            assertThat(transport.deadLetters()).extracting(OutboxRecord::messageId).containsExactlyInAnyOrder("r-bad", "r-stranger");
            assertThat(transport.deadLetters()).filteredOn(d -> d.messageId().equals("r-stranger")).singleElement()
                    .satisfies(d -> assertThat(d.headers()).containsEntry(Headers.DEAD_LETTER_REASON, "no saga with id nobody"));
            assertThat(engine.flows()).extracting(FlowView::participant).doesNotContain(OutboxRecord.DEAD_LETTERS);
        }
    }

    @Test
    @DisplayName("a dead letter whose send fails stays in the outbox with the reply's transaction and goes out with the sweep; the reply itself is a duplicate by then")
    void deadLetterOutlivesFailedSend() {
        try (SagaEngine engine = engine()) {
            transport.failSends(true);
            InboundReply stranger = new InboundReply("r-stranger", "nobody/x/do/1", SagaId.of("nobody"), ReplyOutcome.SUCCESS,
                    "ItemsReserved", "{}", null);
            assertThat(reply(engine, stranger)).hasSize(1);
            assertThat(transport.deadLetters()).isEmpty();
            assertThat(store.outbox(clock.instant().plusSeconds(1), 10)).singleElement()
                    .satisfies(r -> assertThat(r.deadLetter()).isTrue());
            assertThat(reply(engine, stranger)).as("redelivered: a duplicate, not dead-lettered twice").isEmpty();

            transport.failSends(false);
            clock.advance(Duration.ofSeconds(11));
            assertThat(EngineControls.of(engine).sweepOutbox(Duration.ofSeconds(10))).isEqualTo(1);
            assertThat(transport.deadLetters()).singleElement().satisfies(d -> {
                assertThat(d.messageId()).isEqualTo("r-stranger");
                assertThat(d.payload()).isEqualTo("{}");
                assertThat(d.headers()).containsEntry(Headers.DEAD_LETTER_REASON, "no saga with id nobody");
            });
            assertThat(transport.sent()).as("a dead letter is no command to a participant").isEmpty();
            assertThat(store.outbox(clock.instant().plusSeconds(1), 10)).as("acknowledged: deleted").isEmpty();
        }
    }
}
