package dev.baton.jdbi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.engine.HistoryKind;
import dev.baton.dsl.Participant;
import dev.baton.dsl.Retry;
import dev.baton.dsl.Saga;
import dev.baton.dsl.SagaDefinition;
import dev.baton.engine.SagaEngine;
import dev.baton.engine.SagaId;
import dev.baton.engine.spi.EngineControls;
import dev.baton.engine.spi.HistoryRecord;
import dev.baton.engine.spi.OutboxRecord;
import dev.baton.jackson.JacksonCodec;
import dev.baton.testkit.InMemoryTransport;
import dev.baton.testkit.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two engines (two nodes) on one PostgreSQL database fire the same sagas' timers together: each poll round, both
 * lease and fire due timers at once, from two threads. No participant ever answers, so every command times out and
 * is retried until the retries run out. Every timer must fire once: each saga's commands go out exactly once per
 * attempt, whichever node fired the timer, and no history entry is doubled.
 */
@ExtendWith(PostgresExtension.class)
class TwoEnginesOnPostgresTest {
    record Data(String id) {}
    record Ping(String id) {}

    private static final int SAGAS = 200;
    private static final int ATTEMPTS = 3;

    static final SagaDefinition<Data> SAGA = Saga.define("two-nodes", Data.class)
            .defaultTimeout(Duration.ofSeconds(1))
            .step("ping").invoke(Participant.named("silent", Object.class), d -> new Ping(d.id())).noCompensation()
                .retry(Retry.fixed(ATTEMPTS, Duration.ofSeconds(1)))
            .build();

    @Test
    @DisplayName("two engines polling one PostgreSQL database fire each timer once: one command per attempt, no doubled history")
    void timersFireOnceAcrossNodes(PostgresDatabase db) throws Exception {
        ManualClock clock = ManualClock.atEpochOfTests();
        InMemoryTransport toA = new InMemoryTransport();
        InMemoryTransport toB = new InMemoryTransport();
        ExecutorService nodes = Executors.newFixedThreadPool(2);
        try (SagaEngine a = engine(db, toA, clock); SagaEngine b = engine(db, toB, clock)) {
            List<SagaId> ids = new ArrayList<>();
            for (int i = 0; i < SAGAS; i++) {
                ids.add((i % 2 == 0 ? a : b).start(SAGA, new Data("d-" + i)).id());
            }
            int[] fired = new int[2];
            // each attempt: a TIMEOUT timer, then a RETRY timer (the last gives up); a few rounds more than needed
            for (int round = 0; round < 2 * ATTEMPTS + 3; round++) {
                clock.advance(Duration.ofMillis(1_100));
                CompletableFuture<Integer> byA = CompletableFuture.supplyAsync(() -> fireAll(a), nodes);
                CompletableFuture<Integer> byB = CompletableFuture.supplyAsync(() -> fireAll(b), nodes);
                fired[0] += byA.get(60, TimeUnit.SECONDS);
                fired[1] += byB.get(60, TimeUnit.SECONDS);
            }

            List<OutboxRecord> sent = new ArrayList<>(toA.take());
            sent.addAll(toB.take());
            Map<String, Long> perAttempt = sent.stream().collect(Collectors.groupingBy(
                    c -> c.messageId() + "#" + c.headers().get("baton-attempt"), Collectors.counting()));
            assertThat(perAttempt.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList())
                    .as("command attempts sent more than once").isEmpty();
            assertThat(perAttempt.size()).as("every saga's command went out once per attempt").isEqualTo(SAGAS * ATTEMPTS);
            for (SagaId id : ids) {
                List<HistoryRecord> history = a.history(id);
                List<String> sends = history.stream().filter(h -> h.kind() == HistoryKind.COMMAND_SENT).map(HistoryRecord::detail)
                        .toList();
                assertThat(sends).as("saga %s: attempts sent", id).hasSize(ATTEMPTS).doesNotHaveDuplicates();
                assertThat(history.stream().filter(h -> h.kind() == HistoryKind.TIMED_OUT).count()).as("saga %s: timeouts", id)
                        .isEqualTo((long) ATTEMPTS);
            }
            System.out.printf("two engines on PostgreSQL: %d sagas, timers leased by node A %d, by node B %d%n", SAGAS,
                    fired[0], fired[1]);
        } finally {
            nodes.shutdown();
        }
    }

    private static int fireAll(SagaEngine engine) {
        int total = 0;
        for (int n; (n = EngineControls.of(engine).fireDueTimers()) > 0; ) {
            total += n;
        }
        return total;
    }

    private static SagaEngine engine(PostgresDatabase db, InMemoryTransport transport, ManualClock clock) {
        return SagaEngine.builder().store(db.openStore()).transport(transport).codec(new JacksonCodec())
                .register(SAGA).clock(clock).timerBatchSize(50)
                // this test counts timer firings: every attempt must go out at once, not wait for a silent
                // participant's flow control limit (cut by each timeout) to let it through
                .flow(dev.baton.engine.FlowSettings.OFF).build();
    }
}
