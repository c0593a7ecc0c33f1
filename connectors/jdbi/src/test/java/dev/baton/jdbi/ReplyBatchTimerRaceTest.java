package dev.baton.jdbi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.dsl.Participant;
import dev.baton.dsl.Retry;
import dev.baton.dsl.Saga;
import dev.baton.dsl.SagaDefinition;
import dev.baton.engine.SagaEngine;
import dev.baton.engine.SagaId;
import dev.baton.engine.spi.EngineControls;
import dev.baton.engine.spi.HistoryRecord;
import dev.baton.engine.spi.InboundReply;
import dev.baton.engine.spi.OutboxRecord;
import dev.baton.engine.spi.ReplyOutcome;
import dev.baton.engine.spi.SagaRecord;
import dev.baton.engine.spi.SagaStore;
import dev.baton.engine.spi.StoreTransaction;
import dev.baton.engine.spi.TimerKind;
import dev.baton.engine.spi.TimerRecord;
import dev.baton.jackson.JacksonCodec;
import dev.baton.testkit.InMemoryTransport;
import dev.baton.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A step's timeout timer comes due just as its reply arrives in a batch with other replies. The batch transaction
 * updates the saga, then replaces its timers; the timer's transaction deletes (claims) the timer, then updates the
 * saga: taken in opposite orders, these row locks deadlock in the database unless the engine keeps events for one
 * saga apart, as it does for single events.
 */
class ReplyBatchTimerRaceTest {
    record Data(String id) {}
    record First(String id) {}
    record Second(String id) {}

    static final SagaDefinition<Data> SAGA = Saga.define("race", Data.class)
            .defaultTimeout(Duration.ofSeconds(5))
            .step("first").invoke(Participant.named("p", Object.class), d -> new First(d.id())).noCompensation()
                .retry(Retry.fixed(3, Duration.ofMillis(100)))
            .step("second").invoke(Participant.named("p", Object.class), d -> new Second(d.id())).noCompensation()
                .retry(Retry.fixed(3, Duration.ofMillis(100)))
            .build();

    @Test
    @DisplayName("a timer that fires while a reply batch updates its saga waits for the batch: no deadlock, no stale re-send")
    void timerWaitsForTheReplyBatch() throws Exception {
        ManualClock clock = ManualClock.atEpochOfTests();
        InMemoryTransport transport = new InMemoryTransport();
        GatedStore store = new GatedStore(JdbiSagaStore.h2InMemory("race-" + UUID.randomUUID()));
        ExecutorService threads = Executors.newFixedThreadPool(2); // the common pool may have a single thread
        try (SagaEngine engine = SagaEngine.builder().store(store).transport(transport)
                .codec(new JacksonCodec()).register(SAGA).clock(clock).build()) {
            SagaId a = engine.start(SAGA, new Data("a")).id();
            SagaId b = engine.start(SAGA, new Data("b")).id();
            List<OutboxRecord> firsts = transport.take();
            clock.advance(Duration.ofSeconds(6)); // both timeouts are due
            store.pauseAtUpdateOf(a);

            CompletableFuture<List<?>> batch = CompletableFuture.supplyAsync(() -> EngineControls.of(engine).replies().accept(firsts.stream()
                    .map(c -> new InboundReply("r-" + c.messageId(), c.messageId(), c.sagaId(), ReplyOutcome.SUCCESS, null, null, null))
                    .toList()), threads);
            assertThat(store.paused.await(10, TimeUnit.SECONDS)).as("the batch updated saga a").isTrue();
            Thread[] timerThread = new Thread[1];
            CompletableFuture<Integer> timers = CompletableFuture.supplyAsync(() -> {
                timerThread[0] = Thread.currentThread();
                return EngineControls.of(engine).fireDueTimers();
            }, threads);
            await("the timer is held up by the batch").atMost(Duration.ofSeconds(10)).until(() -> timerThread[0] != null
                    && Set.of(Thread.State.WAITING, Thread.State.TIMED_WAITING, Thread.State.BLOCKED).contains(timerThread[0].getState()));
            store.resume.countDown();

            assertThat(batch.get(20, TimeUnit.SECONDS)).as("nothing rejected").isEmpty();
            assertThat(timers.get(20, TimeUnit.SECONDS)).as("due timers found").isEqualTo(2);
            assertThat(engine.find(a).orElseThrow().currentStep()).isEqualTo("second");
            assertThat(engine.find(b).orElseThrow().currentStep()).isEqualTo("second");
            assertThat(transport.take()).as("only the second steps' commands: the stale timeouts re-sent nothing")
                    .extracting(OutboxRecord::messageType).containsExactly("Second", "Second");
        } finally {
            threads.shutdownNow();
        }
    }

    /** A store that holds the first transaction to update a chosen saga right after that update, until told to go on. */
    static final class GatedStore extends dev.baton.testkit.ForwardingSagaStore {
        private volatile SagaId pauseAt;
        final CountDownLatch paused = new CountDownLatch(1);
        final CountDownLatch resume = new CountDownLatch(1);

        GatedStore(SagaStore delegate) {
            super(delegate);
        }

        void pauseAtUpdateOf(SagaId id) {
            pauseAt = id;
        }





        @Override
        public <T> T inTransaction(Function<StoreTransaction, T> work) {
            return delegate.inTransaction(tx -> work.apply(new StoreTransaction() {
                @Override
                public boolean markReceived(String messageId, Instant at) {
                    return tx.markReceived(messageId, at);
                }

                @Override
                public Optional<SagaRecord> load(SagaId id) {
                    return tx.load(id);
                }

                @Override
                public Optional<SagaRecord> loadByBusinessKey(String type, String businessKey) {
                    return tx.loadByBusinessKey(type, businessKey);
                }

                @Override
                public void insert(SagaRecord saga) {
                    tx.insert(saga);
                }

                @Override
                public void update(SagaRecord saga) {
                    tx.update(saga);
                    if (saga.id().equals(pauseAt)) {
                        pauseAt = null;
                        paused.countDown();
                        try {
                            resume.await(30, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                }

                @Override
                public void appendHistory(List<HistoryRecord> entries) {
                    tx.appendHistory(entries);
                }

                @Override
                public void addOutbox(List<OutboxRecord> messages) {
                    tx.addOutbox(messages);
                }

                @Override
                public void setTimer(TimerRecord timer) {
                    tx.setTimer(timer);
                }

                @Override
                public void cancelTimers(SagaId sagaId, Set<TimerKind> kinds) {
                    tx.cancelTimers(sagaId, kinds);
                }

                @Override
                public boolean claimTimer(TimerRecord timer) {
                    return tx.claimTimer(timer);
                }
            }));
        }







    }
}
