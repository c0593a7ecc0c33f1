package dev.baton.testkit;

import static dev.baton.testkit.example.OrderSaga.DEFINITION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.engine.HistoryKind;
import dev.baton.engine.SagaEngine;
import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.spi.EngineControls;
import dev.baton.engine.spi.OutboxRecord;
import dev.baton.engine.spi.SagaListener;
import dev.baton.engine.spi.Transport;
import dev.baton.jackson.JacksonCodec;
import dev.baton.testkit.example.OrderSaga;
import dev.baton.testkit.example.OrderSaga.OrderData;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Runtime behaviour around the state machine: a misbehaving transport, listeners, untyped starts. */
class RuntimeEdgesTest {

    /** A transport whose send throws instead of returning a failed future. */
    private static final class ThrowingTransport implements Transport {
        final List<OutboxRecord> accepted = new ArrayList<>();
        boolean fail = true;

        @Override
        public CompletableFuture<Void> send(List<OutboxRecord> messages) {
            if (fail) {
                throw new IllegalStateException("broker unreachable");
            }
            accepted.addAll(messages);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void start(ReplySink sink) {}

        @Override
        public void close() {}
    }

    @Test
    @DisplayName("a transport that throws on send does not fail the start: the saga exists and the sweeper re-sends")
    void throwingTransport() {
        ThrowingTransport transport = new ThrowingTransport();
        InMemorySagaStore store = new InMemorySagaStore();
        ManualClock clock = ManualClock.atEpochOfTests();
        try (SagaEngine engine = SagaEngine.builder().store(store).transport(transport)
                .codec(new JacksonCodec()).clock(clock).register(DEFINITION).build()) {
            SagaId id = engine.start(DEFINITION, OrderData.of("o-1", 1)).id();
            assertThat(engine.find(id)).get().extracting(v -> v.status()).isEqualTo(SagaStatus.RUNNING);
            assertThat(store.outbox(clock.instant().plusSeconds(1), 10)).hasSize(1);

            transport.fail = false;
            clock.advance(Duration.ofSeconds(11));
            assertThat(EngineControls.of(engine).sweepOutbox(Duration.ofSeconds(10))).isEqualTo(1);
            assertThat(transport.accepted).singleElement().satisfies(r -> {
                assertThat(r.messageType()).isEqualTo("CreateOrder");
                assertThat(r.headers()).containsKeys("baton-message-id", "baton-saga-id", "baton-saga-type", "baton-step",
                        "baton-attempt", "baton-message-type", "baton-kind", "traceparent");
                assertThat(r.headers().get("traceparent")).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01")
                        .contains(id.value().replace("-", ""));
            });
            assertThat(store.outbox(clock.instant().plusSeconds(1), 10)).as("acknowledged rows are deleted").isEmpty();
        }
    }

    @Test
    @DisplayName("ended sagas are purged after their retention, FAILED and running ones kept; no retention keeps everything")
    void endedPurge() {
        InMemoryTransport transport = new InMemoryTransport();
        InMemorySagaStore store = new InMemorySagaStore();
        ManualClock clock = ManualClock.atEpochOfTests();
        try (SagaEngine engine = SagaEngine.builder().store(store).transport(transport)
                .codec(new JacksonCodec()).clock(clock).endedRetention(Duration.ofDays(30))
                .register(DEFINITION).build()) {
            SagaId declined = engine.start(DEFINITION, OrderData.of("o-1", 1), "key-1").id();
            SagaId running = engine.start(DEFINITION, OrderData.of("o-2", 1)).id();
            OutboxRecord first = transport.take().get(0);
            assertThat(first.sagaId()).isEqualTo(declined);
            // the first step fails: nothing to compensate, the saga ends COMPENSATED at once
            assertThat(EngineControls.of(engine).replies().accept(List.of(new dev.baton.engine.spi.InboundReply("r-1", first.messageId(), declined,
                    dev.baton.engine.spi.ReplyOutcome.FAILURE, null, null, "no such customer")))).isEmpty();
            assertThat(engine.find(declined).orElseThrow().status()).isEqualTo(SagaStatus.COMPENSATED);

            clock.advance(Duration.ofDays(30).minusSeconds(1));
            assertThat(EngineControls.of(engine).purgeEnded()).as("not yet older than the retention").isZero();
            clock.advance(Duration.ofSeconds(2));
            assertThat(EngineControls.of(engine).purgeEnded()).isEqualTo(1);
            assertThat(engine.find(declined)).isEmpty();
            assertThat(engine.history(declined)).isEmpty();
            assertThat(engine.find(running)).as("a running saga is never purged").isPresent();
            assertThat(engine.start(DEFINITION, OrderData.of("o-1", 1), "key-1").created())
                    .as("the purged saga's business key starts a new saga").isTrue();
        }
        try (SagaEngine keeping = SagaEngine.builder().store(new InMemorySagaStore())
                .transport(new InMemoryTransport()).codec(new JacksonCodec()).register(DEFINITION).build()) {
            assertThat(EngineControls.of(keeping).purgeEnded()).as("no retention set: nothing is purged").isZero();
        }
        assertThatThrownBy(() -> SagaEngine.builder().store(new InMemorySagaStore()).transport(new InMemoryTransport())
                .codec(new JacksonCodec()).register(DEFINITION).endedRetention(Duration.ZERO).build())
                .hasMessageContaining("endedRetention must be positive");
    }

