package dev.baton.server.api;

import static dev.baton.server.api.RequestParams.instant;
import static dev.baton.server.api.RequestParams.onlyFields;
import static dev.baton.server.api.RequestParams.parse;
import static dev.baton.server.api.RequestParams.quoted;
import static dev.baton.server.api.RequestParams.sagaId;
import static dev.baton.server.api.RequestParams.singleParams;
import static dev.baton.server.api.RequestParams.text;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.dsl.SagaDefinition;
import dev.baton.engine.InvalidSagaDataException;
import dev.baton.engine.OperatorAction;
import dev.baton.engine.SagaCodecException;
import dev.baton.engine.SagaDefinitionMismatchException;
import dev.baton.engine.SagaEngine;
import dev.baton.engine.SagaId;
import dev.baton.engine.SagaNotFoundException;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.StartResult;
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
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
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
            "createdTo", "updatedFrom", "updatedTo", "stuckFor", "sort", "cursor", "limit");
    /** The values of {@code sort}, each with its order: newest first is the default. */
    private static final Map<String, SagaQuery.Order> SORTS = Map.of("newest", SagaQuery.Order.NEWEST_FIRST,
            "oldest", SagaQuery.Order.OLDEST_FIRST);
    private static final int MAX_REASON = 2000;
    private static final int MAX_ACTOR = 100;

    private final SagaEngine engine;
    private final SagaStore store;
    private final DefinitionCatalog definitions;
    private final SagaDetails details;
    private final StatsCache stats;
    private final Clock clock;
    private final long maxBodyBytes;
    private final byte[] openApi;
    private final Supplier<Map<String, Breaker>> breakers;
    private volatile Supplier<Map<String, Long>> consumerLag = Map::of;
    private volatile Redaction redaction = Redaction.NONE;

    public SagaApi(SagaEngine engine, SagaStore store, List<SagaDefinition<?>> definitions, Clock clock, long maxBodyBytes) {
        this(engine, store, definitions, clock, maxBodyBytes, Map::of);
    }

    /** With the participants' circuit breakers for {@code GET /api/stats}. */
    public SagaApi(SagaEngine engine, SagaStore store, List<SagaDefinition<?>> definitions, Clock clock, long maxBodyBytes,
                   Supplier<Map<String, Breaker>> breakers) {
        this(engine, store, definitions, clock, maxBodyBytes, breakers, "");
    }

    /**
     * As above, with a link to each saga's trace in {@code GET /api/sagas/{id}}: {@code traceLinkTemplate} with
     * {@code {traceId}} replaced (empty: no link).
     */
    public SagaApi(SagaEngine engine, SagaStore store, List<SagaDefinition<?>> definitions, Clock clock, long maxBodyBytes,
                   Supplier<Map<String, Breaker>> breakers, String traceLinkTemplate) {
        this.breakers = breakers;
        this.engine = engine;
        this.store = store;
        this.clock = clock;
        this.maxBodyBytes = maxBodyBytes;
        this.definitions = new DefinitionCatalog(definitions);
        this.details = new SagaDetails(engine, store, this.definitions, traceLinkTemplate);
        this.stats = new StatsCache(store, clock);
        try (InputStream in = SagaApi.class.getResourceAsStream(OPENAPI_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the OpenAPI document " + OPENAPI_RESOURCE + " is missing from the jar");
            }
            this.openApi = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The engine's own consumers' lag for {@code GET /api/stats} ({@code replies}, {@code starts}: records in their
     * topics not yet consumed), as last read; a consumer whose lag is not known is left out.
     */
    public SagaApi consumerLag(Supplier<Map<String, Long>> lag) {
        this.consumerLag = java.util.Objects.requireNonNull(lag, "lag");
        return this;
    }

    /**
     * Masks these fields in the sagas' data and in the messages of their history, wherever the API (and so the
     * dashboard) shows them; see {@link Redaction}.
     */
    public SagaApi redact(Redaction fields) {
        this.redaction = java.util.Objects.requireNonNull(fields, "fields");
        return this;
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
        r.get("/api/definitions", definitions::list);
        r.get("/api/definitions/{type}", definitions::get);
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
     * One saga in full: its summary, its trace id (and a link to the trace when a template is set), its data, the steps that took effect and were compensated, the step timeline
     * ({@link StepTimeline}), and the latest page of its history with the counters of folded entries.
     */
    public record SagaDetail(String id, String type, int definitionVersion, SagaStatus status, String pendingState,
                             String reason, String currentStep, String businessKey, long version, Instant createdAt,
                             Instant updatedAt, String traceId, String traceLink, JsonNode data,
                             List<String> completedSteps, List<String> compensatedSteps,
                             List<StepTimeline.Step> steps, HistoryView history) {}

    void list(Context ctx) {
        Map<String, String> q = singleParams(ctx, LIST_PARAMS);
        int limit = DEFAULT_LIMIT;
        if (q.containsKey("limit")) {
            try {
                limit = Integer.parseInt(q.get("limit"));
            } catch (NumberFormatException e) {
                throw ApiProblem.invalid("limit must be an integer from 1 to " + SagaQuery.MAX_LIMIT + ", but was "
                        + quoted(q.get("limit")));
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
                .withOrder(parse(q, "sort", "one of [newest, oldest]", s -> {
                    SagaQuery.Order order = SORTS.get(s.toLowerCase(Locale.ROOT));
                    if (order == null) {
                        throw new IllegalArgumentException("unknown sort");
                    }
                    return order;
                }))
                .withAfter(q.get("cursor"));
        Duration stuckFor = RequestParams.stuckFor(q);
        if (stuckFor != null) {
            query = query.withStuckBefore(clock.instant().minus(stuckFor));
        }
        SagaPage page;
        try {
            page = store.query(query);
        } catch (IllegalArgumentException e) {
            if (query.after() != null) {
                throw ApiProblem.invalid("cursor is not one this server issued (pass nextCursor from the previous page,"
                        + " with the same filters and sort): " + e.getMessage());
            }
            throw ApiProblem.invalid(e.getMessage());
        }
        Json.write(ctx, 200, new SagaList(page.items().stream().map(SagaSummary::of).toList(), page.nextCursor()));
    }

    void get(Context ctx) {
        Json.write(ctx, 200, details.of(sagaId(ctx), redaction));
    }

    void history(Context ctx) {
        SagaId id = sagaId(ctx);
        Map<String, String> q = singleParams(ctx, Set.of("before", "limit"));
        long before = q.containsKey("before") ? RequestParams.longBetween(q, "before", 1, Long.MAX_VALUE) : Long.MAX_VALUE;
        int limit = q.containsKey("limit") ? (int) RequestParams.longBetween(q, "limit", 1, HistoryView.MAX_LIMIT)
                : HistoryView.DEFAULT_LIMIT;
        HistoryView page = HistoryView.read(store, id, before, limit, redaction);
        if (page.items().isEmpty() && store.find(id).isEmpty()) {
            throw new SagaNotFoundException(id);
        }
        Json.write(ctx, 200, page);
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
        if (!definitions.has(type)) {
            throw new ApiProblem(ApiProblem.Type.UNKNOWN_SAGA_TYPE, "no saga type " + quoted(type) + " is registered; known"
                    + " types: " + definitions.types() + " (GET /api/definitions)");
        }
        StartResult r;
        try {
            r = engine.start(type, Json.toJson(data), businessKey);
        } catch (InvalidSagaDataException e) {
            throw new ApiProblem(ApiProblem.Type.INVALID_SAGA_DATA, "data is refused by saga '" + type + "': "
                    + Json.oneLine(e.problem()));
        } catch (SagaCodecException e) {
            throw new ApiProblem(ApiProblem.Type.INVALID_SAGA_DATA, "data does not map onto the data type of saga '" + type
                    + "': " + e.field().map(f -> "data" + (f.isEmpty() || f.startsWith("[") ? "" : ".") + f + " ")
                            .orElse("") + Json.oneLine(e.problem()));
        } catch (SagaDefinitionMismatchException e) {
            throw new ApiProblem(ApiProblem.Type.UNKNOWN_SAGA_TYPE, e.getMessage());
        }
        if (r.created()) {
            ctx.header("Location", "/api/sagas/" + r.id().value());
        }
        Json.write(ctx, r.created() ? 201 : 200, details.of(r.id(), redaction));
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
        Json.write(ctx, 200, details.of(id, redaction));
    }

    /** The principal, or "name (principal)" when the caller names a person in {@value #ACTOR_HEADER}. */
    static String actor(Context ctx) {
        String principal = Auth.principal(ctx);
        String claimed = ctx.header(ACTOR_HEADER);
        if (claimed == null) {
            return principal;
        }
        claimed = claimed.strip();
        if (claimed.isEmpty() || claimed.length() > MAX_ACTOR || claimed.chars().anyMatch(Character::isISOControl)
                || !Json.wellFormed(claimed)) {
            throw ApiProblem.invalid(ACTOR_HEADER + " must be 1 to " + MAX_ACTOR + " printable characters");
        }
        return claimed + " (" + principal + ")";
    }

    // ------------------------------------------------------------------ stats

    /**
     * Counts of sagas, and the participants' circuit breakers and flow control. The counts, the backlog and the due
     * timers are read from the store at {@code asOf}, at most once a second ({@link StatsCache}); breakers and flow
     * control are this node's, as of the request.
     */
    public record Stats(long total, Map<SagaStatus, Long> byStatus, Map<String, Long> pendingByState,
                        Map<String, TypeStats> byType, long outboxBacklog, long timersDue, Map<String, Breaker> breakers,
                        Map<String, Flow> participants, Map<String, Long> consumerLag, Instant asOf) {}

    /**
     * One participant's flow control as this node sees it: the limit shared by all nodes (its whole part), commands in
     * flight and waiting, how long the first in line has waited (0 when none waits), whether this node leads it, and
     * (on the node that leads it) the pause between releases of a participant limited by rate, 0 when not paced.
     */
    public record Flow(long limit, long inFlight, long waiting, double oldestWaitSeconds, boolean leader, double paceMs) {}

    private Map<String, Flow> flows() {
        return flows(engine, clock);
    }

    /** Every participant's flow control as {@code engine} sees it now, by name. */
    static Map<String, Flow> flows(SagaEngine engine, Clock clock) {
        Map<String, Flow> out = new TreeMap<>();
        java.time.Instant now = clock.instant();
        for (dev.baton.engine.FlowView f : engine.flows()) {
            double waited = f.oldestWaiting() == null || f.waiting() == 0 ? 0
                    : Math.max(0, java.time.Duration.between(f.oldestWaiting(), now).toMillis() / 1000.0);
            out.put(f.participant(), new Flow((long) Math.floor(f.limit()), f.inFlight(), f.waiting(), waited, f.leader(),
                    f.pace().toNanos() / 1e6));
        }
        return out;
    }

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
        StatsCache.Snapshot snap = stats.get();
        Json.write(ctx, 200, StatsTally.of(snap.counts(), snap.outboxBacklog(), snap.timersDue(), breakers.get(), flows(),
                consumerLag.get(), snap.asOf()));
    }
}
