package dev.baton.protocol;

/**
 * Whether a command moves its step forward or compensates it; travels as the {@link Headers#KIND} header.
 *
 * @since 0.1
 */
public enum CommandKind {
    /** A step's forward command ({@code command}). */
    COMMAND("command"),
    /** A step's compensation ({@code compensation}): undo what the forward command did. */
    COMPENSATION("compensation");

    private final String wireValue;

    CommandKind(String wireValue) {
        this.wireValue = wireValue;
    }

    /** The header value: {@code command} or {@code compensation}. */
    public String wireValue() {
        return wireValue;
    }

    /** The kind with this header value, or null when there is none (also for null). */
    public static CommandKind fromWire(String value) {
        for (CommandKind k : values()) {
            if (k.wireValue.equals(value)) {
                return k;
            }
        }
        return null;
    }
}