    @Test
    @DisplayName("the inbox is purged after its retention; a reply redelivered after that still changes nothing")
    void inboxPurge() {
        InMemoryTransport transport = new InMemoryTransport();
        InMemorySagaStore store = new InMemorySagaStore();
        ManualClock clock = ManualClock.atEpochOfTests();
        java.util.concurrent.atomic.AtomicInteger duplicates = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger ignored = new java.util.concurrent.atomic.AtomicInteger();
        SagaListener counting = new SagaListener() {
            @Override
            public void onDuplicateMessage(String messageId) {
                duplicates.incrementAndGet();
            }

            @Override
            public void onIgnoredReply(SagaId id, String reason) {
                ignored.incrementAndGet();
            }
        };
        try (SagaEngine engine = SagaEngine.builder().store(store).transport(transport)
                .codec(new JacksonCodec()).clock(clock).listener(counting).inboxRetention(Duration.ofDays(7))
                .register(DEFINITION).build()) {
            SagaId id = engine.start(DEFINITION, OrderData.of("o-1", 1)).id();
            OutboxRecord command = transport.take().get(0);
            dev.baton.engine.spi.InboundReply reply = new dev.baton.engine.spi.InboundReply("r-1", command.messageId(), id,
                    dev.baton.engine.spi.ReplyOutcome.SUCCESS, null, null, null);
            assertThat(EngineControls.of(engine).replies().accept(List.of(reply))).isEmpty();
            long version = engine.find(id).orElseThrow().version();
            assertThat(EngineControls.of(engine).replies().accept(List.of(reply))).isEmpty();
            assertThat(duplicates).as("a copy within the retention: the inbox drops it").hasValue(1);

            clock.advance(Duration.ofDays(7).minusSeconds(1));
            assertThat(EngineControls.of(engine).purgeInbox()).as("not yet older than the retention").isZero();
            clock.advance(Duration.ofSeconds(2));
            assertThat(EngineControls.of(engine).purgeInbox()).isEqualTo(1);

            assertThat(EngineControls.of(engine).replies().accept(List.of(reply))).isEmpty();
            assertThat(duplicates).hasValue(1);
            assertThat(ignored).as("a copy after the purge: stale, ignored").hasValue(1);
            assertThat(engine.find(id).orElseThrow().version()).as("the saga did not change").isEqualTo(version);
        }
    }

    @Test
    @DisplayName("the sweeper leases what it re-sends: a row whose re-send fails waits for its lease to end; listeners count re-sends")
    void sweeperLeases() {
        ThrowingTransport transport = new ThrowingTransport();
        InMemorySagaStore store = new InMemorySagaStore();
        ManualClock clock = ManualClock.atEpochOfTests();
        java.util.concurrent.atomic.AtomicInteger resent = new java.util.concurrent.atomic.AtomicInteger();
        SagaListener counting = new SagaListener() {
            @Override
            public void onOutboxResent(int count) {
                resent.addAndGet(count);
            }
        };
        try (SagaEngine engine = SagaEngine.builder().store(store).transport(transport)
                .codec(new JacksonCodec()).clock(clock).listener(counting).leaseDuration(Duration.ofSeconds(30))
                .register(DEFINITION).build()) {
            engine.start(DEFINITION, OrderData.of("o-1", 1));
            clock.advance(Duration.ofSeconds(11));

            assertThat(EngineControls.of(engine).sweepOutbox(Duration.ofSeconds(10))).as("leased and tried; the send throws").isEqualTo(1);
            transport.fail = false;
            clock.advance(Duration.ofSeconds(29));
            assertThat(EngineControls.of(engine).sweepOutbox(Duration.ofSeconds(10))).as("still leased").isZero();
            assertThat(transport.accepted).isEmpty();

            clock.advance(Duration.ofSeconds(1));
            assertThat(EngineControls.of(engine).sweepOutbox(Duration.ofSeconds(10))).as("the lease ended").isEqualTo(1);
            assertThat(transport.accepted).hasSize(1);
            assertThat(store.outbox(clock.instant().plusSeconds(1), 10)).as("acknowledged rows are deleted").isEmpty();
            assertThat(resent).hasValue(2);
        }
    }

