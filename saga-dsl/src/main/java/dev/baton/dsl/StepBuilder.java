package dev.baton.dsl;

import java.time.Duration;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Options of the current step, then the next step or {@link #build()}. The options may come in any order;
 * each may be given once. Immutable: each call returns a new builder.
 *
 * @param <D> the saga's data type
 * @since 0.1
 */
public final class StepBuilder<D> {
    private final Draft<D> draft;

    StepBuilder(Draft<D> draft) {
        this.draft = draft;
    }

    /**
     * Folds a successful reply of type {@code replyType} into the saga data. Replies of other types leave
     * the data as it is. Declare one handler per reply type.
     */
    public <R> StepBuilder<D> onReply(Class<R> replyType, BiFunction<? super D, ? super R, ? extends D> apply) {
        return new StepBuilder<>(draft.updateLast(s -> s.reply(replyType, apply)));
    }

    /**
     * The compensating command, sent when a later step fails. Required on every step before the pivot
     * (or {@link #noCompensation()}); not allowed on the pivot or after it.
     */
    public <C> StepBuilder<D> compensate(Participant<C> participant, Function<? super D, ? extends C> command) {
        return new StepBuilder<>(draft.updateLast(s -> s.compensate(participant, command)));
    }

    /**
     * The compensating command, with its class declared (see {@link StepStart#invoke(Participant, Class, Function)}):
     * sent when a later step fails.
     *
     * <pre>{@code
     * .compensate(PAYMENT, RefundPayment.class, d -> new RefundPayment(d.paymentId()))
     * }</pre>
     *
     * Without a declared class the possible undo commands are the records that the participant's command type permits
     * when it is a sealed interface ({@link StepDefinition#compensationTypes()}), else unknown.
     *
     * @param commandType the concrete class {@code command} builds, usually a record; {@code build()} reports an
     *                    interface or abstract class
     * @since 0.6
     */
    public <C, T extends C> StepBuilder<D> compensate(Participant<C> participant, Class<T> commandType,
                                                      Function<? super D, ? extends T> command) {
        return new StepBuilder<>(draft.updateLast(s -> s.compensate(participant, commandType, command)));
    }

    /** Declares that this step, before the pivot, changes nothing that needs undoing (a check, a read). */
    public StepBuilder<D> noCompensation() {
        return new StepBuilder<>(draft.updateLast(Draft.StepDraft::markNoCompensation));
    }

    /** How long each attempt waits for a reply. Positive. Defaults to the saga's default timeout (30 s). */
    public StepBuilder<D> timeout(Duration timeout) {
        return new StepBuilder<>(draft.updateLast(s -> s.timeout(timeout)));
    }

    /**
     * How the command is re-sent after a timeout (with the same idempotency key) or a busy answer without a
     * {@link #whenBusy} rule, and for steps after the pivot also after a failure. Defaults to 5 attempts, 1 s
     * doubling to 30 s, before the pivot (a slow or once-busy participant is asked again rather than the saga
     * compensated; {@link Retry#none()} compensates at the first timeout); required after it.
     */
    public StepBuilder<D> retry(Retry retry) {
        return new StepBuilder<>(draft.updateLast(s -> s.retry(retry)));
    }

    /** How the compensation is retried when it fails or times out. Defaults to 8 attempts, 1 s doubling to 5 min. */
    public StepBuilder<D> compensationRetry(Retry retry) {
        return new StepBuilder<>(draft.updateLast(s -> s.compensationRetry(retry)));
    }

    /** What a busy participant ({@code RETRY_LATER}) or exhausted timeouts mean: park in a named pending state. */
    public StepBuilder<D> whenBusy(Park park) {
        return new StepBuilder<>(draft.updateLast(s -> s.park(park)));
    }

    /**
     * The step's service-level target: the time from its command first sent to its successful reply (re-sends and
     * parking included, as the {@code baton.step.duration} meter measures). Positive. Defaults to none.
     *
     * <p>The engine does not act on it: no timeout, no retry, no compensation follows from a breach. It is what the
     * step's duration is measured against (a histogram boundary and a breach counter in the meters, the server's
     * {@code GET /api/slas}, a warning in the log when too many replies come late).
     *
     * <pre>{@code
     * .step("authorize-payment").invoke(PAYMENT, d -> new AuthorizePayment(d.orderId())).sla(Duration.ofMillis(200))
     * }</pre>
     *
     * @since 0.7
     */
    public StepBuilder<D> sla(Duration sla) {
        return new StepBuilder<>(draft.updateLast(s -> s.sla(sla)));
    }

    /** Marks this step as the pivot: once it succeeds the saga only moves forward. At most one per saga. */
    public StepBuilder<D> pivot() {
        return new StepBuilder<>(draft.updateLast(Draft.StepDraft::markPivot));
    }

    /**
     * Runs this step only when {@code condition} holds on the saga data as it is when the saga reaches the step (after
     * the replies of the steps before it). Otherwise the step is skipped: its command is not sent, the history records
     * {@code STEP_SKIPPED}, and there is nothing to compensate. Not allowed on the pivot.
     *
     * <pre>{@code
     * .step("schedule-shipment")
     *     .invoke(LOGISTICS, d -> new ScheduleShipment(d.orderId()))
     *     .when(d -> !d.digitalOnly())
     * }</pre>
     *
     * The condition must be a pure function of the data (it is evaluated once, when the step is entered; an
     * operator's retry of a saga failed there evaluates it again); one that throws fails the saga at the step.
     *
     * @since 0.7
     */
    public StepBuilder<D> when(Predicate<? super D> condition) {
        return new StepBuilder<>(draft.updateLast(s -> s.when(condition)));
    }

    /**
     * The data the saga continues with when the step's participant cannot answer: its circuit breaker is open, its
     * attempts are used up (timeouts, errors, busy answers without {@link #whenBusy}; after the pivot also failures),
     * or a park gives up. The step is then recorded as degraded ({@code STEP_DEGRADED} in the history, the REST view,
     * the {@code baton.steps.degraded} counter) and the saga goes on; a late answer to the abandoned command is
     * ignored. A {@code FAILURE} answer before the pivot is an answer, not an absence of one: it compensates.
     *
     * <pre>{@code
     * .step("estimate-delivery")
     *     .invoke(CARRIER, d -> new EstimateDelivery(d.orderId(), d.address()))
     *     .onReply(DeliveryEstimate.class, (d, r) -> d.withEstimate(r.days() + " days"))
     *     .noCompensation()
     *     .fallback(d -> d.withEstimate("standard delivery"))
     * }</pre>
     *
     * Only steps whose answer the saga can do without may have one: a step that reads ({@link #noCompensation()})
     * before the pivot, or a step after it. Not the pivot, and not a step with a compensation (a step that changes
     * what the saga may have to undo cannot be replaced by made-up data); {@code build()} reports both. The function
     * must be pure; one that throws fails the saga at the step.
     *
     * @since 0.7
     */
    public StepBuilder<D> fallback(Function<? super D, ? extends D> fallback) {
        return new StepBuilder<>(draft.updateLast(s -> s.fallback(fallback)));
    }

    /**
     * Runs this step as a branch of the parallel group {@code group}: consecutive steps with the same group form it,
     * and their commands go out together when the saga reaches the group; the saga moves past the group when every
     * branch has succeeded (or was skipped by its condition, or degraded to its fallback).
     *
     * <pre>{@code
     * .step("check-fraud").invoke(FRAUD, d -> new CheckFraud(d.orderId())).noCompensation().parallel("checks")
     * .step("reserve-stock").invoke(INVENTORY, d -> new ReserveStock(d.orderId())).compensate(...).parallel("checks")
     * .step("authorize-payment")...
     * }</pre>
     *
     * When a branch fails, the saga waits for every command still in flight in the other branches to be answered or
     * to time out, then compensates what took effect, in every branch and before the group, in reverse order of
     * completion, each once. A group comes before the pivot (or in a saga without one); the pivot cannot be in a
     * group. Inside a group, user code that throws (a reply handler, a command builder) fails its branch instead of
     * stopping the saga for an operator.
     *
     * @param group the group's name, unique in the saga
     * @since 0.7
     */
    public StepBuilder<D> parallel(String group) {
        return new StepBuilder<>(draft.updateLast(s -> s.parallel(group, s.key())));
    }

    /**
     * As {@link #parallel(String)}, for a branch of several steps: consecutive steps of the group with the same
     * {@code branch} run one after the other within it.
     *
     * @since 0.7
     */
    public StepBuilder<D> parallel(String group, String branch) {
        return new StepBuilder<>(draft.updateLast(s -> s.parallel(group, branch)));
    }

    /** Ends this step and starts the next one. */
    public StepStart<D> step(String key) {
        return new StepStart<>(draft.addStep(key));
    }

    /**
     * Validates the whole saga and builds it. Every problem is reported at once in an
     * {@link InvalidSagaDefinitionException}, each naming the step and the fix.
     */
    public SagaDefinition<D> build() {
        return Validator.build(draft);
    }
}
