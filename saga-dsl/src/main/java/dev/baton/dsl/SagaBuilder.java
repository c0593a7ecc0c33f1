package dev.baton.dsl;

import java.time.Duration;

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

    /** Starts a step with a stable key (letters, digits, '.', '_', '-'); the key is persisted and never reused. */
    public StepStart<D> step(String key) {
        return new StepStart<>(draft.addStep(key));
    }

    /** Validates and builds; see {@link StepBuilder#build()}. */
    public SagaDefinition<D> build() {
        return Validator.build(draft);
    }
}