    @Test
    @DisplayName("listeners hear starts, step durations, status changes and ends, measured on the engine's clock")
    void listenerEvents() {
        List<String> events = new ArrayList<>();
        SagaListener listener = new SagaListener() {
            @Override
            public void onStarted(SagaId id, String type) {
                events.add("started " + type);
            }

            @Override
            public void onStepCompleted(SagaId id, String type, String step, Duration took) {
                events.add("step " + step + " " + took.toSeconds() + "s");
            }

            @Override
            public void onEnded(SagaId id, String type, SagaStatus outcome, Duration took) {
                events.add("ended " + outcome + " " + took.toSeconds() + "s");
            }
        };
        InMemoryTransport transport = new InMemoryTransport();
        ManualClock clock = ManualClock.atEpochOfTests();
        try (SagaEngine engine = SagaEngine.builder().store(new InMemorySagaStore())
                .transport(transport).codec(new JacksonCodec()).clock(clock).listener(listener).register(DEFINITION).build()) {
            SagaId id = engine.start(DEFINITION, OrderData.of("o-2", 1)).id();
            for (int step = 0; step < 4; step++) {
                clock.advance(Duration.ofSeconds(2));
                OutboxRecord cmd = transport.take().get(0);
                EngineControls.of(engine).replies().accept(List.of(new dev.baton.engine.spi.InboundReply("r" + step, cmd.messageId(), id,
                        dev.baton.engine.spi.ReplyOutcome.SUCCESS, null, null, null)));
            }
            assertThat(events).containsExactly("started order-flow", "step create-order 2s", "step reserve-inventory 2s",
                    "step authorize-payment 2s", "step schedule-shipment 2s", "ended COMPLETED 8s");
        }
    }

    @Test
    @DisplayName("starting by type name decodes the JSON data; bad data and unknown types are clear errors")
    void startFromJson() {
        try (SagaTestKit kit = SagaTestKit.with(DEFINITION)) {
            SagaEngine engine = kit.engine();
            var r = engine.start("order-flow", "{\"orderId\":\"o-3\",\"customerId\":\"c\",\"amountCents\":5}", "k-3");
            assertThat(r.created()).isTrue();
            assertThat(kit.saga(r.id()).data(OrderData.class).orderId()).isEqualTo("o-3");
            assertThat(engine.start("order-flow", "{\"orderId\":\"o-3\"}", "k-3").id()).isEqualTo(r.id());
            assertThatThrownBy(() -> engine.start("no-such-saga", "{}", null))
                    .isInstanceOf(dev.baton.engine.SagaDefinitionMismatchException.class)
                    .hasMessage("no saga type 'no-such-saga' is registered; known types: [order-flow]");
            assertThatThrownBy(() -> engine.start("order-flow", "{\"amountCents\":\"lots\"}", null))
                    .hasMessageContaining("cannot read a OrderData");
            assertThatThrownBy(() -> engine.start(OrderSaga.DEFINITION, null))
                    .isInstanceOf(ClassCastException.class).hasMessageContaining("order-flow");
        }
    }

    @Test
    @DisplayName("a listener that throws on every call breaks nothing: starts, duplicates and ends still work")
    void throwingListener() {
        SagaListener angry = new SagaListener() {
            @Override
            public void onStarted(SagaId id, String type) {
                throw new IllegalStateException("boom");
            }

            @Override
            public void onDuplicateMessage(String messageId) {
                throw new IllegalStateException("boom");
            }

            @Override
            public void onStatusChanged(SagaId id, String type, SagaStatus from, SagaStatus to, String reason) {
                throw new IllegalStateException("boom");
            }
        };
        try (SagaTestKit kit = SagaTestKit.with(angry, DEFINITION)) {
            kit.withFaults(Faults.seeded(3).duplicateReplies(1.0))
                    .when(OrderSaga.CreateOrder.class, c -> Answer.success())
                    .when(OrderSaga.ReserveItems.class, c -> Answer.success(new OrderSaga.ItemsReserved("r")))
                    .when(OrderSaga.AuthorizePayment.class, c -> Answer.success(new OrderSaga.PaymentAuthorized("p")))
                    .when(OrderSaga.ScheduleShipment.class, c -> Answer.success());
            SagaId id = kit.start(DEFINITION, OrderData.of("o-4", 1));
            kit.settle();
            assertThat(kit.status(id)).isEqualTo(SagaStatus.COMPLETED);
        }
    }

