package dev.baton.testkit;

import static dev.baton.testkit.example.OrderSaga.DEFINITION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.engine.SagaCodecException;
import dev.baton.engine.SagaEngine;
import dev.baton.engine.SagaId;
import dev.baton.engine.StartResult;
import dev.baton.engine.spi.Codec;
import dev.baton.engine.spi.StoreTransaction;
import dev.baton.jackson.JacksonCodec;
import dev.baton.testkit.example.OrderSaga.OrderData;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Starts from concurrent callers share transactions (group commit), and each caller still gets its own answer: its
 * saga, the saga that already had its business key, or its own failure.
 */
class GroupCommitTest {

    /** Counts transactions and can hold the first one open until told to go on. */
    static final class HeldStore extends ForwardingSagaStore {
        final AtomicInteger transactions = new AtomicInteger();
        final CountDownLatch held = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        volatile boolean holdNext;

        HeldStore() {
            super(new InMemorySagaStore());
        }

        @Override
        public <T> T inTransaction(Function<StoreTransaction, T> work) {
            transactions.incrementAndGet();
            if (holdNext) {
                holdNext = false;
                held.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return delegate.inTransaction(work);
        }
    }

    /** JSON, except that an order called "poison" cannot be encoded. */
    static final class PoisonCodec implements Codec {
        final JacksonCodec json = new JacksonCodec();

        @Override
        public String encode(Object value) {
            if (value instanceof OrderData d && d.orderId().equals("poison")) {
                throw new SagaCodecException("order 'poison' cannot be encoded", null);
            }
            return json.encode(value);
        }

        @Override
        public <T> T decode(String text, Class<T> type) {
            return json.decode(text, type);
        }
    }

    @Test
    @DisplayName("starts queued behind a running start are written in one transaction; keys and failures stay per caller")
    void queuedStartsShareATransaction() throws Exception {
        HeldStore store = new HeldStore();
        InMemoryTransport transport = new InMemoryTransport();
        ExecutorService callers = Executors.newFixedThreadPool(8);
        try (SagaEngine engine = SagaEngine.builder().store(store).transport(transport).codec(new PoisonCodec())
                .clock(ManualClock.atEpochOfTests()).register(DEFINITION).build()) {
            SagaId existing = engine.start(DEFINITION, OrderData.of("o-existing", 1), "key-existing").id();

            store.holdNext = true;
            CompletableFuture<StartResult> first = CompletableFuture.supplyAsync(
                    () -> engine.start(DEFINITION, OrderData.of("o-first", 1)), callers);
            assertThat(store.held.await(10, TimeUnit.SECONDS)).as("the first start is in its transaction").isTrue();
            int before = store.transactions.get();

            Map<String, Function<SagaEngine, StartResult>> queued = new java.util.LinkedHashMap<>();
            queued.put("plain-1", e -> e.start(DEFINITION, OrderData.of("o-plain-1", 1)));
            queued.put("plain-2", e -> e.start(DEFINITION, OrderData.of("o-plain-2", 1)));
            queued.put("same-key-a", e -> e.start(DEFINITION, OrderData.of("o-same-a", 1), "key-shared"));
            queued.put("same-key-b", e -> e.start(DEFINITION, OrderData.of("o-same-b", 1), "key-shared"));
            queued.put("old-key", e -> e.start(DEFINITION, OrderData.of("o-old", 1), "key-existing"));
            queued.put("poison", e -> e.start(DEFINITION, OrderData.of("poison", 1)));
            List<Thread> threads = new ArrayList<>();
            Map<String, CompletableFuture<StartResult>> results = new java.util.LinkedHashMap<>();
            for (Map.Entry<String, Function<SagaEngine, StartResult>> q : queued.entrySet()) {
                CompletableFuture<StartResult> f = new CompletableFuture<>();
                results.put(q.getKey(), f);
                Thread t = Thread.ofPlatform().name("caller-" + q.getKey()).start(() -> {
                    try {
                        f.complete(q.getValue().apply(engine));
                    } catch (RuntimeException e) {
                        f.completeExceptionally(e);
                    }
                });
                threads.add(t);
            }
            await("every queued caller waits for the running start").atMost(Duration.ofSeconds(10)).until(() ->
                    threads.stream().allMatch(t -> Set.of(Thread.State.WAITING, Thread.State.TIMED_WAITING)
                            .contains(t.getState())));
            store.release.countDown();

            assertThat(first.get(10, TimeUnit.SECONDS).created()).isTrue();
            for (Thread t : threads) {
                t.join(10_000);
            }
            assertThat(results.get("poison")).failsWithin(Duration.ZERO).withThrowableThat()
                    .havingCause().isInstanceOf(SagaCodecException.class).withMessageContaining("poison");
            StartResult a = results.get("same-key-a").join();
            StartResult b = results.get("same-key-b").join();
            assertThat(a.id()).as("one saga for the shared key").isEqualTo(b.id());
            assertThat(List.of(a.created(), b.created())).containsExactlyInAnyOrder(true, false);
            assertThat(results.get("old-key").join()).isEqualTo(new StartResult(existing, false));
            for (String plain : List.of("plain-1", "plain-2")) {
                StartResult r = results.get(plain).join();
                assertThat(r.created()).isTrue();
                assertThat(engine.find(r.id())).isPresent();
            }
            // the queued starts were written together: one transaction that failed on the poison order, then each
            // start alone (six). Without group commit they would be six transactions and no more.
            int after = store.transactions.get() - before;
            assertThat(after).as("transactions after the held one").isEqualTo(1 + 6);
            assertThat(transport.take()).as("one command per created saga: existing, first, plain-1, plain-2, shared key")
                    .hasSize(5);
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    @DisplayName("without a failure, starts queued behind a running start take a single transaction between them")
    void queuedStartsWithoutFailure() throws Exception {
        HeldStore store = new HeldStore();
        InMemoryTransport transport = new InMemoryTransport();
        try (SagaEngine engine = SagaEngine.builder().store(store).transport(transport).codec(new JacksonCodec())
                .clock(ManualClock.atEpochOfTests()).register(DEFINITION).build()) {
            store.holdNext = true;
            Thread first = Thread.ofPlatform().start(() -> engine.start(DEFINITION, OrderData.of("o-first", 1)));
            assertThat(store.held.await(10, TimeUnit.SECONDS)).isTrue();
            int before = store.transactions.get();
            List<SagaId> ids = java.util.Collections.synchronizedList(new ArrayList<>());
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                int n = i;
                threads.add(Thread.ofPlatform().start(() -> ids.add(engine.start(DEFINITION, OrderData.of("o-" + n, n)).id())));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> threads.stream()
                    .allMatch(t -> Set.of(Thread.State.WAITING, Thread.State.TIMED_WAITING).contains(t.getState())));
            store.release.countDown();
            first.join(10_000);
            for (Thread t : threads) {
                t.join(10_000);
            }
            assertThat(ids).hasSize(20).doesNotHaveDuplicates();
            assertThat(store.transactions.get() - before).as("one transaction for the 20 queued starts").isEqualTo(1);
            assertThat(transport.take()).hasSize(21);
            for (SagaId id : ids) {
                assertThat(engine.history(id)).isNotEmpty();
            }
        }
    }
}
