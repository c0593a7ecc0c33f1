package dev.baton.dsl;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;

/**
 * A built, validated saga: its type, version, data type and steps. Immutable and thread-safe; share one
 * instance per definition (typically a {@code static final} constant).
 *
 * <p>Create one with {@link Saga#define(String, Class)}.
 *
 * @param <D> the saga's data type, usually a record
 * @since 0.1
 */
public final class SagaDefinition<D> {
    private final String type;
    private final int version;
    private final Class<D> dataType;
    private final String dataTypeName;
    private final List<StepDefinition<D>> steps;
    private final Map<String, StepDefinition<D>> byKey;
    private final List<Function<? super D, String>> validations;
    private final Duration sla;

    SagaDefinition(String type, int version, Class<D> dataType, String dataTypeName, List<StepDefinition<D>> steps,
                   List<Function<? super D, String>> validations, Duration sla) {
        this.validations = List.copyOf(validations);
        this.sla = sla;
        this.type = type;
        this.version = version;
        this.dataType = dataType;
        this.dataTypeName = dataTypeName;
        this.steps = List.copyOf(steps);
        Map<String, StepDefinition<D>> m = new LinkedHashMap<>();
        for (StepDefinition<D> s : steps) {
            m.put(s.key(), s);
        }
        this.byKey = Map.copyOf(m);
    }

    /** The saga type, for example {@code "order-flow"}. */
    public String type() {
        return type;
    }

    /** The definition version. An instance stays on the version it started with. */
    public int version() {
        return version;
    }

    /** The saga data's Java type. */
    public Class<D> dataType() {
        return dataType;
    }

    /** The name the data is stored under (never a class name). Defaults to {@code "<type>.data"}. */
    public String dataTypeName() {
        return dataTypeName;
    }

    /** The steps, in order. */
    public List<StepDefinition<D>> steps() {
        return steps;
    }

    /** The first step. */
    public StepDefinition<D> firstStep() {
        return steps.get(0);
    }

    /** The step with this key. */
    public Optional<StepDefinition<D>> step(String key) {
        return Optional.ofNullable(byKey.get(key));
    }

    /** The step after {@code step}, or empty after the last. */
    public Optional<StepDefinition<D>> next(StepDefinition<D> step) {
        int i = step.index() + 1;
        return i < steps.size() ? Optional.of(steps.get(i)) : Optional.empty();
    }

    /**
     * The step after {@code step} in its branch of a parallel group, or empty when it is the branch's last (or not in a
     * group).
     *
     * @since 0.7
     */
    public Optional<StepDefinition<D>> nextInBranch(StepDefinition<D> step) {
        if (step.group().isEmpty()) {
            return Optional.empty();
        }
        int i = step.index() + 1;
        if (i < steps.size() && step.group().equals(steps.get(i).group()) && step.branch().equals(steps.get(i).branch())) {
            return Optional.of(steps.get(i));
        }
        return Optional.empty();
    }

    /**
     * The first step of each branch of the parallel group that {@code step} is in, in declaration order; empty when it
     * is in none.
     *
     * @since 0.7
     */
    public List<StepDefinition<D>> branchStarts(StepDefinition<D> step) {
        if (step.group().isEmpty()) {
            return List.of();
        }
        List<StepDefinition<D>> out = new ArrayList<>();
        String previous = null;
        for (StepDefinition<D> s : steps) {
            String lane = s.group().map(g -> g + '\u0000' + s.branch()).orElse(null);
            if (step.group().equals(s.group()) && !lane.equals(previous)) {
                out.add(s);
            }
            previous = lane;
        }
        return List.copyOf(out);
    }

    /**
     * The step after the parallel group that {@code step} is in (or after {@code step} itself when it is in none), or
     * empty at the end of the saga.
     *
     * @since 0.7
     */
    public Optional<StepDefinition<D>> afterGroup(StepDefinition<D> step) {
        int i = step.index() + 1;
        while (step.group().isPresent() && i < steps.size() && step.group().equals(steps.get(i).group())) {
            i++;
        }
        return i < steps.size() ? Optional.of(steps.get(i)) : Optional.empty();
    }

    /** The pivot's index, if the saga has one. */
    public OptionalInt pivotIndex() {
        for (StepDefinition<D> s : steps) {
            if (s.kind() == StepKind.PIVOT) {
                return OptionalInt.of(s.index());
            }
        }
        return OptionalInt.empty();
    }

    /** The longest a single attempt may wait, for display. */
    public Duration longestTimeout() {
        return steps.stream().map(StepDefinition::timeout).max(Duration::compareTo).orElse(Duration.ZERO);
    }

