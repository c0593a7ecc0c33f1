package dev.baton.engine.spi;

/**
 * What a participant answered. Travels as the {@code baton-outcome} header.
 *
 * @since 0.1
 */
public enum ReplyOutcome {
    /** The command took effect. Final: recorded by the participant. */
    SUCCESS,
    /** The command was refused for a business reason and took no effect. Final. */
    FAILURE,
    /** The participant is busy and did nothing; ask again later. Not recorded as final. */
    RETRY_LATER
}
