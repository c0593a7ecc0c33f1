package dev.baton.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.dsl.SagaDefinition;
import dev.baton.engine.OperatorAction;
import dev.baton.engine.SagaCodecException;
import dev.baton.engine.SagaDefinitionMismatchException;
import dev.baton.engine.SagaEngine;
import dev.baton.engine.SagaId;
import dev.baton.engine.SagaNotFoundException;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.SagaView;
import dev.baton.engine.StartResult;
import dev.baton.engine.spi.HistoryRecord;
import dev.baton.engine.spi.SagaCount;
import dev.baton.engine.spi.SagaPage;
import dev.baton.engine.spi.SagaQuery;
import dev.baton.engine.spi.SagaRecord;
import dev.baton.engine.spi.SagaStore;
import dev.baton.resilience4j.BreakerState;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The REST API under {@code /api}: list, read, start and steer sagas; read definitions and counts; the OpenAPI
 * document. Handlers validate everything before they touch the engine, so a request that fails validation changes
 * nothing. Errors are thrown as {@link ApiProblem}s (or engine exceptions that {@link Problems} maps).
 *
 * @since 0.1
 */
public final class SagaApi {
    /** The default page size of {@code GET /api/sagas}. */
    public static final int DEFAULT_LIMIT = 50;
    /** The header naming the person behind an operator action. */
    public static final String ACTOR_HEADER = "X-Baton-Actor";
    /** Where the OpenAPI document is read from on the classpath (a copy of docs/openapi.json). */
    public static final String OPENAPI_RESOURCE = "/dev/baton/server/openapi.json";

    private static final Set<String> LIST_PARAMS = Set.of("type", "status", "pendingState", "businessKey", "createdFrom",
            "createdTo", "updatedFrom", "updatedTo", "stuckFor", "cursor", "limit");
    private static final int MAX_REASON = 2000;
    private static final int MAX_ACTOR = 100;

    private final SagaEngine engine;
    private final SagaStore store;
    private final Map<String, TreeMap<Integer, SagaDefinition<?>>> definitions = new TreeMap<>();
    private final Clock clock;
    private final long maxBodyBytes;
    private final byte[] openApi;
    private final Supplier<Map<String, Breaker>> breakers;

    public SagaApi(SagaEngine engine, SagaStore store, List<SagaDefinition<?>> definitions, Clock clock, long maxBodyBytes) {
        this(engine, store, definitions, clock, maxBodyBytes, Map::of);
    }

