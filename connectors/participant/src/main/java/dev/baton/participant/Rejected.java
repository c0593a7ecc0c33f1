package dev.baton.participant;

import dev.baton.protocol.Headers;
import java.util.Objects;

/**
 * A command the participant can never handle as delivered: a required header is missing or malformed, no handler is
 * registered for its message type, or its payload does not map onto that type. Nothing was executed or recorded, and
 * no reply goes to the engine (which will time the step out and follow its policy). A transport binding sends the
 * command to its dead-letter channel with {@link #reason()} (for Kafka: topic {@code <topic>.dlq}, reason in the
 * {@value Headers#DEAD_LETTER_REASON} header) and moves on; after a fix (a deployed handler, a corrected producer)
 * the dead letter can be replayed.
 *
 * @param command the command as delivered
 * @param reason what is wrong, naming the header, type or field; never the payload itself
 * @since 0.1
 */
public record Rejected(IncomingCommand command, String reason) implements HandlingResult {
    public Rejected {
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(reason, "reason");
    }
}
