package dev.baton.engine.spi;

import dev.baton.engine.SagaStatus;

/**
 * How many sagas of one type and definition version are in one place: a status that is not ended (RUNNING, PENDING,
 * COMPENSATING, FAILED: each still needs its definition), a current step and a pending state.
 *
 * @param step the current step, or null
 * @param pendingState the pending state, or null
 * @since 0.8
 */
public record VersionCount(String type, int version, SagaStatus status, String step, String pendingState, long count) {
}
