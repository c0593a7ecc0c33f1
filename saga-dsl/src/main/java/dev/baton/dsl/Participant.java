package dev.baton.dsl;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A typed handle on a participant service: its stable name and the type its commands share.
 *
 * <p>Declare one constant per participant and use it in every saga that talks to that service:
 * <pre>{@code
 * static final Participant<PaymentCommand> PAYMENT = Participant.named("payment", PaymentCommand.class);
 * }</pre>
 * The name is what transports route by (the Kafka connector maps it to a topic); it never changes
 * for a deployed participant. Immutable and thread-safe.
 *
 * @param <C> the common supertype of the commands this participant accepts
 * @since 0.1
 */
public final class Participant<C> {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,99}");

    private final String name;
    private final Class<C> commandType;

    private Participant(String name, Class<C> commandType) {
        this.name = name;
        this.commandType = commandType;
    }

    /**
     * Creates a handle.
     *
     * @param name lower-case letters, digits, {@code .}, {@code _} or {@code -}, at most 100 characters
     * @param commandType the supertype of the participant's commands; {@code Object.class} accepts any
     * @throws IllegalArgumentException when the name does not fit the pattern
     */
    public static <C> Participant<C> named(String name, Class<C> commandType) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(commandType, "commandType");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("participant name must match " + NAME.pattern()
                    + " (lower case, digits, '.', '_', '-'), but was '" + name + "'");
        }
        return new Participant<>(name, commandType);
    }

    /** The stable name transports route by. */
    public String name() {
        return name;
    }

    /** The common supertype of this participant's commands. */
    public Class<C> commandType() {
        return commandType;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Participant<?> p && p.name.equals(name) && p.commandType.equals(commandType);
    }

    @Override
    public int hashCode() {
        return name.hashCode();
    }

    @Override
    public String toString() {
        return "Participant[" + name + "]";
    }
}
