package dev.baton.participant;

import java.util.List;

/**
 * Thrown by {@link CommandHandlers.Builder#build()} when the registrations do not make sense, listing every problem
 * at once, each naming the registration and the fix:
 * <pre>
 * participant 'payment' has 2 problems:
 *   handlers[2]: AuthorizePayment (com.shop.AuthorizePayment) is registered twice (also handlers[0]); keep one
 *   handlers[3]: wire name 'Refund' of com.shop.v2.Refund is already taken by com.shop.Refund (handlers[1]); ...
 * </pre>
 *
 * @since 0.1
 */
public final class InvalidHandlersException extends ParticipantException {
    private final String participant;
    private final List<String> problems;

    InvalidHandlersException(String participant, List<String> problems) {
        super("participant '" + participant + "' has " + problems.size() + (problems.size() == 1 ? " problem" : " problems")
                + ":\n  " + String.join("\n  ", problems), null);
        this.participant = participant;
        this.problems = List.copyOf(problems);
    }

    /** The participant whose registrations are invalid. */
    public String participant() {
        return participant;
    }

    /** Every problem found, one sentence each. */
    public List<String> problems() {
        return problems;
    }
}
