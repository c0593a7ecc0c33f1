package dev.baton.participant;

import dev.baton.protocol.CommandKind;
import dev.baton.protocol.Headers;
import java.util.ArrayList;
import java.util.List;

/**
 * The headers the SDK needs from a delivered command, each present and well-formed.
 *
 * @param messageId the invocation's id; the key the answer is recorded under
 * @param sagaId the saga the command belongs to
 * @param step the saga step's key
 * @param kind forward command or compensation
 * @param messageType the payload's message type, which picks the handler
 * @param attempt the engine's delivery attempt, 1 or more
 */
record CommandHeaders(String messageId, String sagaId, String step, CommandKind kind, String messageType, int attempt) {

    /** Longest message id, saga id, step key or message type accepted (the store's column width). */
    static final int MAX_HEADER_LENGTH = 255;

    /** A {@link CommandHeaders}, or a String listing every problem. */
    static Object of(IncomingCommand c) {
        List<String> problems = new ArrayList<>();
        String messageId = required(c, Headers.MESSAGE_ID, problems);
        String sagaId = required(c, Headers.SAGA_ID, problems);
        String step = required(c, Headers.STEP, problems);
        String messageType = required(c, Headers.MESSAGE_TYPE, problems);
        String kindValue = required(c, Headers.KIND, problems);
        CommandKind kind = null;
        if (kindValue != null) {
            kind = CommandKind.fromWire(kindValue);
            if (kind == null) {
                problems.add("header " + Headers.KIND + " is '" + shorten(kindValue) + "', expected '"
                        + CommandKind.COMMAND.wireValue() + "' or '" + CommandKind.COMPENSATION.wireValue() + "'");
            }
        }
        int attempt = 1;
        String attemptValue = c.header(Headers.ATTEMPT);
        if (attemptValue != null) {
            try {
                attempt = Integer.parseInt(attemptValue.trim());
                if (attempt < 1) {
                    problems.add("header " + Headers.ATTEMPT + " is " + attempt + ", expected 1 or more");
                }
            } catch (NumberFormatException e) {
                problems.add("header " + Headers.ATTEMPT + " is '" + shorten(attemptValue) + "', expected a number");
            }
        }
        if (!problems.isEmpty()) {
            return String.join("; ", problems);
        }
        return new CommandHeaders(messageId, sagaId, step, kind, messageType, attempt);
    }

    private static String required(IncomingCommand c, String name, List<String> problems) {
        String value = c.header(name);
        if (value == null) {
            problems.add("missing header " + name);
            return null;
        }
        if (value.isBlank()) {
            problems.add("header " + name + " is blank");
            return null;
        }
        if (value.length() > MAX_HEADER_LENGTH) {
            problems.add("header " + name + " is " + value.length() + " characters long, at most "
                    + MAX_HEADER_LENGTH + " allowed");
            return null;
        }
        return value;
    }

    private static String shorten(String value) {
        return value.length() <= 40 ? value : value.substring(0, 40) + "…";
    }
}