    /**
     * The saga's service-level target from start to end ({@link SagaBuilder#sla(Duration)}), if it has one.
     *
     * @since 0.7
     */
    public Optional<Duration> sla() {
        return Optional.ofNullable(sla);
    }

    /** Whether the definition declares validations of its start data ({@link SagaBuilder#validate}). @since 0.2 */
    public boolean validatesData() {
        return !validations.isEmpty();
    }

    /**
     * Runs the definition's validations ({@link SagaBuilder#validate}) on start data: the messages of those that
     * refuse it, in declaration order; empty when the data is acceptable. A validation that throws is reported by
     * what it threw; the engine refuses the start either way.
     *
     * @since 0.2
     */
    public List<String> problemsWith(D data) {
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < validations.size(); i++) {
            String message;
            try {
                message = validations.get(i).apply(data);
            } catch (RuntimeException e) {
                throw new IllegalStateException("validation " + (i + 1) + " of saga '" + type + "' threw instead of"
                        + " answering; a validation must answer null or a message for any data", e);
            }
            if (message != null) {
                problems.add(message.isBlank() ? "validation " + (i + 1) + " refused the data" : message);
            }
        }
        return problems;
    }

    /**
     * A copy of this definition in which the named steps run with other timeouts, retries or park intervals: what an
     * operator's policy override changes at run time. Same type, version, data and steps otherwise. The policies are
     * checked as {@code build()} checks a definition, and all refusals are reported at once.
     *
     * @param policies by step key; a field left null keeps the definition's value
     * @throws InvalidSagaDefinitionException naming each step and what to change: an unknown step, a timeout or park
     *     interval that is not positive, a park rule on a step that does not park, a give-up shorter than the
     *     re-send interval, a compensation retry on a step without compensation, a retry that never retries after the
     *     pivot on a step without fallback
     * @since 0.8
     */
    public SagaDefinition<D> withPolicies(Map<String, StepPolicy> policies) {
        List<String> problems = new ArrayList<>();
        List<StepDefinition<D>> copied = new ArrayList<>(steps);
        for (Map.Entry<String, StepPolicy> e : policies.entrySet()) {
            StepDefinition<D> s = byKey.get(e.getKey());
            if (s == null) {
                problems.add("step '" + e.getKey() + "' is not a step of this saga; its steps are " + byKey.keySet());
                continue;
            }
            StepPolicy p = e.getValue();
            String w = "step '" + s.key() + "'";
            int before = problems.size();
            if (p.timeout() != null && (p.timeout().isZero() || p.timeout().isNegative())) {
                problems.add(w + ": timeout must be positive, but was " + p.timeout());
            }
            Retry retry = p.retry() != null ? p.retry() : s.retry();
            if (s.kind() == StepKind.RETRIABLE && !s.hasFallback() && !retry.retries()) {
                problems.add(w + ": comes after the pivot, so it must eventually succeed, but the retry " + retry
                        + " never retries; give one that retries, such as forever from PT1S up to PT1M");
            }
            if (p.compensationRetry() != null && !s.hasCompensation()) {
                problems.add(w + ": has no compensation, so a compensation retry would never be used; leave it out");
            }
            Park park = s.park().orElse(null);
            if ((p.parkRetryEvery() != null || p.parkGiveUpAfter() != null) && park == null) {
                problems.add(w + ": does not park (it has no whenBusy(...)), so it has no park interval or give-up to"
                        + " change; leave them out");
            } else if (park != null && (p.parkRetryEvery() != null || p.parkGiveUpAfter() != null)) {
                try {
                    park = new Park(park.state(), p.parkRetryEvery() != null ? p.parkRetryEvery() : park.retryEvery(),
                            p.parkGiveUpAfter() != null ? p.parkGiveUpAfter() : park.giveUpAfter());
                } catch (IllegalArgumentException ex) {
                    problems.add(w + ": park " + ex.getMessage());
                }
            }
            if (problems.size() == before) {
                copied.set(s.index(), s.withPolicy(p.timeout() != null ? p.timeout() : s.timeout(), retry,
                        p.compensationRetry() != null ? p.compensationRetry() : s.compensationRetry(), park));
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidSagaDefinitionException(type, problems);
        }
        return new SagaDefinition<>(type, version, dataType, dataTypeName, copied, validations, sla);
    }

    /** Casts untyped data to this saga's data type, with a message naming the saga when it does not fit. */
    public D cast(Object data) {
        if (!dataType.isInstance(data)) {
            throw new ClassCastException("saga '" + type + "' takes data of type " + dataType.getName() + ", not "
                    + (data == null ? "null" : data.getClass().getName()));
        }
        return dataType.cast(data);
    }

    @Override
    public String toString() {
        return "SagaDefinition[" + type + " v" + version + ", " + steps.size() + " steps]";
    }
}
