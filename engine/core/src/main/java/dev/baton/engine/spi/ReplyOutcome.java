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
    RETRY_LATER,
    /**
     * The participant failed to handle the command (its handler threw) and did nothing: RETRY_LATER with the
     * {@code baton-retry-cause: error} header on the wire. Not final. The engine re-sends per the step's retry policy,
     * then parks, compensates or fails as after timeouts, and counts it against the participant's breaker.
     */
    ERROR
}
