package dev.baton.dsl;

import java.time.Duration;
import java.util.function.Function;

/**
 * The saga-level phase of the DSL: settings that apply to the whole saga, then the first step.
 * Immutable: each call returns a new builder.
 *
 * @param <D> the saga's data type
 * @since 0.1
 */
public final class SagaBuilder<D> {
    private final Draft<D> draft;

    SagaBuilder(Draft<D> draft) {
        this.draft = draft;
    }

    /** The definition version, 1 or more. Defaults to 1. Bump it when a change would confuse instances in flight. */
    public SagaBuilder<D> version(int version) {
        return new SagaBuilder<>(draft.withVersion(version));
    }

    /**
     * The name the saga data is stored under. Defaults to {@code "<type>.data"}. Stored instead of a
     * class name so that the data class can be moved or renamed.
     */
    public SagaBuilder<D> dataTypeName(String name) {
        return new SagaBuilder<>(draft.withDataTypeName(name));
    }

    /** The reply timeout of steps that set none. Defaults to 30 seconds. */
    public SagaBuilder<D> defaultTimeout(Duration timeout) {
        return new SagaBuilder<>(draft.withDefaultTimeout(timeout));
    }

    /**
     * The saga's service-level target: the time from its start to its end (completed or compensated, as the
     * {@code baton.saga.duration} meter measures). Positive. Defaults to none. Like a step's
     * {@link StepBuilder#sla(Duration)} it is measured against, never enforced.
     *
     * @since 0.7
     */
    public SagaBuilder<D> sla(Duration sla) {
        return new SagaBuilder<>(draft.withSla(sla));
    }

    /**
     * A check of the data a saga is started with, run at every start before anything is stored: it answers null
     * when the data is acceptable, otherwise a message saying what is wrong, written for whoever sent the data (the
     * REST API returns it in a 400 problem; a Java caller gets an {@code InvalidSagaDataException} carrying it).
     * Declare as many as you like; a start is refused with the messages of all that object. Defaults to none.
     *
     * <pre>{@code
     * Saga.define("order-flow", OrderData.class)
     *     .validate(d -> d.orderId() == null || d.orderId().isBlank() ? "orderId is required" : null)
     *     .validate(d -> d.amountCents() > 0 ? null : "amountCents must be positive, but was " + d.amountCents())
     * }</pre>
     *
     * A validation must be a pure function of the data: it runs on the caller's thread and must not throw (a
     * validation that throws refuses the start as if it had answered a message). It is not run again when an
     * instance continues, nor for data a step's reply handler returns.
     *
     * @since 0.2
     */
    public SagaBuilder<D> validate(Function<? super D, String> validation) {
        return new SagaBuilder<>(draft.withValidation(validation));
    }

    /** Starts a step with a stable key (letters, digits, '.', '_', '-'); the key is persisted and never reused. */
    public StepStart<D> step(String key) {
        return new StepStart<>(draft.addStep(key));
    }

    /** Validates and builds; see {@link StepBuilder#build()}. */
    public SagaDefinition<D> build() {
        return Validator.build(draft);
    }
}
