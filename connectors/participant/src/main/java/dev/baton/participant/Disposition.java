package dev.baton.participant;

/**
 * How the SDK arrived at a {@link Reply}: by running a handler, from a record, or by the compensation guard without
 * running anything. For logs and metrics (a binding can count {@link #REPLAYED} as duplicates); it does not travel on
 * the wire, where every reply looks alike.
 *
 * @since 0.1
 */
public enum Disposition {
    /**
     * The handler ran (or threw, and the {@link ExceptionPolicy} answered for it). The answer is recorded unless it
     * is RETRY_LATER.
     */
    HANDLED,
    /** A redelivery: answered from the record of the first delivery of the same message id. Nothing ran. */
    REPLAYED,
    /**
     * A compensation for a step whose forward command never took effect here (it never arrived, or it failed):
     * answered SUCCESS without running the compensation handler, and recorded, so the forward command is refused if
     * it arrives later.
     */
    NOTHING_TO_COMPENSATE,
    /**
     * A forward command for a step that a compensation already reached: refused with FAILURE without running the
     * handler, because the saga has moved on to undoing that step.
     */
    REFUSED_AFTER_COMPENSATION,
    /**
     * A new invocation (a new message id) of a step that already took effect here, or of a compensation that
     * already succeeded: answered with that earlier success, payload included, without running the handler again.
     */
    ALREADY_DONE
}
