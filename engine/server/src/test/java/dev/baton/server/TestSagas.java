package dev.baton.server;

import dev.baton.dsl.Park;
import dev.baton.dsl.Participant;
import dev.baton.dsl.Retry;
import dev.baton.dsl.Saga;
import dev.baton.dsl.SagaDefinition;
import dev.baton.dsl.SagaDefinitionProvider;
import dev.baton.kafka.common.KafkaOptions;
import dev.baton.participant.kafka.KafkaParticipant;
import dev.baton.participant.CommandHandlers;
import dev.baton.participant.JdbiIdempotencyStore;
import dev.baton.participant.Outcome;
import dev.baton.participant.ParticipantRuntime;
import dev.baton.server.dev.DemoSagas;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The sagas the server tests run, found through {@link SagaDefinitionProvider} (see META-INF/services), and their
 * participants. {@code test-ops} goes wherever its data's {@code mode} sends it:
 * <ul>
 *   <li>{@code ok}: COMPLETED;</li>
 *   <li>{@code decline}: the pivot refuses, COMPENSATED;</li>
 *   <li>{@code park}: the first step's participant is always busy, PENDING(WAITING) for an hour;</li>
 *   <li>{@code fail-finish}: the step after the pivot always fails, FAILED after two attempts.</li>
 *   <li>{@code throw}: the pivot's handler throws (the SDK answers RETRY_LATER with {@code baton-retry-cause: error}):
 *       the pivot compensates, and test-decide's breaker counts a failed call;</li>
 *   <li>{@code throw-ask}: the first step's handler throws: it parks in WAITING, as its {@code whenBusy} says.</li>
 * </ul>
 */
public final class TestSagas implements SagaDefinitionProvider {
    public record OpsData(String mode, long amount) {}
    public record Ask(String mode) {}
    public record Undo(String mode) {}
    public record Decide(String mode) {}
    public record Finish(String mode) {}

    static final Participant<Object> ASK = Participant.named("test-ask", Object.class);
    static final Participant<Object> DECIDE = Participant.named("test-decide", Object.class);
    static final Participant<Object> FINISH = Participant.named("test-finish", Object.class);

    public static final SagaDefinition<OpsData> OPS = Saga.define("test-ops", OpsData.class)
            .defaultTimeout(Duration.ofHours(1))
            .step("ask")
                .invoke(ASK, Ask.class, d -> new Ask(d.mode()))
                .whenBusy(Park.as("WAITING").retryEvery(Duration.ofHours(1)).giveUpAfter(Duration.ofHours(2)))
                .compensate(ASK, Undo.class, d -> new Undo(d.mode()))
            .step("decide")
                .invoke(DECIDE, Decide.class, d -> new Decide(d.mode()))
                .retry(Retry.none()) // one attempt: an error compensates at once (the breaker test counts on it)
                .pivot()
            .step("finish")
                .invoke(FINISH, Finish.class, d -> new Finish(d.mode()))
                .retry(Retry.fixed(2, Duration.ofMillis(10)))
            .build();

    /** Used by ServiceLoader. */
    public TestSagas() {}

    @Override
    public List<SagaDefinition<?>> definitions() {
        return List.of(OPS, DemoSagas.DEMO_ORDER);
    }

    /** The participants of {@link #OPS} and of the demo saga, until closed. */
    public static AutoCloseable startParticipants(KafkaOptions options) throws Exception {
        List<AutoCloseable> running = new ArrayList<>();
        running.add(DemoSagas.startParticipants(options));
        List<CommandHandlers> services = List.of(
                CommandHandlers.forParticipant(ASK)
                        .on(Ask.class, c -> {
                            if ("throw-ask".equals(c.mode())) {
                                throw new IllegalStateException("ask's handler fails, as the test wants");
                            }
                            return "park".equals(c.mode()) ? Outcome.retryLater("busy, as the test wants")
                                    : Outcome.success();
                        })
                        .on(Undo.class, c -> Outcome.success()).build(),
                CommandHandlers.forParticipant(DECIDE)
                        .on(Decide.class, c -> {
                            if ("throw".equals(c.mode())) {
                                throw new IllegalStateException("decide's handler fails, as the test wants");
                            }
                            return "decline".equals(c.mode()) ? Outcome.failure("declined") : Outcome.success();
                        })
                        .build(),
                CommandHandlers.forParticipant(FINISH)
                        .on(Finish.class, c -> "fail-finish".equals(c.mode()) ? Outcome.failure("cannot finish")
                                : Outcome.success())
                        .build());
        for (CommandHandlers h : services) {
            JdbiIdempotencyStore store = JdbiIdempotencyStore.h2InMemory(h.participant() + "-" + UUID.randomUUID());
            running.add(store);
            running.add(KafkaParticipant.create(options, ParticipantRuntime.builder().handlers(h).store(store).build()).start());
        }
        return () -> {
            for (int i = running.size() - 1; i >= 0; i--) {
                running.get(i).close();
            }
        };
    }
}
