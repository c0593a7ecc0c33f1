package dev.baton.participant;

/**
 * Whether a command moves its step forward or compensates it; travels as the {@link Protocol#KIND} header.
 *
 * @since 0.1
 */
public enum CommandKind {
    /** A step's forward command ({@value Protocol#KIND_COMMAND}). */
    COMMAND(Protocol.KIND_COMMAND),
    /** A step's compensation ({@value Protocol#KIND_COMPENSATION}): undo what the forward command did. */
    COMPENSATION(Protocol.KIND_COMPENSATION);

    private final String wireValue;

    CommandKind(String wireValue) {
        this.wireValue = wireValue;
    }

    /** The header value: {@code command} or {@code compensation}. */
    public String wireValue() {
        return wireValue;
    }

    /** The kind with this header value, or null when there is none. */
    static CommandKind fromWire(String value) {
        for (CommandKind k : values()) {
            if (k.wireValue.equals(value)) {
                return k;
            }
        }
        return null;
    }
}
