package dev.baton.dsl;

import java.util.function.Function;

/**
 * The first phase of a step: it offers only {@code invoke}, so every step has a command.
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

    /**
     * The step's command, with its class declared: sent to {@code participant}, built from the saga data when the step
     * starts. The class is what the definition publishes about the command (its wire name, and the JSON Schema the
     * server's {@code GET /api/definitions/{type}} derives from it), so teams writing a participant in another
     * language need not read the Java source.
     *
     * <pre>{@code
     * .step("authorize-payment")
     *     .invoke(PAYMENT, AuthorizePayment.class, d -> new AuthorizePayment(d.orderId(), d.amountCents()))
     * }</pre>
     *
     * Without a declared class the step's possible commands are the records that the participant's command type
     * permits when it is a sealed interface ({@link StepDefinition#commandTypes()}), else unknown.
     *
     * @param participant the typed handle of the service that executes the command
     * @param commandType the concrete class {@code command} builds, usually a record; {@code build()} reports an
     *                    interface or abstract class
     * @param command builds the command from the saga data; keep it free of side effects
     * @since 0.6
     */
    public <C, T extends C> StepBuilder<D> invoke(Participant<C> participant, Class<T> commandType,
                                                  Function<? super D, ? extends T> command) {
        return new StepBuilder<>(draft.updateLast(s -> s.invoke(participant, commandType, command)));
    }
}
