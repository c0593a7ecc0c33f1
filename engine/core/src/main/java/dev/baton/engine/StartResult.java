package dev.baton.engine;

/**
 * The outcome of starting a saga.
 *
 * @param id the saga's id
 * @param created false when a saga with the same type and business key existed already and was returned instead
 * @since 0.1
 */
public record StartResult(SagaId id, boolean created) {}
