package dev.baton.testkit;

import static dev.baton.testkit.example.OrderSaga.DEFINITION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.engine.SagaEngine;
import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.StartResult;
import dev.baton.engine.spi.EngineControls;
import dev.baton.engine.spi.InboundReply;
import dev.baton.engine.spi.OutboxRecord;
import dev.baton.engine.spi.ReplyOutcome;
import dev.baton.engine.spi.SagaListener;
import dev.baton.engine.spi.Transport;
import dev.baton.jackson.JacksonCodec;
import dev.baton.testkit.example.OrderSaga.OrderData;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * No lock is held across a send or a listener call: while one saga's send (a Kafka producer waiting for metadata
 * or buffer space, say) or listener call hangs, other sagas start and apply their replies. The hang lasts until
 * the test ends it, so an engine that held a lock across it would never let the others through.
 */
class BlockedSendTest {
    /** Platform threads of their own: the common pool has one thread on a two-core machine. */
    private static final java.util.concurrent.ExecutorService CALLERS = java.util.concurrent.Executors.newCachedThreadPool();
    private static final SagaId BLOCKED = new SagaId("00000000-0000-4000-8000-00000000b10c");

    /** Hangs in send() for the blocked saga's rows until released; passes the rest to an in-memory transport. */
    static final class HangingTransport implements Transport {
        final InMemoryTransport inner = new InMemoryTransport();
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        volatile boolean armed = true;

        @Override
        public CompletableFuture<Void> send(List<OutboxRecord> messages) {
            if (armed && messages.stream().anyMatch(m -> m.sagaId().equals(BLOCKED))) {
                entered.countDown();
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return inner.send(messages);
        }

        @Override
        public void start(ReplySink sink) {
            inner.start(sink);
        }

        @Override
        public void close() {
            release.countDown();
            inner.close();
        }
    }

    /** Random ids, except that the first id asked for after {@link #NEXT_IS_BLOCKED} is set is BLOCKED (a saga's id). */
    private static final java.util.concurrent.atomic.AtomicBoolean NEXT_IS_BLOCKED = new java.util.concurrent.atomic.AtomicBoolean();

    private static java.util.function.Supplier<SagaId> ids() {
        java.util.function.Supplier<SagaId> random = SagaId.uuidV7();
        return () -> NEXT_IS_BLOCKED.compareAndSet(true, false) ? BLOCKED : random.get();
    }

    @Test
    @DisplayName("a send that hangs delays neither other sagas' starts nor their replies, batched or alone")
    void hangingSend() throws Exception {
        HangingTransport transport = new HangingTransport();
        try (SagaEngine engine = SagaEngine.builder().store(new InMemorySagaStore()).transport(transport)
                .codec(new JacksonCodec()).clock(ManualClock.atEpochOfTests()).ids(ids()).register(DEFINITION).build()) {
            EngineControls controls = EngineControls.of(engine);
            transport.inner.bind(controls.replies());
            SagaId first = engine.start(DEFINITION, OrderData.of("o-1", 1)).id();
            OutboxRecord firstCommand = transport.inner.take().get(0);

            NEXT_IS_BLOCKED.set(true);
            CompletableFuture<StartResult> blocked = CompletableFuture.supplyAsync(
                    () -> engine.start(DEFINITION, OrderData.of("o-blocked", 1)), CALLERS);
            assertThat(transport.entered.await(10, TimeUnit.SECONDS)).as("the blocked saga's send hangs").isTrue();

            CompletableFuture<StartResult> other = CompletableFuture.supplyAsync(
                    () -> engine.start(DEFINITION, OrderData.of("o-3", 1), "key-3"), CALLERS);
            List<CompletableFuture<StartResult>> batch = java.util.stream.IntStream.range(0, 8)
                    .mapToObj(i -> CompletableFuture.supplyAsync(() -> engine.start(DEFINITION, OrderData.of("o-b" + i, 1)), CALLERS))
                    .toList();
            await("other sagas start while a send hangs").atMost(Duration.ofSeconds(20))
                    .until(() -> other.isDone() && batch.stream().allMatch(CompletableFuture::isDone));
            assertThat(other.join().created()).isTrue();

            CompletableFuture<List<Transport.RejectedReply>> replied = CompletableFuture.supplyAsync(() ->
                    controls.replies().accept(List.of(new InboundReply("r-1", firstCommand.messageId(), first,
                            ReplyOutcome.SUCCESS, null, null, null))), CALLERS);
            await("another saga's reply is applied while a send hangs").atMost(Duration.ofSeconds(20))
                    .until(replied::isDone);
            assertThat(replied.join()).isEmpty();
            assertThat(engine.find(first).orElseThrow().currentStep()).isEqualTo("reserve-inventory");
            assertThat(transport.inner.sent()).as("its next command went out").anySatisfy(r -> {
                assertThat(r.sagaId()).isEqualTo(first);
                assertThat(r.messageType()).isEqualTo("ReserveItems");
            });
            assertThat(transport.release.getCount()).as("all of it happened while the send still hung").isEqualTo(1);

            transport.release.countDown();
            assertThat(blocked.get(10, TimeUnit.SECONDS).id()).isEqualTo(BLOCKED);
            assertThat(transport.inner.sent()).anySatisfy(r -> assertThat(r.sagaId()).isEqualTo(BLOCKED));
        }
    }

