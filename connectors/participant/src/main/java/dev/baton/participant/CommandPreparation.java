package dev.baton.participant;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.participant.CommandHandlers.Registration;
import java.io.IOException;

/**
 * The checks made before a command touches the database, in this order: its headers, a handler for its message type,
 * its payload read into the handler's type. A command that fails one is {@link Rejected}, for a dead-letter channel.
 * Thread-safe.
 */
final class CommandPreparation {

    private final CommandHandlers handlers;
    private final ObjectMapper mapper;

    CommandPreparation(CommandHandlers handlers, ObjectMapper mapper) {
        this.handlers = handlers;
        this.mapper = mapper;
    }

    /** A {@link PreparedCommand}, or the {@link Rejected} answer for a malformed command. */
    Object prepare(IncomingCommand command) {
        Object parsed = CommandHeaders.of(command);
        if (parsed instanceof String problems) {
            return new Rejected(command, "malformed command: " + problems);
        }
        CommandHeaders p = (CommandHeaders) parsed;
        Registration<?> registration = handlers.lookup(p.messageType());
        if (registration == null) {
            return new Rejected(command, "participant '" + handlers.participant() + "' has no handler for message type '"
                    + p.messageType() + "' (" + p.kind().wireValue() + " of step '" + p.step() + "', saga " + p.sagaId()
                    + "); it handles " + handlers.messageTypes() + ". Register one with .on(<type>.class, ...), or"
                    + " check that the saga definition sends this type to this participant");
        }
        Object payload;
        try {
            payload = mapper.readValue(command.payloadBytes(), registration.type());
        } catch (IOException e) {
            return new Rejected(command, "the payload of message type '" + p.messageType() + "' does not map onto "
                    + registration.type().getName() + ": " + describe(e));
        }
        if (payload == null) {
            return new Rejected(command, "the payload of message type '" + p.messageType() + "' is JSON null, not a "
                    + registration.type().getName());
        }
        return new PreparedCommand(command, p, registration, payload);
    }

    /** Jackson's complaint, with the field path, without the payload. */
    private static String describe(IOException e) {
        if (e instanceof JsonProcessingException j) {
            String where = j instanceof JsonMappingException m && !m.getPath().isEmpty()
                    ? " (at " + m.getPathReference() + ")" : "";
            String message = j.getOriginalMessage();
            return (message == null ? j.getClass().getSimpleName() : message) + where;
        }
        return e.toString();
    }
}
