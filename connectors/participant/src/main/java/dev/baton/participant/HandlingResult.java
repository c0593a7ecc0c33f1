package dev.baton.participant;

/**
 * What {@link ParticipantRuntime#handle(IncomingCommand)} made of a delivered command. Exactly one of three, and a
 * transport binding must act on each so that no command is ever lost:
 * <pre>{@code
 * switch (runtime.handle(command)) {
 *     case Reply reply -> { send(reply.headers(), reply.payloadBytes()); ack(); }         // to the engine's reply channel
 *     case Rejected rejected -> { deadLetter(rejected.command(), rejected.reason()); ack(); }
 *     case Unavailable unavailable -> { backOff(); redeliver(unavailable.command()); }   // do not ack
 * }
 * }</pre>
 *
 * @since 0.1
 */
public sealed interface HandlingResult permits Reply, Rejected, Unavailable {

    /** The command this result is about. */
    IncomingCommand command();
}
