package dev.baton.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.dsl.MessageType;
import dev.baton.dsl.Park;
import dev.baton.dsl.Retry;
import dev.baton.dsl.SagaDefinition;
import dev.baton.dsl.StepDefinition;
import dev.baton.dsl.StepKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A saga definition as the API shows it: its steps with kind, participants, the wire names of their commands and
 * replies, timeout, retry policies and park rule, the registered versions, a Mermaid flowchart of the forward path and
 * the compensation edges, and the JSON Schema of every message and data type it names. Pure.
 *
 * @param version the version shown
 * @param versions every registered version of the type, ascending
 * @param dataType the name the saga data is registered under; its schema is {@code schemas[dataType]}
 * @param pivot the pivot step's key, or null when the saga has none (then every step is compensatable)
 * @param mermaid a Mermaid {@code flowchart} text: solid edges forward, dotted edges on failure, busy and compensation
 * @param schemas wire name → JSON Schema (draft 2020-12) of each command, compensation and reply type the steps name,
 *                and of the data under {@code dataType} (since 0.6)
 * @param sla the saga's target from start to end ({@code sla}), or null (since 0.7)
 *
 * @since 0.1
 */
public record DefinitionView(String type, int version, List<Integer> versions, String dataType, String pivot,
                             List<StepView> steps, String mermaid, Map<String, JsonNode> schemas, Duration sla) {

    /**
     * One step.
     *
     * @param kind COMPENSATABLE, PIVOT or RETRIABLE
     * @param command the wire names the step's command may carry (since 0.6)
     * @param replies the wire names of the replies the step folds into the data ({@code onReply}), sorted; a reply of
     *                another type is accepted and its payload not read (since 0.6)
     * @param retry how the command is re-sent after timeouts (and failures, for retriable steps)
     * @param compensation null when the step has none
     * @param park the pending state the step parks in when the participant is busy, or null
     * @param conditional whether the step runs only when a condition on the data holds ({@code when}; since 0.7)
     * @param fallback whether a fallback stands in when its participant cannot answer ({@code fallback}; since 0.7)
     * @param sla the step's target from command sent to reply ({@code sla}), or null (since 0.7)
     * @param group the parallel group the step is a branch of ({@code parallel}), or null (since 0.7)
     * @param branch the branch of its group the step belongs to, or null (since 0.7)
     */
    public record StepView(String key, int index, String kind, String participant, MessageTypesView command,
                           List<String> replies, Duration timeout, Map<String, Object> retry, CompensationView compensation,
                           ParkView park, boolean conditional, boolean fallback, Duration sla, String group,
                           String branch) {}

    /** A step's compensation: who receives it, the wire names it may carry (since 0.6), and how it is retried. */
    public record CompensationView(String participant, MessageTypesView command, Map<String, Object> retry) {}

    /**
     * What a command (or compensation) is, by wire name, each with an entry in {@code schemas}.
     *
     * @param messageTypes the one type the definition declares ({@code declared}); else the records the participant's
     *                     sealed command type permits, one of which is sent; else empty: the definition does not say
     * @param declared whether the definition names the class ({@code invoke(participant, Type.class, ...)})
     * @since 0.6
     */
    public record MessageTypesView(List<String> messageTypes, boolean declared) {
        static MessageTypesView of(List<Class<?>> types, boolean declared) {
            return new MessageTypesView(types.stream().map(MessageType.Names::of).distinct().toList(), declared);
        }
    }

    /** A park rule. */
    public record ParkView(String state, Duration retryEvery, Duration giveUpAfter) {}

    /**
     * The view of {@code definition}, one of {@code versions}, with the schemas of its types as the server's engine
     * encodes them (Baton's default Jackson mapper).
     */
    public static DefinitionView of(SagaDefinition<?> definition, List<Integer> versions) {
        return of(definition, versions, MessageSchemas.DEFAULT.of(definition));
    }

    /** The view of {@code definition}, one of {@code versions}, with {@code schemas} (wire name → JSON Schema). */
    static DefinitionView of(SagaDefinition<?> definition, List<Integer> versions, Map<String, JsonNode> schemas) {
        List<StepView> steps = new ArrayList<>();
        for (StepDefinition<?> s : definition.steps()) {
            CompensationView comp = s.hasCompensation()
                    ? new CompensationView(s.compensationParticipant().map(p -> p.name()).orElse(null),
                            MessageTypesView.of(s.compensationTypes(), s.compensationType().isPresent()),
                            retry(s.compensationRetry()))
                    : null;
            ParkView park = s.park().map(p -> new ParkView(p.state(), p.retryEvery(), p.giveUpAfter())).orElse(null);
            steps.add(new StepView(s.key(), s.index(), s.kind().name(), s.participant().name(),
                    MessageTypesView.of(s.commandTypes(), s.commandType().isPresent()),
                    s.replyTypes().keySet().stream().sorted().toList(),
                    s.timeout(), retry(s.retry()), comp, park, s.hasCondition(), s.hasFallback(),
                    s.sla().orElse(null), s.group().orElse(null), s.branch()));
        }
        String pivot = definition.pivotIndex().isPresent() ? definition.steps().get(definition.pivotIndex().getAsInt()).key() : null;
        return new DefinitionView(definition.type(), definition.version(), List.copyOf(versions), definition.dataTypeName(),
                pivot, List.copyOf(steps), mermaid(definition), Collections.unmodifiableMap(new LinkedHashMap<>(schemas)),
                definition.sla().orElse(null));
    }

    static Map<String, Object> retry(Retry r) {
        Map<String, Object> m = new LinkedHashMap<>();
        switch (r) {
            case Retry.None n -> {
                m.put("policy", "none");
                m.put("maxAttempts", 1);
            }
            case Retry.Fixed f -> {
                m.put("policy", "fixed");
                m.put("maxAttempts", f.maxAttempts());
                m.put("delay", f.delay());
            }
            case Retry.Exponential e -> {
                m.put("policy", "exponential");
                m.put("maxAttempts", e.maxAttempts());
                m.put("initial", e.initial());
                m.put("cap", e.cap());
            }
            case Retry.Forever f -> {
                m.put("policy", "forever");
                m.put("initial", f.initial());
                m.put("cap", f.cap());
            }
        }
        return m;
    }

    /**
     * The saga as a Mermaid flowchart: {@code start} → each step (solid, on success) → {@code COMPLETED}; a failing step
     * before or at the pivot goes (dotted) to the compensation of the nearest earlier step that has one, compensations
     * chain backwards to {@code COMPENSATED}; a step with a park rule has a dotted busy loop through its pending state;
     * a retriable step retries itself on failure; a conditional step has a dotted edge past it ("condition false") to
     * the step after it, and a step with a fallback a dotted edge "no answer: fallback" to the step after it.
     */
    static String mermaid(SagaDefinition<?> d) {
        List<? extends StepDefinition<?>> steps = d.steps();
        int pivot = d.pivotIndex().orElse(steps.size() - 1);
        StringBuilder sb = new StringBuilder("flowchart TD\n");
        sb.append("    start([\"start\"])\n");
        for (StepDefinition<?> s : steps) {
            sb.append("    s").append(s.index()).append("[\"").append(label(s.key())).append("<br/>")
                    .append(label(s.participant().name()))
                    .append(s.kind() == StepKind.PIVOT ? "<br/>(pivot)" : "").append("\"]\n");
        }
        sb.append("    completed([\"COMPLETED\"])\n");
        for (StepDefinition<?> s : steps) {
            if (s.hasCompensation()) {
                sb.append("    c").append(s.index()).append("[\"undo ").append(label(s.key())).append("<br/>")
                        .append(label(s.compensationParticipant().map(p -> p.name()).orElse("?"))).append("\"]\n");
            }
        }
        sb.append("    compensated([\"COMPENSATED\"])\n");
        for (StepDefinition<?> s : steps) {
            if (s.group().isPresent() && isFirstOfGroup(steps, s.index())) {
                sb.append("    j").append(s.index()).append("((\"all of ").append(label(s.group().get()))
                        .append(" done\"))\n");
            }
        }
        appendForward(sb, "start", "", steps, 0);
        for (int i = 0; i < steps.size(); i++) {
            StepDefinition<?> s = steps.get(i);
            if (s.group().isEmpty()) {
                appendForward(sb, "s" + i, "|ok| ", steps, i + 1);
                continue;
            }
            int first = firstOfGroup(steps, i);
            int after = afterGroup(steps, i);
            boolean lastOfBranch = after == i + 1 || !s.branch().equals(steps.get(i + 1).branch());
            sb.append("    s").append(i).append(" -->|ok| ").append(lastOfBranch ? "j" + first : "s" + (i + 1)).append('\n');
            if (i == first) {
                appendForward(sb, "j" + first, "", steps, after);
            }
        }
        for (StepDefinition<?> s : steps) {
            int i = s.index();
            if (i <= pivot && s.kind() != StepKind.RETRIABLE) {
                sb.append("    s").append(i).append(" -.->|failure| ").append(compensationBefore(steps, i)).append('\n');
            } else {
                sb.append("    s").append(i).append(" -.->|failure: retry| s").append(i).append('\n');
            }
            s.park().ifPresent(p -> appendPark(sb, i, p));
            String after = nextNode(steps, i);
            if (s.hasCondition()) {
                int from = s.group().isPresent() && (i == firstOfGroup(steps, i)
                        || !steps.get(i - 1).branch().equals(s.branch())) ? firstOfGroup(steps, i) - 1 : i - 1;
                sb.append("    ").append(from < 0 ? "start" : "s" + from).append(" -.->|skip ").append(label(s.key()))
                        .append(": condition false| ").append(after).append('\n');
            }
            if (s.hasFallback()) {
                sb.append("    s").append(i).append(" -.->|no answer: fallback| ").append(after).append('\n');
            }
        }
        for (StepDefinition<?> s : steps) {
            if (s.hasCompensation()) {
                sb.append("    c").append(s.index()).append(" -.->|done| ").append(compensationBefore(steps, s.index())).append('\n');
            }
        }
        return sb.toString();
    }

    /** Edges from {@code from} to step {@code to}: to each branch's first step when it begins a parallel group. */
    private static void appendForward(StringBuilder sb, String from, String label, List<? extends StepDefinition<?>> steps,
                                      int to) {
        if (to >= steps.size()) {
            sb.append("    ").append(from).append(" -->").append(label.isEmpty() ? " " : label).append("completed\n");
            return;
        }
        if (steps.get(to).group().isEmpty()) {
            sb.append("    ").append(from).append(" -->").append(label.isEmpty() ? " " : label).append("s").append(to)
                    .append('\n');
            return;
        }
        int after = afterGroup(steps, to);
        String previous = null;
        for (int j = to; j < after; j++) {
            if (!steps.get(j).branch().equals(previous)) {
                sb.append("    ").append(from).append(" -->").append(label.isEmpty() ? " " : label).append("s").append(j)
                        .append('\n');
            }
            previous = steps.get(j).branch();
        }
    }

    /** Where a step leads on success: the next step of its branch or its group's join; else the next step. */
    private static String nextNode(List<? extends StepDefinition<?>> steps, int i) {
        StepDefinition<?> s = steps.get(i);
        if (s.group().isPresent()) {
            int after = afterGroup(steps, i);
            boolean lastOfBranch = after == i + 1 || !s.branch().equals(steps.get(i + 1).branch());
            return lastOfBranch ? "j" + firstOfGroup(steps, i) : "s" + (i + 1);
        }
        return i + 1 < steps.size() ? "s" + (i + 1) : "completed";
    }

    private static boolean isFirstOfGroup(List<? extends StepDefinition<?>> steps, int i) {
        return firstOfGroup(steps, i) == i;
    }

    private static int firstOfGroup(List<? extends StepDefinition<?>> steps, int i) {
        int j = i;
        while (j > 0 && steps.get(j - 1).group().equals(steps.get(i).group())) {
            j--;
        }
        return j;
    }

    private static int afterGroup(List<? extends StepDefinition<?>> steps, int i) {
        int j = i + 1;
        while (j < steps.size() && steps.get(j).group().equals(steps.get(i).group())) {
            j++;
        }
        return j;
    }

    private static void appendPark(StringBuilder sb, int i, Park p) {
        sb.append("    p").append(i).append("{{\"").append(label(p.state())).append("\"}}\n");
        sb.append("    s").append(i).append(" -.->|busy| p").append(i).append('\n');
        sb.append("    p").append(i).append(" -.->|every ").append(p.retryEvery()).append("| s").append(i).append('\n');
    }

    /** The compensation node of the nearest step before {@code index} that has one, else the COMPENSATED end. */
    private static String compensationBefore(List<? extends StepDefinition<?>> steps, int index) {
        for (int j = index - 1; j >= 0; j--) {
            if (steps.get(j).hasCompensation()) {
                return "c" + j;
            }
        }
        return "compensated";
    }

    /** Mermaid label text: quotes and angle brackets as entities. */
    private static String label(String s) {
        return s.replace("\"", "#quot;").replace("<", "#lt;").replace(">", "#gt;");
    }
}