    @Test
    @DisplayName("after open, reply timeouts that came due while no engine ran wait for the grace period")
    void timeoutGraceAfterOpen() {
        InMemoryTransport transport = new InMemoryTransport();
        InMemorySagaStore store = new InMemorySagaStore();
        ManualClock clock = ManualClock.atEpochOfTests();
        SagaId id;
        try (SagaEngine first = SagaEngine.builder().store(store).transport(transport)
                .codec(new JacksonCodec()).clock(clock).register(DEFINITION).build()) {
            id = first.start(DEFINITION, OrderData.of("o-5", 1)).id();
        }
        clock.advance(Duration.ofMinutes(5)); // the engine was down for longer than the step's 30 s timeout
        InMemoryTransport next = new InMemoryTransport();
        try (SagaEngine engine = SagaEngine.builder().store(store).transport(next)
                .codec(new JacksonCodec()).clock(clock).register(DEFINITION)
                .timerPollInterval(Duration.ofHours(1)).timeoutGraceAfterOpen(Duration.ofSeconds(20)).build()) {
            engine.open();
            assertThat(EngineControls.of(engine).fireDueTimers()).as("held during the grace period").isZero();
            assertThat(next.take()).as("no timeout re-send during the grace period").isEmpty();
            OutboxRecord sentBeforeCrash = transport.take().get(0); // its reply arrived while no engine ran
            EngineControls.of(engine).replies().accept(List.of(new dev.baton.engine.spi.InboundReply("late", sentBeforeCrash.messageId(), id,
                    dev.baton.engine.spi.ReplyOutcome.SUCCESS, null, null, null)));
            assertThat(engine.find(id).orElseThrow().completedSteps()).containsExactly("create-order");

            clock.advance(Duration.ofSeconds(21));
            EngineControls.of(engine).fireDueTimers(); // the next step's own timeout may fire now; create-order's never does
            assertThat(engine.history(id)).noneMatch(h -> h.kind() == HistoryKind.TIMED_OUT && "create-order".equals(h.step()));
        }
    }

    @Test
    @DisplayName("reply timeouts wait while the transport cannot read replies and for the grace period after; then a silent participant's fires")
    void timeoutsHeldWhileRepliesCannotBeRead() {
        InMemoryTransport transport = new InMemoryTransport();
        ManualClock clock = ManualClock.atEpochOfTests();
        try (SagaEngine engine = SagaEngine.builder().store(new InMemorySagaStore()).transport(transport)
                .codec(new JacksonCodec()).clock(clock).register(DEFINITION)
                .timerPollInterval(Duration.ofHours(1)).timeoutGraceAfterOpen(Duration.ofSeconds(20)).build()) {
            engine.open();
            SagaId id = engine.start(DEFINITION, OrderData.of("o-stalled", 1)).id();
            assertThat(transport.take()).hasSize(1);
            Transport.ReplySink sink = EngineControls.of(engine).replies();
            sink.readingStalled(true); // the broker went away: replies may be waiting unread
            clock.advance(Duration.ofMinutes(5)); // far past the step's 30 s timeout and the grace after open
            assertThat(EngineControls.of(engine).fireDueTimers()).as("held while replies cannot be read").isZero();

            sink.readingStalled(false);
            clock.advance(Duration.ofSeconds(19));
            assertThat(EngineControls.of(engine).fireDueTimers()).as("held for the grace period after reading resumed")
                    .isZero();
            assertThat(engine.history(id)).noneMatch(h -> h.kind() == HistoryKind.TIMED_OUT);

            clock.advance(Duration.ofSeconds(2)); // reading works and no reply came: the participant is silent
            EngineControls.of(engine).fireDueTimers();
            assertThat(engine.history(id)).anyMatch(h -> h.kind() == HistoryKind.TIMED_OUT && "create-order".equals(h.step()));
        }
    }

    @Test
    @DisplayName("after open, acknowledged outbox rows are deleted in batches in the background; close waits for them")
    void acknowledgedRowsDeletedByClose() {
        InMemoryTransport transport = new InMemoryTransport();
        InMemorySagaStore store = new InMemorySagaStore();
        ManualClock clock = ManualClock.atEpochOfTests();
        try (SagaEngine engine = SagaEngine.builder().store(store).transport(transport)
                .codec(new JacksonCodec()).clock(clock).register(DEFINITION).timerPollInterval(Duration.ofHours(1))
                .build()) {
            engine.open();
            for (int i = 0; i < 30; i++) {
                engine.start(DEFINITION, OrderData.of("o-" + i, 1));
            }
            assertThat(transport.take()).hasSize(30);
        } // close cuts the deletes' gathering wait short and waits for them
        assertThat(store.outbox(clock.instant().plusSeconds(1), 100)).as("acknowledged rows left after close").isEmpty();
    }
}
