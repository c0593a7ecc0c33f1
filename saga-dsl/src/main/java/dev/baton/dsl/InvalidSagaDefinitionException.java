package dev.baton.dsl;

import java.util.List;

/**
 * Thrown by {@code build()} when a saga definition is not valid. Lists every problem at once, each
 * naming the step and the fix.
 *
 * @since 0.1
 */
public final class InvalidSagaDefinitionException extends RuntimeException {
    private final String sagaType;
    private final List<String> problems;

    public InvalidSagaDefinitionException(String sagaType, List<String> problems) {
        super(render(sagaType, problems));
        this.sagaType = sagaType;
        this.problems = List.copyOf(problems);
    }

    /** The saga that failed to build. */
    public String sagaType() {
        return sagaType;
    }

    /** Each problem, one sentence each, in step order. */
    public List<String> problems() {
        return problems;
    }

    private static String render(String sagaType, List<String> problems) {
        StringBuilder sb = new StringBuilder("saga '").append(sagaType).append("' has ")
                .append(problems.size()).append(problems.size() == 1 ? " problem:" : " problems:");
        for (String p : problems) {
            sb.append("\n  - ").append(p);
        }
        return sb.toString();
    }
}
