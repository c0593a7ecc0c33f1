package dev.baton.engine;

import java.util.List;

/**
 * The data given to start a saga fails the validation its definition declares
 * ({@link dev.baton.dsl.SagaBuilder#validate}). Nothing was stored. It is a {@link SagaCodecException} because callers
 * treat it alike: the data cannot be taken, and sending it again will not help (the REST API answers 400, the Kafka
 * start topic dead-letters the record).
 *
 * @since 0.2
 */
public final class InvalidSagaDataException extends SagaCodecException {
    private final String sagaType;
    private final List<String> problems;

    public InvalidSagaDataException(String sagaType, List<String> problems) {
        this(sagaType, problems, null);
    }

    /** With the exception a validation threw instead of answering. */
    public InvalidSagaDataException(String sagaType, List<String> problems, Throwable cause) {
        super("saga '" + sagaType + "' refuses its data: " + String.join("; ", problems), null, String.join("; ", problems),
                cause);
        this.sagaType = sagaType;
        this.problems = List.copyOf(problems);
    }

    /** The saga type whose validation refused the data. */
    public String sagaType() {
        return sagaType;
    }

    /** The validation's messages, in the order the validations were declared. */
    public List<String> problems() {
        return problems;
    }
}
