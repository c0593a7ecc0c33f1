package dev.baton.engine.internal;

import dev.baton.dsl.Retry;
import java.time.Duration;

/**
 * A retry policy as text, for the live settings the store keeps: {@code none}, {@code fixed:3:PT1S},
 * {@code exponential:5:PT1S:PT30S}, {@code forever:PT1S:PT1M}.
 */
public final class RetryText {
    private RetryText() {}

    public static String format(Retry r) {
        return switch (r) {
            case Retry.None n -> "none";
            case Retry.Fixed f -> "fixed:" + f.maxAttempts() + ":" + f.delay();
            case Retry.Exponential e -> "exponential:" + e.maxAttempts() + ":" + e.initial() + ":" + e.cap();
            case Retry.Forever f -> "forever:" + f.initial() + ":" + f.cap();
        };
    }

    /** Reads {@link #format}'s text; null for null. @throws IllegalArgumentException when it is not one */
    public static Retry parseOrNull(String text) {
        if (text == null) {
            return null;
        }
        String[] p = text.split(":");
        try {
            return switch (p[0]) {
                case "none" -> Retry.none();
                case "fixed" -> Retry.fixed(Integer.parseInt(p[1]), Duration.parse(p[2]));
                case "exponential" -> Retry.exponential(Integer.parseInt(p[1]), Duration.parse(p[2]), Duration.parse(p[3]));
                case "forever" -> Retry.forever(Duration.parse(p[1]), Duration.parse(p[2]));
                default -> throw new IllegalArgumentException("unknown retry kind '" + p[0] + "'");
            };
        } catch (ArrayIndexOutOfBoundsException | java.time.format.DateTimeParseException | NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a retry policy", e);
        }
    }
}
