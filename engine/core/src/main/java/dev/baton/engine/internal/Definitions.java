package dev.baton.engine.internal;

import dev.baton.dsl.InvalidSagaDefinitionException;
import dev.baton.dsl.SagaDefinition;
import dev.baton.dsl.StepDefinition;
import dev.baton.dsl.StepPolicy;
import dev.baton.engine.SagaDefinitionMismatchException;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registered definitions, by type and version, as registered ({@link #registered}) and as they run: with the step
 * policies operators override at run time applied ({@link #get}, {@link #latest}, {@link #all}). The registered set
 * never changes; the running set is replaced whole when the overrides change, so a reader sees one or the other.
 */
public final class Definitions {
    private static final Logger log = LoggerFactory.getLogger(Definitions.class);

    private final Map<String, TreeMap<Integer, SagaDefinition<?>>> registered;
    private volatile Map<String, TreeMap<Integer, SagaDefinition<?>>> running;

    public Definitions(Collection<SagaDefinition<?>> definitions) {
        Map<String, TreeMap<Integer, SagaDefinition<?>>> byType = new HashMap<>();
        for (SagaDefinition<?> d : definitions) {
            TreeMap<Integer, SagaDefinition<?>> versions = byType.computeIfAbsent(d.type(), t -> new TreeMap<>());
            SagaDefinition<?> prior = versions.putIfAbsent(d.version(), d);
            if (prior != null && prior != d) {
                throw new IllegalArgumentException("saga '" + d.type() + "' v" + d.version() + " is registered twice"
                        + " with different definitions; bump the version of one");
            }
        }
        this.registered = byType;
        this.running = byType;
    }

    /** The definition an instance of {@code type} v{@code version} runs on (step policy overrides applied). */
    public SagaDefinition<?> get(String type, int version, String sagaId) {
        TreeMap<Integer, SagaDefinition<?>> versions = running.get(type);
        SagaDefinition<?> d = versions == null ? null : versions.get(version);
        if (d == null) {
            throw new SagaDefinitionMismatchException(type, version, versions == null ? List.of() : new TreeSet<>(versions.keySet()), sagaId);
        }
        return d;
    }

    /** The definition as registered, without overrides, if there is one. */
    public Optional<SagaDefinition<?>> registered(String type, int version) {
        TreeMap<Integer, SagaDefinition<?>> versions = registered.get(type);
        return Optional.ofNullable(versions == null ? null : versions.get(version));
    }

    /** The newest registered version of {@code type}. */
    public Optional<SagaDefinition<?>> latest(String type) {
        TreeMap<Integer, SagaDefinition<?>> versions = running.get(type);
        return versions == null ? Optional.empty() : Optional.of(versions.lastEntry().getValue());
    }

    /** The registered versions of {@code type}, oldest first; empty for a type not registered. */
    public SortedSet<Integer> versions(String type) {
        TreeMap<Integer, SagaDefinition<?>> versions = registered.get(type);
        return versions == null ? new TreeSet<>() : new TreeSet<>(versions.keySet());
    }

    /** Every registered type with its versions, types sorted: {@code order:1,2;payment:1}, as the node list keeps it. */
    public String signature() {
        StringBuilder b = new StringBuilder();
        for (String type : new TreeSet<>(registered.keySet())) {
            if (!b.isEmpty()) {
                b.append(';');
            }
            b.append(type).append(':');
            b.append(String.join(",", registered.get(type).keySet().stream().map(String::valueOf).toList()));
        }
        return b.toString();
    }

    /** Reads {@link #signature()} back: type → versions. */
    public static Map<String, SortedSet<Integer>> parseSignature(String signature) {
        Map<String, SortedSet<Integer>> out = new TreeMap<>();
        if (signature == null || signature.isEmpty()) {
            return out;
        }
        for (String part : signature.split(";")) {
            int colon = part.lastIndexOf(':');
            if (colon <= 0) {
                continue;
            }
            SortedSet<Integer> versions = new TreeSet<>();
            for (String v : part.substring(colon + 1).split(",")) {
                try {
                    versions.add(Integer.parseInt(v.strip()));
                } catch (NumberFormatException e) {
                    // a node that wrote something else: its other versions still count
                }
            }
            out.put(part.substring(0, colon), versions);
        }
        return out;
    }

    /**
     * Checks step policies for {@code type} against every registered version that has the steps they name, as
     * {@code build()} would. A step no version has is refused.
     *
     * @throws InvalidSagaDefinitionException naming the version, the step and the fix
     */
    public void check(String type, Map<String, StepPolicy> policies) {
        TreeMap<Integer, SagaDefinition<?>> versions = registered.get(type);
        if (versions == null) {
            throw new InvalidSagaDefinitionException(type, List.of("no saga of type '" + type + "' is registered on"
                    + " this node; registered types: " + new TreeSet<>(registered.keySet())));
        }
        for (String step : policies.keySet()) {
            if (versions.values().stream().noneMatch(d -> d.step(step).isPresent())) {
                throw new InvalidSagaDefinitionException(type, List.of("step '" + step + "' is not a step of any"
                        + " registered version of '" + type + "' (v" + versions.keySet() + "); its steps are "
                        + versions.lastEntry().getValue().steps().stream().map(StepDefinition::key).toList()));
            }
        }
        for (SagaDefinition<?> d : versions.values()) {
            try {
                d.withPolicies(only(d, policies));
            } catch (InvalidSagaDefinitionException e) {
                throw new InvalidSagaDefinitionException(type, e.problems().stream().map(p -> "v" + d.version() + " " + p)
                        .toList());
            }
        }
    }

    /**
     * Runs every version with the step policies given for its type ({@code type → step → policy}), replacing those
     * applied before. A version that refuses them (an older node's version lacking a step's park rule, say) runs as
     * registered, and says so in the log.
     */
    public void apply(Map<String, Map<String, StepPolicy>> policies) {
        Map<String, TreeMap<Integer, SagaDefinition<?>>> next = new HashMap<>();
        registered.forEach((type, versions) -> {
            TreeMap<Integer, SagaDefinition<?>> copy = new TreeMap<>();
            Map<String, StepPolicy> forType = policies.getOrDefault(type, Map.of());
            versions.forEach((v, d) -> {
                Map<String, StepPolicy> own = only(d, forType);
                if (own.isEmpty()) {
                    copy.put(v, d);
                    return;
                }
                try {
                    copy.put(v, d.withPolicies(own));
                } catch (InvalidSagaDefinitionException e) {
                    log.warn("saga '{}' v{} runs with its own policies: the overrides do not apply to it: {}", type, v,
                            e.problems());
                    copy.put(v, d);
                }
            });
            next.put(type, copy);
        });
        running = next;
    }

    private static Map<String, StepPolicy> only(SagaDefinition<?> d, Map<String, StepPolicy> policies) {
        Map<String, StepPolicy> own = new LinkedHashMap<>();
        policies.forEach((step, p) -> {
            if (d.step(step).isPresent() && !p.isEmpty()) {
                own.put(step, p);
            }
        });
        return own;
    }

    /** Every participant the registered definitions send commands or compensations to, sorted. */
    public Set<String> participants() {
        Set<String> destinations = new TreeSet<>();
        for (SagaDefinition<?> d : all()) {
            for (StepDefinition<?> st : d.steps()) {
                destinations.add(st.participant().name());
                st.compensationParticipant().ifPresent(p -> destinations.add(p.name()));
            }
        }
        return destinations;
    }

    /** Every registered definition, as it runs. */
    public List<SagaDefinition<?>> all() {
        return running.values().stream().flatMap(v -> v.values().stream()).toList();
    }
}
