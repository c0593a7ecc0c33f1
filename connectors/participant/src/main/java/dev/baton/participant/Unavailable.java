package dev.baton.participant;

import java.util.Objects;

/**
 * The participant could not handle the command now: its database is unreachable or failed, a concurrent delivery
 * of the same step held the lock for too long, the thread was interrupted, or the store is closed. No answer was
 * recorded and the handler's database writes (if it ran) were rolled back; no reply must be sent. A transport binding
 * must not acknowledge the command: it backs off and delivers it again (for Kafka: seek back to its offset and pause
 * the partition briefly). A redelivery is safe by construction.
 *
 * @param command the command as delivered
 * @param reason what failed
 * @param cause the underlying exception, or null
 * @since 0.1
 */
public record Unavailable(IncomingCommand command, String reason, Throwable cause) implements HandlingResult {
    public Unavailable {
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(reason, "reason");
    }
}
