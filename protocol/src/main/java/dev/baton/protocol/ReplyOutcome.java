package dev.baton.protocol;

/**
 * What a participant answered; its {@link #name()} travels as the {@link Headers#OUTCOME} header.
 *
 * @since 0.1
 */
public enum ReplyOutcome {
    /** The command took effect (or, for a compensation, the step is undone). Final: recorded by the participant. */
    SUCCESS,
    /** The command was refused and took no effect. Final: recorded by the participant. */
    FAILURE,
    /** The participant did nothing this time; send the same command again later. Not recorded. */
    RETRY_LATER
}
