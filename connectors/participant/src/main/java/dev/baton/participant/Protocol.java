package dev.baton.participant;

/**
 * The names Baton's wire protocol uses, as a participant sees them: the headers a command arrives with and the
 * headers its reply carries. Transport bindings (Kafka, ...) copy these headers verbatim between their own
 * message type and {@link IncomingCommand} / {@link Reply}; values are UTF-8 text.
 *
 * <p><b>Why a copy.</b> The engine keeps the same names in {@code dev.baton.engine.internal.Headers} and
 * {@code dev.baton.engine.spi.ReplyOutcome}. A participant service must not pull in the engine, so the SDK carries
 * its own copy; the two are meant to move into one small shared protocol module. Until then a change to either side
 * is a protocol change and must be made on both.
 *
 * <p>Outcome names are the constants of {@link ReplyOutcome} ({@code SUCCESS}, {@code FAILURE},
 * {@code RETRY_LATER}); kind values are {@link #KIND_COMMAND} and {@link #KIND_COMPENSATION}.
 *
 * @since 0.1
 */
public final class Protocol {
    private Protocol() {}

    // ---------------------------------------------------------------- on commands (written by the engine)

    /**
     * The command's idempotency key, {@code <saga>/<step>/<do|undo>/<invocation>}. Stable across re-sends of one
     * invocation; a new invocation (after a FAILURE answer or an operator retry) gets a new id. Required.
     */
    public static final String MESSAGE_ID = "baton-message-id";
    /** The saga instance the command belongs to. Required on commands; echoed on replies. */
    public static final String SAGA_ID = "baton-saga-id";
    /** The saga definition's type name, for example {@code order-flow}. Optional; echoed on replies. */
    public static final String SAGA_TYPE = "baton-saga-type";
    /** The stable key of the step the command belongs to. Required; echoed on replies. */
    public static final String STEP = "baton-step";
    /** The delivery attempt of this invocation, from 1: re-sends after a timeout or a busy answer count up. Optional. */
    public static final String ATTEMPT = "baton-attempt";
    /**
     * The payload's wire name: the {@code @MessageType} value of its class, or the class's simple name. Required on
     * commands; on replies present only when the reply has a payload.
     */
    public static final String MESSAGE_TYPE = "baton-message-type";
    /** Whether the command moves a step forward or compensates it: {@link #KIND_COMMAND} or {@link #KIND_COMPENSATION}. Required. */
    public static final String KIND = "baton-kind";

    /** {@link #KIND} value of a forward command. */
    public static final String KIND_COMMAND = "command";
    /** {@link #KIND} value of a compensation. */
    public static final String KIND_COMPENSATION = "compensation";

    // ---------------------------------------------------------------- on replies (written by the participant)

    /** On a reply: the {@link #MESSAGE_ID} of the command it answers. */
    public static final String CORRELATION_ID = "baton-correlation-id";
    /** On a reply: {@code SUCCESS}, {@code FAILURE} or {@code RETRY_LATER} (see {@link ReplyOutcome}). */
    public static final String OUTCOME = "baton-outcome";
    /** On a reply: why, for FAILURE and RETRY_LATER (and for answers the SDK gave without running a handler). */
    public static final String REASON = "baton-reason";
    /**
     * On a RETRY_LATER reply: how long the participant suggests waiting before the re-send, in whole milliseconds.
     * A hint; the engine may ignore it and follow the step's own policy. Participant-side addition to the protocol.
     */
    public static final String RETRY_AFTER_MS = "baton-retry-after-ms";

    // ---------------------------------------------------------------- carried through

    /** W3C trace context; copied from the command onto its reply when present. */
    public static final String TRACEPARENT = "traceparent";
    /** W3C trace state; copied from the command onto its reply when present. */
    public static final String TRACESTATE = "tracestate";

    // ---------------------------------------------------------------- for transport bindings

    /**
     * Suggested header for the reason a binding attaches to a message it dead-letters (see {@link Rejected}). Not
     * read by the engine or the SDK.
     */
    public static final String DEAD_LETTER_REASON = "baton-dead-letter-reason";
}
