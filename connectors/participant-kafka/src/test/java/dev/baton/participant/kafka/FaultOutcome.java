package dev.baton.participant.kafka;

import static org.awaitility.Awaitility.await;

import dev.baton.engine.SagaEngine;
import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.SagaView;
import dev.baton.testkit.example.OrderSaga.OrderData;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.awaitility.core.ConditionTimeoutException;

/**
 * What a fault test's sagas came to, counted from the engine's store and the participants' own tables, and the one
 * line each fault test prints: {@code FAULT name=... sagas= lost= duplicated_effects= stuck= recovery_s=}.
 *
 * <ul>
 *   <li>lost: sagas that ended, but not as their business rules say (FAILED, or compensated though not declined),
 *       or with an effect their outcome needs missing;</li>
 *   <li>duplicated_effects: effect rows beyond the first for one saga, step and kind;</li>
 *   <li>stuck: sagas not ended when the test stopped waiting.</li>
 * </ul>
 *
 * @param recoverySeconds from the fault's end (the broker or database back, the engine restarted) until every saga
 *     ended
 */
record FaultOutcome(String name, int sagas, int lost, int duplicatedEffects, int stuck, double recoverySeconds,
                    Map<SagaStatus, Integer> statuses) {

    /** How a saga must end: its status and its effects, as "step/KIND" → 1. */
    record Expected(SagaStatus status, Map<String, Long> effects) {}

    /** The order flow of {@link OrderServices#saga}: amounts ending in 3 are declined and compensated. */
    static Expected orderFlow(SagaView v) {
        return orderFlow(v.data(OrderData.class).amountCents() % 10 == 3);
    }

    /** The order flow's outcome for a saga whose payment is declined, or not. */
    static Expected orderFlow(boolean declined) {
        return declined
                ? new Expected(SagaStatus.COMPENSATED, Map.of("create-order/COMMAND", 1L, "reserve-inventory/COMMAND", 1L,
                        "create-order/COMPENSATION", 1L, "reserve-inventory/COMPENSATION", 1L))
                : new Expected(SagaStatus.COMPLETED, Map.of("create-order/COMMAND", 1L, "reserve-inventory/COMMAND", 1L,
                        "authorize-payment/COMMAND", 1L, "schedule-shipment/COMMAND", 1L));
    }

    /**
     * Waits up to {@code atMost} for every saga of {@code ids} to end (COMPLETED, COMPENSATED or FAILED); returns the
     * seconds from {@code since} until they had, or until the wait ended (the sagas left then count as stuck).
     */
    static double awaitEnded(SagaEngine engine, List<SagaId> ids, Instant since, Duration atMost) {
        try {
            await("every saga ends").atMost(atMost).pollInterval(Duration.ofMillis(250))
                    .until(() -> ids.stream().allMatch(id -> ended(engine, id)));
        } catch (ConditionTimeoutException e) {
            // counted as stuck below
        }
        return Duration.between(since, Instant.now()).toMillis() / 1000.0;
    }

    /** Counts the outcome of {@code ids} against what {@code expected} says of each, with the effects by saga id. */
    static FaultOutcome count(String name, SagaEngine engine, List<SagaId> ids, Map<String, Map<String, Long>> effects,
                              Function<SagaView, Expected> expected, double recoverySeconds) {
        Map<SagaStatus, Integer> statuses = new EnumMap<>(SagaStatus.class);
        int lost = 0;
        int duplicated = 0;
        int stuck = 0;
        for (SagaId id : ids) {
            SagaView v = engine.find(id).orElseThrow(() -> new AssertionError("saga " + id + " is not in the store"));
            statuses.merge(v.status(), 1, Integer::sum);
            Map<String, Long> done = effects.getOrDefault(id.value(), Map.of());
            for (long c : done.values()) {
                duplicated += (int) Math.max(0, c - 1);
            }
            if (!ended(v.status())) {
                stuck++;
                continue;
            }
            Expected want = expected.apply(v);
            boolean missing = want.effects().keySet().stream().anyMatch(k -> done.getOrDefault(k, 0L) == 0);
            if (v.status() != want.status() || missing) {
                lost++;
            }
        }
        return new FaultOutcome(name, ids.size(), lost, duplicated, stuck, recoverySeconds, statuses);
    }

    /** The line the fault tests print, one per scenario. */
    String line() {
        return String.format(Locale.ROOT, "FAULT name=%s sagas=%d lost=%d duplicated_effects=%d stuck=%d recovery_s=%.1f",
                name, sagas, lost, duplicatedEffects, stuck, recoverySeconds);
    }

    /** Prints {@link #line()} and the statuses. */
    FaultOutcome print() {
        System.out.println(line());
        System.out.println("FAULT name=" + name + " statuses=" + statuses);
        return this;
    }

    private static boolean ended(SagaEngine engine, SagaId id) {
        return engine.find(id).map(SagaView::status).map(FaultOutcome::ended).orElse(false);
    }

    /** COMPLETED, COMPENSATED or FAILED: nothing more happens to the saga on its own. */
    static boolean ended(SagaStatus s) {
        return s == SagaStatus.COMPLETED || s == SagaStatus.COMPENSATED || s == SagaStatus.FAILED;
    }
}
