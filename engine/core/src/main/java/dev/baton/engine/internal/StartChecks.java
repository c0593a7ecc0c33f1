package dev.baton.engine.internal;

import dev.baton.dsl.SagaDefinition;
import dev.baton.engine.InvalidSagaDataException;
import java.util.List;

/** What a start must satisfy before it is queued: data of the definition's type, a usable business key, valid data. */
final class StartChecks {
    private StartChecks() {}

    /**
     * @throws ClassCastException when the data is not of the definition's data type
     * @throws IllegalArgumentException for a blank, too long or malformed business key
     * @throws InvalidSagaDataException when a validation of the definition refuses the data
     */
    static void check(SagaDefinition<?> definition, Object data, String businessKey) {
        definition.cast(data);
        if (businessKey != null && (businessKey.isBlank() || businessKey.length() > 200)) {
            throw new IllegalArgumentException("businessKey must be 1 to 200 non-blank characters, or null");
        }
        if (businessKey != null && !isWellFormedUnicode(businessKey)) {
            throw new IllegalArgumentException("businessKey must be valid Unicode, but it holds a lone surrogate");
        }
        checkData(definition, data);
    }

    /** Runs the definition's validations of start data; refuses the start when any objects. */
    @SuppressWarnings("unchecked")
    private static <D> void checkData(SagaDefinition<D> definition, Object data) {
        if (!definition.validatesData()) {
            return;
        }
        List<String> problems;
        try {
            problems = definition.problemsWith((D) data);
        } catch (IllegalStateException e) {
            throw new InvalidSagaDataException(definition.type(), List.of("the data could not be checked: a validation"
                    + " of the saga failed on it instead of answering"), e);
        }
        if (!problems.isEmpty()) {
            throw new InvalidSagaDataException(definition.type(), problems);
        }
    }

    /** False when {@code s} holds a surrogate that is not part of a pair (text no UTF-8 encoder can write). */
    static boolean isWellFormedUnicode(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }
}
