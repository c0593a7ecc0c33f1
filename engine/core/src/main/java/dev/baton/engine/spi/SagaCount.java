package dev.baton.engine.spi;

import dev.baton.engine.SagaStatus;

/**
 * How many sagas of a type are in a status (and, for PENDING, a pending state).
 *
 * @param pendingState the pending state for PENDING counts, else null (also when a saga in another status still
 *                     carries one: those are counted by type and status alone)
 * @since 0.1
 */
public record SagaCount(String type, SagaStatus status, String pendingState, long count) {}
