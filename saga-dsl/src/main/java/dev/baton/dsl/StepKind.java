package dev.baton.dsl;

/**
 * The role of a step in the saga, after the saga literature (Garcia-Molina and Salem; Richardson's
 * "compensatable, pivot, retriable"). Derived from the step's place relative to the {@code pivot()}.
 *
 * @since 0.1
 */
public enum StepKind {
    /** Before the pivot: undone by its compensation when a later step fails. */
    COMPENSATABLE,
    /** The go/no-go step: when it fails the saga compensates; once it succeeds the saga only moves forward. */
    PIVOT,
    /** After the pivot: retried until it succeeds; never compensated, never triggers compensation. */
    RETRIABLE
}