    /** With the participants' circuit breakers for {@code GET /api/stats}. */
    public SagaApi(SagaEngine engine, SagaStore store, List<SagaDefinition<?>> definitions, Clock clock, long maxBodyBytes,
                   Supplier<Map<String, Breaker>> breakers) {
        this.breakers = breakers;
        this.engine = engine;
        this.store = store;
        this.clock = clock;
        this.maxBodyBytes = maxBodyBytes;
        for (SagaDefinition<?> d : definitions) {
            this.definitions.computeIfAbsent(d.type(), t -> new TreeMap<>()).put(d.version(), d);
        }
        try (InputStream in = SagaApi.class.getResourceAsStream(OPENAPI_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the OpenAPI document " + OPENAPI_RESOURCE + " is missing from the jar");
            }
            this.openApi = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Declares the routes. */
    public void routes(RoutesConfig r) {
        r.get("/api/sagas", this::list);
        r.post("/api/sagas", this::start);
        r.get("/api/sagas/{id}", this::get);
        r.get("/api/sagas/{id}/history", this::history);
        for (OperatorAction a : OperatorAction.values()) {
            r.post("/api/sagas/{id}/" + a.name().toLowerCase(Locale.ROOT), ctx -> act(ctx, a));
        }
        r.get("/api/definitions", this::definitions);
        r.get("/api/definitions/{type}", this::definition);
        r.get("/api/stats", this::stats);
        r.get("/api/openapi.json", ctx -> ctx.status(200).contentType("application/json;charset=utf-8").result(openApi));
    }

    // ------------------------------------------------------------------ sagas

    /** A saga in a list: everything but its data. */
    public record SagaSummary(String id, String type, int definitionVersion, SagaStatus status, String pendingState,
                              String reason, String currentStep, String businessKey, long version, Instant createdAt,
                              Instant updatedAt) {
        static SagaSummary of(SagaRecord r) {
            return new SagaSummary(r.id().value(), r.type(), r.definitionVersion(), r.status(), r.pendingState(), r.reason(),
                    r.currentStep(), r.businessKey(), r.version(), r.createdAt(), r.updatedAt());
        }
    }

    /** One page of {@code GET /api/sagas}. */
    public record SagaList(List<SagaSummary> items, String nextCursor) {}

    /**
     * One saga in full: its summary, its data, the steps that took effect and were compensated, and the step timeline
     * ({@link StepTimeline}).
     */
    public record SagaDetail(String id, String type, int definitionVersion, SagaStatus status, String pendingState,
                             String reason, String currentStep, String businessKey, long version, Instant createdAt,
                             Instant updatedAt, JsonNode data, List<String> completedSteps, List<String> compensatedSteps,
                             List<StepTimeline.Step> steps) {}

    /** One history entry. */
    public record HistoryEntry(long seq, Instant at, String kind, String step, String detail) {}

    void list(Context ctx) {
        Map<String, String> q = singleParams(ctx, LIST_PARAMS);
        int limit = DEFAULT_LIMIT;
        if (q.containsKey("limit")) {
            try {
                limit = Integer.parseInt(q.get("limit"));
            } catch (NumberFormatException e) {
                throw ApiProblem.invalid("limit must be an integer from 1 to " + SagaQuery.MAX_LIMIT + ", but was '"
                        + q.get("limit") + "'");
            }
            if (limit < 1 || limit > SagaQuery.MAX_LIMIT) {
                throw ApiProblem.invalid("limit must be an integer from 1 to " + SagaQuery.MAX_LIMIT + ", but was " + limit);
            }
        }
        SagaQuery query = SagaQuery.all(limit)
                .withType(q.get("type"))
                .withStatus(parse(q, "status", "one of " + List.of(SagaStatus.values()),
                        s -> SagaStatus.valueOf(s.toUpperCase(Locale.ROOT))))
                .withPendingState(q.get("pendingState"))
                .withBusinessKey(q.get("businessKey"))
                .withCreated(instant(q, "createdFrom"), instant(q, "createdTo"))
                .withUpdated(instant(q, "updatedFrom"), instant(q, "updatedTo"))
                .withAfter(q.get("cursor"));
        Duration stuckFor = parse(q, "stuckFor", "a positive ISO-8601 duration such as PT10M", Duration::parse);
        if (stuckFor != null) {
            if (stuckFor.isNegative() || stuckFor.isZero()) {
                throw ApiProblem.invalid("stuckFor must be a positive ISO-8601 duration such as PT10M, but was '"
                        + q.get("stuckFor") + "'");
            }
            query = query.withStuckBefore(clock.instant().minus(stuckFor));
        }
        SagaPage page;
        try {
            page = store.query(query);
        } catch (IllegalArgumentException e) {
            if (query.after() != null) {
                throw ApiProblem.invalid("cursor is not one this server issued (pass nextCursor from the previous page,"
                        + " with the same filters): " + e.getMessage());
            }
            throw ApiProblem.invalid(e.getMessage());
        }
        Json.write(ctx, 200, new SagaList(page.items().stream().map(SagaSummary::of).toList(), page.nextCursor()));
    }

    void get(Context ctx) {
        Json.write(ctx, 200, detail(sagaId(ctx)));
    }

    void history(Context ctx) {
        SagaId id = sagaId(ctx);
        List<HistoryRecord> h = store.history(id);
        if (h.isEmpty() && store.find(id).isEmpty()) {
            throw new SagaNotFoundException(id);
        }
        Json.write(ctx, 200, Map.of("items", h.stream().map(r -> new HistoryEntry(r.seq(), r.at(), r.kind(), r.step(), r.detail()))
                .toList()));
    }

    void start(Context ctx) {
        JsonNode body = Json.readObject(ctx, maxBodyBytes);
        onlyFields(body, Set.of("type", "data", "businessKey"));
        String type = text(body, "type", true);
        JsonNode data = body.get("data");
        if (data == null || data.isNull()) {
            throw ApiProblem.invalid("data is required: the saga's data as a JSON object");
        }
        String businessKey = text(body, "businessKey", false);
        if (businessKey != null && (businessKey.isBlank() || businessKey.length() > 200)) {
            throw ApiProblem.invalid("businessKey must be 1 to 200 characters and not blank, or left out");
        }
        if (!definitions.containsKey(type)) {
            throw new ApiProblem(ApiProblem.Type.UNKNOWN_SAGA_TYPE, "no saga type '" + type + "' is registered; known types: "
                    + definitions.keySet() + " (GET /api/definitions)");
        }
        StartResult r;
        try {
            r = engine.start(type, Json.toJson(data), businessKey);
        } catch (SagaCodecException e) {
            throw new ApiProblem(ApiProblem.Type.INVALID_SAGA_DATA, "data does not map onto the data type of saga '" + type
                    + "': " + Json.oneLine(e.getMessage()));
        } catch (SagaDefinitionMismatchException e) {
            throw new ApiProblem(ApiProblem.Type.UNKNOWN_SAGA_TYPE, e.getMessage());
        }
        if (r.created()) {
            ctx.header("Location", "/api/sagas/" + r.id().value());
        }
        Json.write(ctx, r.created() ? 201 : 200, detail(r.id()));
    }

    void act(Context ctx, OperatorAction action) {
        SagaId id = sagaId(ctx);
        JsonNode body = Json.readObject(ctx, maxBodyBytes);
        onlyFields(body, Set.of("reason"));
        String reason = text(body, "reason", true);
        if (reason.isBlank() || reason.length() > MAX_REASON) {
            throw ApiProblem.invalid("reason must be 1 to " + MAX_REASON + " characters and not blank; it is recorded in the"
                    + " saga's history");
        }
        engine.act(id, action, actor(ctx), reason.strip());
        Json.write(ctx, 200, detail(id));
    }

    /** The principal, or "name (principal)" when the caller names a person in {@value #ACTOR_HEADER}. */
    static String actor(Context ctx) {
        String principal = Auth.principal(ctx);
        String claimed = ctx.header(ACTOR_HEADER);
        if (claimed == null) {
            return principal;
        }
        claimed = claimed.strip();
        if (claimed.isEmpty() || claimed.length() > MAX_ACTOR || claimed.chars().anyMatch(Character::isISOControl)) {
            throw ApiProblem.invalid(ACTOR_HEADER + " must be 1 to " + MAX_ACTOR + " printable characters");
        }
        return claimed + " (" + principal + ")";
    }

    private SagaDetail detail(SagaId id) {
        try {
            SagaView v = engine.find(id).orElseThrow(() -> new SagaNotFoundException(id));
            return new SagaDetail(v.id().value(), v.type(), v.definitionVersion(), v.status(), v.pendingState(), v.reason(),
                    v.currentStep(), v.businessKey(), v.version(), v.createdAt(), v.updatedAt(), Json.MAPPER.valueToTree(v.data()),
                    v.completedSteps(), v.compensatedSteps(),
                    StepTimeline.of(definitionOf(v.type(), v.definitionVersion()), store.history(id)));
        } catch (SagaDefinitionMismatchException e) {
            // an instance of a version this server does not have: the stored data as it is, the steps from the history
            SagaRecord r = store.find(id).orElseThrow(() -> new SagaNotFoundException(id));
            List<HistoryRecord> history = store.history(id);
            JsonNode data;
            try {
                data = Json.MAPPER.readTree(r.data());
            } catch (IOException notJson) {
                data = Json.MAPPER.getNodeFactory().textNode(r.data());
            }
            return new SagaDetail(r.id().value(), r.type(), r.definitionVersion(), r.status(), r.pendingState(), r.reason(),
                    r.currentStep(), r.businessKey(), r.version(), r.createdAt(), r.updatedAt(), data,
                    history.stream().filter(h -> h.kind().equals("STEP_COMPLETED")).map(HistoryRecord::step).toList(),
                    history.stream().filter(h -> h.kind().equals("STEP_COMPENSATED")).map(HistoryRecord::step).toList(),
                    StepTimeline.of(null, history));
        }
    }

    private SagaDefinition<?> definitionOf(String type, int version) {
        TreeMap<Integer, SagaDefinition<?>> versions = definitions.get(type);
        return versions == null ? null : versions.get(version);
    }

    // ------------------------------------------------------------------ definitions and stats

    void definitions(Context ctx) {
        singleParams(ctx, Set.of());
        List<DefinitionView> items = new ArrayList<>();
        definitions.forEach((type, versions) -> items.add(DefinitionView.of(versions.lastEntry().getValue(),
                List.copyOf(versions.keySet()))));
        Json.write(ctx, 200, Map.of("items", items));
    }

    void definition(Context ctx) {
        Map<String, String> q = singleParams(ctx, Set.of("version"));
        String type = ctx.pathParam("type");
        TreeMap<Integer, SagaDefinition<?>> versions = definitions.get(type);
        if (versions == null) {
            throw new ApiProblem(ApiProblem.Type.UNKNOWN_SAGA_TYPE, "no saga type '" + type + "' is registered; known types: "
                    + definitions.keySet());
        }
        Integer version = parse(q, "version", "a registered version number", Integer::valueOf);
        SagaDefinition<?> d = version == null ? versions.lastEntry().getValue() : versions.get(version);
        if (d == null) {
            throw new ApiProblem(ApiProblem.Type.UNKNOWN_SAGA_TYPE, "saga type '" + type + "' has no version " + version
                    + "; registered versions: " + versions.keySet());
        }
        Json.write(ctx, 200, DefinitionView.of(d, List.copyOf(versions.keySet())));
    }

    /** Counts of sagas, and the participants' circuit breakers. */
    public record Stats(long total, Map<SagaStatus, Long> byStatus, Map<String, Long> pendingByState,
                        Map<String, TypeStats> byType, long outboxBacklog, long timersDue, Map<String, Breaker> breakers) {}

    /**
     * One participant's circuit breaker: {@code state} CLOSED, OPEN or HALF_OPEN; {@code failureRate} in percent (-1
     * until enough calls); calls in the window, failed ones, and commands held back since the engine started.
     */
    public record Breaker(String state, float failureRate, int bufferedCalls, int failedCalls, long notPermittedCalls) {}

    /** The API's view of breaker snapshots, by participant. */
    public static Map<String, Breaker> breakers(Map<String, BreakerState> states) {
        Map<String, Breaker> out = new TreeMap<>();
        states.forEach((p, b) -> out.put(p, new Breaker(b.state(), b.failureRatePercent(), b.bufferedCalls(), b.failedCalls(),
                b.notPermittedCalls())));
        return out;
    }

    /** Counts of one saga type. */
    public record TypeStats(long total, Map<SagaStatus, Long> byStatus, Map<String, Long> pendingByState) {}

    void stats(Context ctx) {
        singleParams(ctx, Set.of());
        List<SagaCount> counts = store.counts();
        Json.write(ctx, 200, stats(counts, store.outboxBacklog(), store.dueTimerCount(clock.instant()), breakers.get()));
    }

    static Stats stats(List<SagaCount> counts, long outbox, long timersDue, Map<String, Breaker> breakers) {
        long total = 0;
        Map<SagaStatus, Long> byStatus = new TreeMap<>();
        Map<String, Long> pending = new TreeMap<>();
        Map<String, long[]> typeTotals = new TreeMap<>();
        Map<String, Map<SagaStatus, Long>> typeStatus = new TreeMap<>();
        Map<String, Map<String, Long>> typePending = new TreeMap<>();
        for (SagaCount c : counts) {
            total += c.count();
            byStatus.merge(c.status(), c.count(), Long::sum);
            typeTotals.computeIfAbsent(c.type(), t -> new long[1])[0] += c.count();
            typeStatus.computeIfAbsent(c.type(), t -> new TreeMap<>()).merge(c.status(), c.count(), Long::sum);
            typePending.computeIfAbsent(c.type(), t -> new TreeMap<>());
            if (c.status() == SagaStatus.PENDING && c.pendingState() != null) {
                pending.merge(c.pendingState(), c.count(), Long::sum);
                typePending.get(c.type()).merge(c.pendingState(), c.count(), Long::sum);
            }
        }
        Map<String, TypeStats> byType = new LinkedHashMap<>();
        typeTotals.forEach((t, n) -> byType.put(t, new TypeStats(n[0], typeStatus.get(t), typePending.get(t))));
        return new Stats(total, byStatus, pending, byType, outbox, timersDue, breakers);
    }

    // ------------------------------------------------------------------ request parsing

    private static SagaId sagaId(Context ctx) {
        String raw = ctx.pathParam("id");
        try {
            return SagaId.of(raw);
        } catch (IllegalArgumentException e) {
            throw new ApiProblem(ApiProblem.Type.SAGA_NOT_FOUND, "no saga with id '" + raw + "' (ids are 1 to 64 characters"
                    + " without whitespace)");
        }
    }

    /** The query parameters, each given at most once and all in {@code allowed}. */
    private static Map<String, String> singleParams(Context ctx, Set<String> allowed) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> e : ctx.queryParamMap().entrySet()) {
            if (!allowed.contains(e.getKey())) {
                throw ApiProblem.invalid("unknown query parameter '" + e.getKey() + "'" + (allowed.isEmpty()
                        ? "; this endpoint takes none" : "; known: " + new TreeSet<>(allowed)));
            }
            if (e.getValue().size() != 1) {
                throw ApiProblem.invalid("query parameter '" + e.getKey() + "' must be given once");
            }
            String v = e.getValue().getFirst();
            if (v.isEmpty()) {
                throw ApiProblem.invalid("query parameter '" + e.getKey() + "' is empty; leave it out instead");
            }
            out.put(e.getKey(), v);
        }
        return out;
    }

    private static <T> T parse(Map<String, String> q, String name, String expected, Function<String, T> parser) {
        String v = q.get(name);
        if (v == null) {
            return null;
        }
        try {
            return parser.apply(v);
        } catch (IllegalArgumentException | DateTimeParseException e) {
            throw ApiProblem.invalid(name + " must be " + expected + ", but was '" + v + "'");
        }
    }

    private static Instant instant(Map<String, String> q, String name) {
        return parse(q, name, "an ISO-8601 instant such as 2026-01-31T12:00:00Z", Instant::parse);
    }

    private static void onlyFields(JsonNode body, Set<String> allowed) {
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!allowed.contains(f)) {
                throw ApiProblem.invalid("unknown field '" + f + "'; expected " + new TreeSet<>(allowed));
            }
        }
    }

    private static String text(JsonNode body, String field, boolean required) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            if (required) {
                throw ApiProblem.invalid(field + " is required");
            }
            return null;
        }
        if (!n.isTextual()) {
            throw ApiProblem.invalid(field + " must be a string, but was " + n.getNodeType().name().toLowerCase(Locale.ROOT));
        }
        return n.asText();
    }
}
