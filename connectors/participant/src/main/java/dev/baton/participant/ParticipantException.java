package dev.baton.participant;

/**
 * The root of the SDK's exceptions; unchecked. Thrown only when setting up (invalid handler registrations, a store
 * that cannot open) and by store maintenance calls: {@link ParticipantRuntime#handle(IncomingCommand)} never throws,
 * it answers with a {@link HandlingResult}.
 *
 * @since 0.1
 */
public abstract sealed class ParticipantException extends RuntimeException
        permits InvalidHandlersException, ParticipantStoreException {

    ParticipantException(String message, Throwable cause) {
        super(message, cause);
    }
}
