package dev.baton.testkit;

import dev.baton.engine.HistoryKind;
import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.spi.HistoryRecord;
import dev.baton.engine.spi.OutboxRecord;
import dev.baton.engine.spi.SagaRecord;
import dev.baton.engine.spi.TimerKind;
import dev.baton.engine.spi.TimerRecord;
import java.time.Instant;
import java.util.Map;

/**
 * Records the {@link SagaStoreCompatibilityKit} writes. Every {@link Instant} is truncated to microseconds, the
 * precision stores must keep. Stateless; safe to use from any thread.
 */
final class StoreKitFixtures {

    /** A fixed point in time with microsecond digits, so that precision loss shows. */
    static final Instant T0 = Instant.parse("2026-03-01T10:15:30.123456Z");

    private StoreKitFixtures() {}

    static Instant at(long secondsAfterT0) {
        return T0.plusSeconds(secondsAfterT0);
    }

    /** A new saga (version 1) with every field set, none null. */
    static SagaRecord saga(String id, String type, String businessKey) {
        return new SagaRecord(SagaId.of(id), type, 3, SagaStatus.RUNNING, "AWAITING_STOCK", "reserve-credit",
                businessKey, "order-data", "{\"orderId\":\"" + id + "\",\"total\":1250}",
                "{\"cursor\":1,\"completed\":[\"create-order\"]}", "waiting for the credit service", 1,
                at(0), at(1));
    }

    static SagaRecord saga(String id) {
        return saga(id, "create-order", "bk-" + id);
    }

    /** A new saga (version 1) for the query tests: what the queries filter on, the rest as {@link #saga}. */
    static SagaRecord saga(String id, String type, SagaStatus status, String pendingState, String businessKey,
                           Instant createdAt, Instant updatedAt) {
        SagaRecord s = saga(id, type, businessKey);
        return new SagaRecord(s.id(), type, s.definitionVersion(), status, pendingState, s.currentStep(),
                businessKey, s.dataType(), s.data(), s.execution(), s.reason(), 1, createdAt, updatedAt);
    }

    /** The next version of {@code s} in another status, last changed at {@code updatedAt}; creation time kept. */
    static SagaRecord moved(SagaRecord s, SagaStatus status, String pendingState, Instant updatedAt) {
        return new SagaRecord(s.id(), s.type(), s.definitionVersion(), status, pendingState, s.currentStep(),
                s.businessKey(), s.dataType(), s.data(), s.execution(), s.reason(), s.version() + 1, s.createdAt(),
                updatedAt);
    }

    /** The saga as the next {@code update} would write it: version + 1 and every mutable field changed. */
    static SagaRecord nextVersion(SagaRecord s) {
        long next = s.version() + 1;
        return new SagaRecord(s.id(), s.type(), s.definitionVersion() + 1,
                s.status() == SagaStatus.RUNNING ? SagaStatus.COMPENSATING : SagaStatus.RUNNING,
                s.pendingState() == null ? "PARKED_" + next : null, "step-" + next, s.businessKey(),
                "order-data-v" + next, s.data() + " v" + next, s.execution() + " v" + next,
                s.reason() == null ? "reason " + next : null, next, s.createdAt(), s.updatedAt().plusSeconds(10));
    }

    static SagaRecord withVersion(SagaRecord s, long version) {
        return new SagaRecord(s.id(), s.type(), s.definitionVersion(), s.status(), s.pendingState(), s.currentStep(),
                s.businessKey(), s.dataType(), s.data(), s.execution(), s.reason(), version, s.createdAt(),
                s.updatedAt());
    }

    static HistoryRecord history(String sagaId, long secondsAfterT0, String kind, String step, String detail) {
        return new HistoryRecord(0, SagaId.of(sagaId), at(secondsAfterT0), HistoryKind.valueOf(kind), step, detail);
    }

    static OutboxRecord outbox(String id, String sagaId, Instant createdAt) {
        return outbox(id, sagaId, createdAt, Map.of("baton-message-id", "msg-" + id, "baton-saga-id", sagaId));
    }

    static OutboxRecord outbox(String id, String sagaId, Instant createdAt, Map<String, String> headers) {
        return new OutboxRecord(id, SagaId.of(sagaId), "customers", "msg-" + id, "ReserveCredit", headers,
                "{\"customerId\":\"c-1\",\"outbox\":\"" + id + "\"}", createdAt);
    }

    static TimerRecord timer(String sagaId, TimerKind kind, String token, Instant fireAt) {
        return new TimerRecord(SagaId.of(sagaId), kind, "reserve-credit", token, fireAt);
    }
}
