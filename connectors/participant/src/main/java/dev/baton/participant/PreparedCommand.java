package dev.baton.participant;

import dev.baton.participant.CommandHandlers.Registration;

/**
 * A command that passed every check made before the database: its headers, its handler and its payload.
 *
 * @param command as delivered
 * @param headers its checked headers
 * @param registration the handler for its message type
 * @param payload the payload, read into the handler's type; not null
 */
record PreparedCommand(IncomingCommand command, CommandHeaders headers, Registration<?> registration, Object payload) {}