    @Test
    @DisplayName("a reply batch whose send hangs holds no saga's lock: a later reply of a saga in that batch goes through")
    void hangingSendAfterReplyBatch() throws Exception {
        HangingTransport transport = new HangingTransport();
        transport.armed = false;
        InMemorySagaStore store = new InMemorySagaStore();
        ManualClock clock = ManualClock.atEpochOfTests();
        try (SagaEngine engine = SagaEngine.builder().store(store).transport(transport)
                .codec(new JacksonCodec()).clock(clock).ids(ids()).register(DEFINITION).build()) {
            EngineControls controls = EngineControls.of(engine);
            SagaId other = engine.start(DEFINITION, OrderData.of("o-other", 1)).id();
            NEXT_IS_BLOCKED.set(true);
            assertThat(engine.start(DEFINITION, OrderData.of("o-blocked", 1)).id()).isEqualTo(BLOCKED);
            List<OutboxRecord> created = transport.inner.take();
            transport.armed = true;

            // one poll answers both create-order commands; sending their next commands hangs on the blocked saga's
            CompletableFuture<List<Transport.RejectedReply>> batch = CompletableFuture.supplyAsync(() ->
                    controls.replies().accept(created.stream().map(c -> new InboundReply("r-" + c.sagaId().value(),
                            c.messageId(), c.sagaId(), ReplyOutcome.SUCCESS, null, null, null)).toList()), CALLERS);
            assertThat(transport.entered.await(10, TimeUnit.SECONDS)).as("the batch's send hangs").isTrue();

            // the other saga's reserve-inventory command is committed (in the outbox) though not yet handed over
            OutboxRecord reserve = store.outbox(clock.instant().plusSeconds(1), 100).stream()
                    .filter(r -> r.sagaId().equals(other) && r.messageType().equals("ReserveItems")).findFirst().orElseThrow();
            CompletableFuture<List<Transport.RejectedReply>> next = CompletableFuture.supplyAsync(() ->
                    controls.replies().accept(List.of(new InboundReply("r-reserve", reserve.messageId(), other,
                            ReplyOutcome.SUCCESS, "ItemsReserved", "{\"reservationId\":\"R-1\"}", null))), CALLERS);
            await("a reply of a saga from the hanging batch is applied").atMost(Duration.ofSeconds(20)).until(next::isDone);
            assertThat(next.join()).isEmpty();
            assertThat(engine.find(other).orElseThrow().currentStep()).isEqualTo("authorize-payment");
            assertThat(batch).isNotDone();

            transport.release.countDown();
            assertThat(batch.get(10, TimeUnit.SECONDS)).isEmpty();
        }
    }

    @Test
    @DisplayName("a listener call that hangs delays neither other sagas' starts nor their replies")
    void hangingListener() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        SagaListener listener = new SagaListener() {
            @Override
            public void onStarted(SagaId id, String sagaType) {
                if (id.equals(BLOCKED)) {
                    entered.countDown();
                    try {
                        release.await(60, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        };
        InMemoryTransport transport = new InMemoryTransport();
        try (SagaEngine engine = SagaEngine.builder().store(new InMemorySagaStore()).transport(transport)
                .codec(new JacksonCodec()).clock(ManualClock.atEpochOfTests()).ids(ids()).listener(listener)
                .register(DEFINITION).build()) {
            EngineControls controls = EngineControls.of(engine);
            transport.bind(controls.replies());
            SagaId first = engine.start(DEFINITION, OrderData.of("o-1", 1)).id();
            OutboxRecord firstCommand = transport.take().get(0);
            NEXT_IS_BLOCKED.set(true);
            CompletableFuture<StartResult> blocked = CompletableFuture.supplyAsync(
                    () -> engine.start(DEFINITION, OrderData.of("o-blocked", 1)), CALLERS);
            assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();

            CompletableFuture<StartResult> other = CompletableFuture.supplyAsync(
                    () -> engine.start(DEFINITION, OrderData.of("o-3", 1)), CALLERS);
            CompletableFuture<List<Transport.RejectedReply>> replied = CompletableFuture.supplyAsync(() ->
                    controls.replies().accept(List.of(new InboundReply("r-1", firstCommand.messageId(), first,
                            ReplyOutcome.SUCCESS, null, null, null))), CALLERS);
            await("a start and a reply go through while a listener hangs").atMost(Duration.ofSeconds(20))
                    .until(() -> other.isDone() && replied.isDone());
            assertThat(engine.find(other.join().id()).orElseThrow().status()).isEqualTo(SagaStatus.RUNNING);
            assertThat(engine.find(first).orElseThrow().completedSteps()).containsExactly("create-order");
            assertThat(release.getCount()).isEqualTo(1);
            release.countDown();
            assertThat(blocked.get(10, TimeUnit.SECONDS).id()).isEqualTo(BLOCKED);
            assertThat(Set.copyOf(transport.take().stream().map(OutboxRecord::sagaId).toList())).contains(BLOCKED);
        }
    }
}
