package dev.baton.server.api;

import dev.baton.dsl.SagaDefinition;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The saga definitions the server runs, by type and version, and the endpoints that describe them
 * ({@code GET /api/definitions} and {@code GET /api/definitions/{type}}). Immutable after construction.
 */
final class DefinitionCatalog {

    private final Map<String, TreeMap<Integer, SagaDefinition<?>>> definitions = new TreeMap<>();
    /** Views made once, on first request: the schemas take a few milliseconds per type. By identity of the definition. */
    private final Map<SagaDefinition<?>, DefinitionView> views = new ConcurrentHashMap<>();

    DefinitionCatalog(List<SagaDefinition<?>> definitions) {
        for (SagaDefinition<?> d : definitions) {
            this.definitions.computeIfAbsent(d.type(), t -> new TreeMap<>()).put(d.version(), d);
        }
    }

    boolean has(String type) {
        return definitions.containsKey(type);
    }

    /** The registered types, sorted. */
    Set<String> types() {
        return definitions.keySet();
    }

    /** The definition of {@code type} at {@code version}, or null when this server does not have it. */
    SagaDefinition<?> find(String type, int version) {
        TreeMap<Integer, SagaDefinition<?>> versions = definitions.get(type);
        return versions == null ? null : versions.get(version);
    }

    void list(Context ctx) {
        RequestParams.singleParams(ctx, Set.of());
        List<DefinitionView> items = new ArrayList<>();
        definitions.forEach((type, versions) -> items.add(view(versions.lastEntry().getValue())));
        Json.write(ctx, 200, Map.of("items", items));
    }

    void get(Context ctx) {
        Map<String, String> q = RequestParams.singleParams(ctx, Set.of("version"));
        String type = ctx.pathParam("type");
        TreeMap<Integer, SagaDefinition<?>> versions = definitions.get(type);
        if (versions == null) {
            throw new ApiProblem(ApiProblem.Type.UNKNOWN_SAGA_TYPE, "no saga type " + RequestParams.quoted(type) + " is registered; known types: "
                    + definitions.keySet());
        }
        Integer version = RequestParams.parse(q, "version", "a registered version number", Integer::valueOf);
        SagaDefinition<?> d = version == null ? versions.lastEntry().getValue() : versions.get(version);
        if (d == null) {
            throw new ApiProblem(ApiProblem.Type.UNKNOWN_SAGA_TYPE, "saga type '" + type + "' has no version " + version
                    + "; registered versions: " + versions.keySet());
        }
        Json.write(ctx, 200, view(d));
    }

    private DefinitionView view(SagaDefinition<?> d) {
        return views.computeIfAbsent(d, k -> DefinitionView.of(k, List.copyOf(definitions.get(k.type()).keySet())));
    }
}
