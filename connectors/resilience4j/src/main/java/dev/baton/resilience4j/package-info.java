/**
 * Circuit breakers per participant over Resilience4j: {@link dev.baton.resilience4j.ParticipantBreakers} (a
 * {@code CommandGate} for the engine), its settings ({@link dev.baton.resilience4j.BreakerSettings},
 * {@link dev.baton.resilience4j.BreakerConfigs}) and its Micrometer meters ({@link dev.baton.resilience4j.BreakerMetrics}).
 */
package dev.baton.resilience4j;
