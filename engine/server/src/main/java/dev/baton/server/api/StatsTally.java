package dev.baton.server.api;

import dev.baton.engine.SagaStatus;
import dev.baton.engine.spi.SagaCount;
import dev.baton.server.api.SagaApi.Breaker;
import dev.baton.server.api.SagaApi.Stats;
import dev.baton.server.api.SagaApi.TypeStats;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Adds the store's saga counts up into {@link Stats}: in total, by status, by pending state and by type. Stateless. */
final class StatsTally {

    private StatsTally() {}

    static Stats of(List<SagaCount> counts, long outbox, long timersDue, Map<String, Breaker> breakers,
                    Map<String, SagaApi.Flow> flows, Map<String, Long> consumerLag, java.time.Instant asOf) {
        long total = 0;
        Map<SagaStatus, Long> byStatus = new TreeMap<>();
        Map<String, Long> pending = new TreeMap<>();
        Map<String, long[]> typeTotals = new TreeMap<>();
        Map<String, Map<SagaStatus, Long>> typeStatus = new TreeMap<>();
        Map<String, Map<String, Long>> typePending = new TreeMap<>();
        for (SagaCount c : counts) {
            total += c.count();
            byStatus.merge(c.status(), c.count(), Long::sum);
            typeTotals.computeIfAbsent(c.type(), t -> new long[1])[0] += c.count();
            typeStatus.computeIfAbsent(c.type(), t -> new TreeMap<>()).merge(c.status(), c.count(), Long::sum);
            typePending.computeIfAbsent(c.type(), t -> new TreeMap<>());
            if (c.status() == SagaStatus.PENDING && c.pendingState() != null) {
                pending.merge(c.pendingState(), c.count(), Long::sum);
                typePending.get(c.type()).merge(c.pendingState(), c.count(), Long::sum);
            }
        }
        Map<String, TypeStats> byType = new LinkedHashMap<>();
        typeTotals.forEach((t, n) -> byType.put(t, new TypeStats(n[0], typeStatus.get(t), typePending.get(t))));
        return new Stats(total, byStatus, pending, byType, outbox, timersDue, breakers, flows, new TreeMap<>(consumerLag), asOf);
    }
}
