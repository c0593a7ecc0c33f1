package dev.baton.dsl;

import java.util.function.Function;

/**
 * The first phase of a step: it offers only {@link #invoke}, so every step has a command.
 *
 * @param <D> the saga's data type
 * @since 0.1
 */
public final class StepStart<D> {
    private final Draft<D> draft;

    StepStart(Draft<D> draft) {
        this.draft = draft;
    }

    /**
     * The step's command: sent to {@code participant}, built from the saga data when the step starts.
     *
     * @param participant the typed handle of the service that executes the command
     * @param command builds the command from the saga data; keep it free of side effects
     */
    public <C> StepBuilder<D> invoke(Participant<C> participant, Function<? super D, ? extends C> command) {
        return new StepBuilder<>(draft.updateLast(s -> s.invoke(participant, command)));
    }
}
