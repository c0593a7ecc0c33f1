package dev.baton.protocol;

/**
 * The header names of Baton's wire protocol. Values are UTF-8 text; transport bindings copy them verbatim between
 * their own message type and the engine's or the participant SDK's view of a message. {@code docs/protocol.md} says
 * which headers are required on commands and on replies.
 *
 * @since 0.1
 */
public final class Headers {
    private Headers() {}

    // ---------------------------------------------------------------- on commands (written by the engine)

    /**
     * The command's idempotency key, {@code <saga>/<step>/<do|undo>/<invocation>}. Stable across re-sends of one
     * invocation; a new invocation (after a FAILURE answer or an operator retry) gets a new id. On a reply: a new
     * unique id of the reply, which the engine's inbox deduplicates on.
     */
    public static final String MESSAGE_ID = "baton-message-id";
    /** The saga instance the command belongs to. Required on commands; echoed on replies. */
    public static final String SAGA_ID = "baton-saga-id";
    /** The saga definition's type name, for example {@code order-flow}. Echoed on replies. */
    public static final String SAGA_TYPE = "baton-saga-type";
    /** The stable key of the step the command belongs to. Echoed on replies. */
    public static final String STEP = "baton-step";
    /**
     * How many times a command of this step and kind has gone out for this saga, from 1: re-sends after a timeout, a
     * busy or error answer, and new invocations count up; a send held back by flow control or a breaker does not.
     */
    public static final String ATTEMPT = "baton-attempt";
    /**
     * The payload's wire name: the {@code @MessageType} value of its class, or the class's simple name. Required on
     * commands; on replies present only when the reply has a payload.
     */
    public static final String MESSAGE_TYPE = "baton-message-type";
    /** Whether the command moves a step forward or compensates it: a {@link CommandKind#wireValue()}. */
    public static final String KIND = "baton-kind";

    // ---------------------------------------------------------------- on replies (written by the participant)

    /** On a reply: the {@link #MESSAGE_ID} of the command it answers. */
    public static final String CORRELATION_ID = "baton-correlation-id";
    /** On a reply: the {@link ReplyOutcome#name()} of the answer. */
    public static final String OUTCOME = "baton-outcome";
    /** On a reply: why, for FAILURE and RETRY_LATER (and for answers the SDK gave without running a handler). */
    public static final String REASON = "baton-reason";
    /**
     * On a RETRY_LATER reply: how long the participant suggests waiting before the re-send, in whole milliseconds.
     * A hint; the engine follows the step's own policy.
     */
    public static final String RETRY_AFTER_MS = "baton-retry-after-ms";
    /**
     * On a RETRY_LATER reply: why the participant did nothing, a {@link RetryCause#wireValue()}: {@code busy} (at its
     * capacity: the default when absent) or {@code error} (its handler failed, for example an exception: the
     * participant is not working for this command). The engine paces a busy participant and counts an error against
     * the participant's breaker, retrying the command per the step's retry policy. An engine that does not know the
     * header treats both as busy.
     */
    public static final String RETRY_CAUSE = "baton-retry-cause";

    // ---------------------------------------------------------------- carried through

    /**
     * W3C trace context. On a command: the saga's trace id and the span of the attempt (the engine's span when it
     * traces, else a random id). On a reply: the participant's span that handled the command, or the command's value
     * copied. See docs/protocol.md and docs/observability.md.
     */
    public static final String TRACEPARENT = "traceparent";
    /** W3C trace state; copied from the command onto its reply when present. */
    public static final String TRACESTATE = "tracestate";

    // ---------------------------------------------------------------- on dead-lettered records

    /** Why a record could not be processed; added when it is sent to {@code <topic>.dlq}. */
    public static final String DEAD_LETTER_REASON = "baton-dead-letter-reason";
    /** The topic a dead-lettered record was read from (added by Baton's Kafka connectors). */
    public static final String DEAD_LETTER_TOPIC = "baton-dead-letter-topic";
    /** The partition a dead-lettered record was read from (added by Baton's Kafka connectors). */
    public static final String DEAD_LETTER_PARTITION = "baton-dead-letter-partition";
    /** The offset a dead-lettered record was read from (added by Baton's Kafka connectors). */
    public static final String DEAD_LETTER_OFFSET = "baton-dead-letter-offset";
}
