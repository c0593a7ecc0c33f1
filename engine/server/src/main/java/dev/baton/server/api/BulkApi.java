package dev.baton.server.api;

import static dev.baton.server.api.RequestParams.onlyFields;
import static dev.baton.server.api.RequestParams.quoted;
import static dev.baton.server.api.RequestParams.singleParams;
import static dev.baton.server.api.RequestParams.text;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.engine.ConcurrentUpdateException;
import dev.baton.engine.OperatorAction;
import dev.baton.engine.SagaActionRejectedException;
import dev.baton.engine.SagaEngine;
import dev.baton.engine.SagaNotFoundException;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.spi.SagaPage;
import dev.baton.engine.spi.SagaQuery;
import dev.baton.engine.spi.SagaRecord;
import dev.baton.engine.spi.SagaStore;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The stuck and failed queues and operator actions on many sagas at once:
 * <ul>
 *   <li>{@code GET /api/queues?stuckFor=PT5M[&type=..]}: sagas PENDING or FAILED and unchanged for at least
 *       {@code stuckFor} (default: any age), counted by type, status, step and pending state, oldest first;</li>
 *   <li>{@code POST /api/bulk/{retry|skip|abort|resume}} with {@code {"filter": {...}, "dryRun": true}}: how many sagas
 *       the filter matches and which; without {@code dryRun}, with a {@code reason}: the action on each of them, one
 *       {@link SagaEngine#act} per saga, so each is checked against its own state and recorded in its own history with
 *       the caller and the reason, as a single action is.</li>
 * </ul>
 * A filter names a non-terminal {@code status} and optionally {@code type}, {@code pendingState}, {@code step} (the
 * current step), {@code businessKey} and {@code stuckFor}. At most {@value #MAX_SAGAS} sagas are matched per call; the
 * answer says when there were more ({@code truncated}), and the call can be repeated. Stateless apart from its
 * collaborators; thread-safe.
 *
 * @since 0.8
 */
public final class BulkApi {
    /** The most sagas one bulk call acts on, and the most a queue count reads. */
    public static final int MAX_SAGAS = 1000;
    /** The most ids a dry run lists. */
    static final int MAX_LISTED = 200;
    /** The most pages of {@link SagaQuery#MAX_LIMIT} sagas one call reads (a step filter is applied after reading). */
    private static final int MAX_PAGES = 20;
    private static final int MAX_REASON = 2000;
    private static final Set<SagaStatus> ACTIONABLE = EnumSet.of(SagaStatus.RUNNING, SagaStatus.PENDING,
            SagaStatus.COMPENSATING, SagaStatus.FAILED);
    private static final Set<String> FILTER_FIELDS = Set.of("type", "status", "pendingState", "step", "businessKey",
            "stuckFor");

    private final SagaEngine engine;
    private final SagaStore store;
    private final Clock clock;
    private final long maxBodyBytes;

    public BulkApi(SagaEngine engine, SagaStore store, Clock clock, long maxBodyBytes) {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.store = Objects.requireNonNull(store, "store");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.maxBodyBytes = maxBodyBytes;
    }

    /** Declares the routes. */
    public void routes(RoutesConfig r) {
        r.get("/api/queues", this::queues);
        for (OperatorAction a : OperatorAction.values()) {
            r.post("/api/bulk/" + a.name().toLowerCase(Locale.ROOT), ctx -> bulk(ctx, a));
        }
    }

    // ------------------------------------------------------------------ queues

    /** Sagas of one type, status, step and pending state: how many, and since when the oldest has not changed. */
    public record Queue(String type, SagaStatus status, String step, String pendingState, long count,
                        Instant oldestUpdatedAt) {}

    /**
     * {@code GET /api/queues}: the queues, largest first; {@code truncated} when more than {@value #MAX_SAGAS} sagas
     * of a status matched (the counts are then of the {@value #MAX_SAGAS} created last).
     */
    public record Queues(Duration stuckFor, List<Queue> queues, boolean truncated, Instant asOf) {}

    void queues(Context ctx) {
        Map<String, String> q = singleParams(ctx, Set.of("type", "stuckFor"));
        Duration stuckFor = RequestParams.stuckFor(q);
        Instant now = clock.instant();
        Map<List<Object>, long[]> counts = new LinkedHashMap<>();
        Map<List<Object>, Instant> oldest = new HashMap<>();
        boolean truncated = false;
        for (SagaStatus status : List.of(SagaStatus.FAILED, SagaStatus.PENDING)) {
            Filter f = new Filter(q.get("type"), status, null, null, null, stuckFor);
            Matches m = match(f, now, MAX_SAGAS);
            truncated |= m.truncated();
            for (SagaRecord r : m.records()) {
                List<Object> key = java.util.Arrays.asList(r.type(), r.status(), r.currentStep(), r.pendingState());
                counts.computeIfAbsent(key, k -> new long[1])[0]++;
                oldest.merge(key, r.updatedAt(), (a, b) -> a.isBefore(b) ? a : b);
            }
        }
        List<Queue> out = new ArrayList<>();
        counts.forEach((k, n) -> out.add(new Queue((String) k.get(0), (SagaStatus) k.get(1), (String) k.get(2),
                (String) k.get(3), n[0], oldest.get(k))));
        out.sort(Comparator.comparingLong(Queue::count).reversed().thenComparing(Queue::oldestUpdatedAt));
        Json.write(ctx, 200, new Queues(stuckFor, out, truncated, now));
    }

    // ------------------------------------------------------------------ bulk actions

    /**
     * Which sagas a bulk call selects: a non-terminal {@code status}, and optionally a type, pending state, current
     * step, business key, and a least time unchanged.
     */
    public record Filter(String type, SagaStatus status, String pendingState, String step, String businessKey,
                         Duration stuckFor) {}

    /** What became of one saga in a bulk call: {@code DONE}, {@code REJECTED} (its state does not allow the action),
     *  {@code CONFLICT} (it changed meanwhile) or {@code GONE} (it no longer exists); {@code detail} says why. */
    public record Result(String id, String outcome, String detail) {}

    /**
     * The answer of {@code POST /api/bulk/{action}}.
     *
     * @param matched how many sagas the filter matched (at most {@value #MAX_SAGAS})
     * @param truncated whether more matched than were read; repeat the call for the rest
     * @param ids the matched sagas' ids, at most {@value #MAX_LISTED}, newest first
     * @param results one per matched saga on a real run; empty on a dry run
     * @param done how many the action was applied to (0 on a dry run)
     * @param refused how many were not changed (rejected, changed meanwhile, gone)
     */
    public record BulkResult(String action, boolean dryRun, Filter filter, int matched, boolean truncated,
                             List<String> ids, List<Result> results, int done, int refused, Instant asOf) {}

    void bulk(Context ctx, OperatorAction action) {
        JsonNode body = Json.readObject(ctx, maxBodyBytes);
        onlyFields(body, Set.of("filter", "dryRun", "reason"));
        Filter filter = filter(body.get("filter"));
        JsonNode dry = body.get("dryRun");
        if (dry != null && !dry.isNull() && !dry.isBoolean()) {
            throw ApiProblem.invalid("dryRun must be true or false, but was " + dry.getNodeType().name()
                    .toLowerCase(Locale.ROOT));
        }
        boolean dryRun = dry != null && dry.asBoolean();
        String reason = text(body, "reason", false);
        if (!dryRun && (reason == null || reason.isBlank() || reason.length() > MAX_REASON)) {
            throw ApiProblem.invalid("reason must be 1 to " + MAX_REASON + " characters and not blank (it is recorded in"
                    + " each saga's history); send \"dryRun\": true to see what the filter matches first");
        }
        String actor = dryRun ? null : SagaApi.actor(ctx);
        Instant now = clock.instant();
        Matches m = match(filter, now, MAX_SAGAS);
        List<String> ids = m.records().stream().map(r -> r.id().value()).toList();
        List<Result> results = new ArrayList<>();
        int done = 0;
        if (!dryRun) {
            for (SagaRecord r : m.records()) {
                Result res = act(r, action, actor, reason.strip());
                done += res.outcome().equals("DONE") ? 1 : 0;
                results.add(res);
            }
        }
        Json.write(ctx, 200, new BulkResult(action.name().toLowerCase(Locale.ROOT), dryRun, filter, ids.size(),
                m.truncated(), ids.subList(0, Math.min(ids.size(), MAX_LISTED)), results, done,
                dryRun ? 0 : ids.size() - done, now));
    }

    private Result act(SagaRecord r, OperatorAction action, String actor, String reason) {
        String id = r.id().value();
        try {
            engine.act(r.id(), action, actor, reason);
            return new Result(id, "DONE", null);
        } catch (SagaActionRejectedException e) {
            return new Result(id, "REJECTED", e.getMessage());
        } catch (ConcurrentUpdateException e) {
            return new Result(id, "CONFLICT", e.getMessage() + "; repeat the call if it still applies");
        } catch (SagaNotFoundException e) {
            return new Result(id, "GONE", e.getMessage());
        }
    }

    private static Filter filter(JsonNode f) {
        if (f == null || f.isNull()) {
            throw ApiProblem.invalid("filter is required: an object with a status (one of " + ACTIONABLE + ") and"
                    + " optionally " + new java.util.TreeSet<>(FILTER_FIELDS));
        }
        if (!f.isObject()) {
            throw ApiProblem.invalid("filter must be an object, but was " + f.getNodeType().name().toLowerCase(Locale.ROOT));
        }
        for (var it = f.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!FILTER_FIELDS.contains(name)) {
                throw ApiProblem.invalid("unknown field filter." + capped(name) + "; expected "
                        + new java.util.TreeSet<>(FILTER_FIELDS));
            }
        }
        String status = field(f, "status");
        if (status == null) {
            throw ApiProblem.invalid("filter.status is required, one of " + ACTIONABLE);
        }
        SagaStatus s;
        try {
            s = SagaStatus.valueOf(status.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ApiProblem.invalid("filter.status must be one of " + ACTIONABLE + ", but was " + quoted(status));
        }
        if (!ACTIONABLE.contains(s)) {
            throw ApiProblem.invalid("filter.status must be one of " + ACTIONABLE + " (an ended saga takes no action),"
                    + " but was " + s);
        }
        String stuck = field(f, "stuckFor");
        Duration stuckFor = stuck == null ? null : RequestParams.stuckFor(Map.of("stuckFor", stuck));
        return new Filter(field(f, "type"), s, field(f, "pendingState"), field(f, "step"), field(f, "businessKey"),
                stuckFor);
    }

    private static String field(JsonNode f, String name) {
        JsonNode n = f.get(name);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual() || n.asText().isBlank()) {
            throw ApiProblem.invalid("filter." + name + " must be a non-blank string, or left out");
        }
        return n.asText();
    }

    private static String capped(String s) {
        return RequestParams.capped(s);
    }

    /** The sagas {@code f} matches, newest first, at most {@code max}. */
    record Matches(List<SagaRecord> records, boolean truncated) {}

    Matches match(Filter f, Instant now, int max) {
        SagaQuery query = SagaQuery.all(SagaQuery.MAX_LIMIT)
                .withType(f.type())
                .withStatus(f.status())
                .withPendingState(f.pendingState())
                .withBusinessKey(f.businessKey());
        if (f.stuckFor() != null) {
            query = query.withStuckBefore(now.minus(f.stuckFor()));
        }
        List<SagaRecord> out = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            if (++pages > MAX_PAGES) {
                return new Matches(out, true);
            }
            SagaPage page = store.query(query.withAfter(cursor));
            for (SagaRecord r : page.items()) {
                if (f.step() != null && !f.step().equals(r.currentStep())) {
                    continue;
                }
                if (out.size() == max) {
                    return new Matches(out, true);
                }
                out.add(r);
            }
            cursor = page.nextCursor();
        } while (cursor != null);
        return new Matches(out, false);
    }
}
