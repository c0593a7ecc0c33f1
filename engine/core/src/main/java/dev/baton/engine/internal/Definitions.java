package dev.baton.engine.internal;

import dev.baton.dsl.SagaDefinition;
import dev.baton.dsl.StepDefinition;
import dev.baton.engine.SagaDefinitionMismatchException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/** The registered definitions, by type and version. Immutable after construction. */
public final class Definitions {
    private final Map<String, TreeMap<Integer, SagaDefinition<?>>> byType = new ConcurrentHashMap<>();

    public Definitions(Collection<SagaDefinition<?>> definitions) {
        for (SagaDefinition<?> d : definitions) {
            TreeMap<Integer, SagaDefinition<?>> versions = byType.computeIfAbsent(d.type(), t -> new TreeMap<>());
            SagaDefinition<?> prior = versions.putIfAbsent(d.version(), d);
            if (prior != null && prior != d) {
                throw new IllegalArgumentException("saga '" + d.type() + "' v" + d.version() + " is registered twice"
                        + " with different definitions; bump the version of one");
            }
        }
    }

    /** The definition an instance of {@code type} v{@code version} runs on. */
    public SagaDefinition<?> get(String type, int version, String sagaId) {
        TreeMap<Integer, SagaDefinition<?>> versions = byType.get(type);
        SagaDefinition<?> d = versions == null ? null : versions.get(version);
        if (d == null) {
            throw new SagaDefinitionMismatchException(type, version, versions == null ? List.of() : new TreeSet<>(versions.keySet()), sagaId);
        }
        return d;
    }

    /** The newest registered version of {@code type}. */
    public Optional<SagaDefinition<?>> latest(String type) {
        TreeMap<Integer, SagaDefinition<?>> versions = byType.get(type);
        return versions == null ? Optional.empty() : Optional.of(versions.lastEntry().getValue());
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

    /** Every registered definition. */
    public List<SagaDefinition<?>> all() {
        return byType.values().stream().flatMap(v -> v.values().stream()).toList();
    }
}
