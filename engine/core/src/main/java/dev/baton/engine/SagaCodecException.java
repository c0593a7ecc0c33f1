package dev.baton.engine;

import java.util.Optional;

/**
 * Saga data, a command or a reply could not be encoded or decoded, or data given to start a saga was refused
 * ({@link InvalidSagaDataException}).
 *
 * <p>When the codec can tell where in the text the problem is, {@link #field()} names it as a path relative to the
 * decoded value ({@code amountCents}, {@code items[2].sku}; empty for the value as a whole), and {@link #problem()}
 * says what was wrong there in words fit for whoever sent the text: no class names, and quoted input cut short.
 *
 * @since 0.1
 */
public sealed class SagaCodecException extends SagaException permits InvalidSagaDataException {
    private final String field;
    private final String problem;

    public SagaCodecException(String message, Throwable cause) {
        super(message, cause);
        this.field = null;
        this.problem = message;
    }

    /**
     * A failure located in the text.
     *
     * @param message the full message (may name the target type, for logs and Java callers)
     * @param field the path of the offending field relative to the decoded value, "" for the value itself
     * @param problem what was wrong at {@code field}, without class names
     * @since 0.2
     */
    public SagaCodecException(String message, String field, String problem, Throwable cause) {
        super(message, cause);
        this.field = field;
        this.problem = problem;
    }

    /** The path of the offending field relative to the decoded value ("" for the whole value), when known. @since 0.2 */
    public Optional<String> field() {
        return Optional.ofNullable(field);
    }

    /** What was wrong, without the target type's name; the message itself when the codec gave nothing finer. @since 0.2 */
    public String problem() {
        return problem;
    }
}
