package dev.baton.server.api;

import static dev.baton.server.api.RequestParams.onlyFields;
import static dev.baton.server.api.RequestParams.quoted;
import static dev.baton.server.api.RequestParams.singleParams;
import static dev.baton.server.api.RequestParams.text;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.dsl.Retry;
import dev.baton.dsl.StepPolicy;
import dev.baton.engine.EngineNode;
import dev.baton.engine.LiveControls;
import dev.baton.engine.PolicyOverride;
import dev.baton.engine.Rollout;
import dev.baton.engine.SagaEngine;
import dev.baton.engine.VersionReport;
import dev.baton.engine.spi.SettingChange;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;

/**
 * The REST endpoints of what operators change at run time ({@link LiveControls}): version rollouts
 * ({@code /api/rollouts}), what each version has in flight ({@code /api/versions}), the engine nodes
 * ({@code /api/nodes}), step and participant policy overrides ({@code /api/policies}) and the trail of changes
 * ({@code /api/changes}). Every change needs the API token and a reason, and is recorded with the caller
 * ({@link SagaApi#actor}).
 *
 * @since 0.8
 */
public final class LiveApi {
    private static final int MAX_REASON = 500;
    private static final Set<String> POLICY_FIELDS = Set.of("timeout", "retry", "compensationRetry", "parkRetryEvery",
            "parkGiveUpAfter", "reason");

    private final SagaEngine engine;
    private final long maxBodyBytes;

    public LiveApi(SagaEngine engine, long maxBodyBytes) {
        this.engine = engine;
        this.maxBodyBytes = maxBodyBytes;
    }

    public void routes(RoutesConfig r) {
        r.get("/api/rollouts", ctx -> {
            singleParams(ctx, Set.of());
            Json.write(ctx, 200, Map.of("rollouts", live().rollouts().stream().map(LiveApi::view).toList()));
        });
        r.get("/api/rollouts/{type}", ctx -> Json.write(ctx, 200, live().rollout(ctx.pathParam("type")).map(LiveApi::view)
                .orElseThrow(() -> new ApiProblem(ApiProblem.Type.NOT_FOUND, "saga type " + quoted(ctx.pathParam("type"))
                        + " has no rollout: new sagas start on its newest version (GET /api/versions)"))));
        r.put("/api/rollouts/{type}", this::setRollout);
        r.delete("/api/rollouts/{type}", ctx -> {
            live().clearRollout(ctx.pathParam("type"), SagaApi.actor(ctx), reason(ctx));
            ctx.status(204);
        });
        r.get("/api/versions", ctx -> {
            singleParams(ctx, Set.of());
            Json.write(ctx, 200, Map.of("versions", live().versions().stream().map(LiveApi::view).toList(),
                    "missingHere", live().missingVersions().stream().map(v -> v.type() + " v" + v.version()).toList()));
        });
        r.get("/api/nodes", ctx -> {
            singleParams(ctx, Set.of());
            Json.write(ctx, 200, Map.of("nodes", live().nodes().stream().map(LiveApi::view).toList()));
        });
        r.get("/api/policies", ctx -> {
            singleParams(ctx, Set.of());
            Json.write(ctx, 200, Map.of("policies", live().policies().stream().map(LiveApi::view).toList()));
        });
        r.put("/api/policies/steps/{type}/{step}", this::setStepPolicy);
        r.delete("/api/policies/steps/{type}/{step}", ctx -> {
            live().resetStepPolicy(ctx.pathParam("type"), ctx.pathParam("step"), SagaApi.actor(ctx), reason(ctx));
            ctx.status(204);
        });
        r.put("/api/policies/participants/{participant}", this::setParticipantPolicy);
        r.delete("/api/policies/participants/{participant}", ctx -> {
            live().resetParticipantPolicy(ctx.pathParam("participant"), SagaApi.actor(ctx), reason(ctx));
            ctx.status(204);
        });
        r.get("/api/changes", ctx -> {
            Map<String, String> q = singleParams(ctx, Set.of("limit"));
            int limit = 50;
            if (q.containsKey("limit")) {
                try {
                    limit = Integer.parseInt(q.get("limit"));
                } catch (NumberFormatException e) {
                    limit = -1;
                }
                if (limit < 1 || limit > 1_000) {
                    throw ApiProblem.invalid("limit must be a whole number from 1 to 1000, but was " + quoted(q.get("limit")));
                }
            }
            Json.write(ctx, 200, Map.of("changes", live().changes(limit).stream().map(LiveApi::view).toList()));
        });
    }

    private LiveControls live() {
        return engine.live();
    }

    // ------------------------------------------------------------------ changes

    private void setRollout(Context ctx) {
        JsonNode body = Json.readObject(ctx, maxBodyBytes);
        onlyFields(body, Set.of("weights", "reason"));
        String reason = reason(body);
        JsonNode w = body.get("weights");
        if (w == null || !w.isObject() || w.isEmpty()) {
            throw ApiProblem.invalid("weights is required: an object of version → percent, such as {\"1\": 90, \"2\": 10}");
        }
        Map<Integer, Integer> weights = new TreeMap<>();
        for (Map.Entry<String, JsonNode> e : w.properties()) {
            int version;
            try {
                version = Integer.parseInt(e.getKey().startsWith("v") ? e.getKey().substring(1) : e.getKey());
            } catch (NumberFormatException ex) {
                throw ApiProblem.invalid("weights has key " + quoted(e.getKey()) + ", which is not a version number");
            }
            if (!e.getValue().isIntegralNumber() || !e.getValue().canConvertToInt()) {
                throw ApiProblem.invalid("the weight of version " + version + " must be a whole percent from 0 to 100,"
                        + " but was " + e.getValue());
            }
            weights.put(version, e.getValue().intValue());
        }
        Rollout r = live().setRollout(ctx.pathParam("type"), weights, SagaApi.actor(ctx), reason);
        Json.write(ctx, 200, view(r));
    }

    private void setStepPolicy(Context ctx) {
        JsonNode body = Json.readObject(ctx, maxBodyBytes);
        onlyFields(body, POLICY_FIELDS);
        String reason = reason(body);
        StepPolicy p = new StepPolicy(duration(body, "timeout"), retry(body, "retry"), retry(body, "compensationRetry"),
                duration(body, "parkRetryEvery"), duration(body, "parkGiveUpAfter"));
        PolicyOverride o = live().setStepPolicy(ctx.pathParam("type"), ctx.pathParam("step"), p, SagaApi.actor(ctx), reason);
        Json.write(ctx, 200, view(o));
    }

    private void setParticipantPolicy(Context ctx) {
        JsonNode body = Json.readObject(ctx, maxBodyBytes);
        onlyFields(body, Set.of("settings", "reason"));
        String reason = reason(body);
        JsonNode s = body.get("settings");
        if (s == null || !s.isObject() || s.isEmpty()) {
            throw ApiProblem.invalid("settings is required: an object of the breaker's settings, such as"
                    + " {\"failureRatePercent\": 30, \"waitOpen\": \"PT20S\"}");
        }
        Map<String, String> settings = new TreeMap<>();
        for (Map.Entry<String, JsonNode> e : s.properties()) {
            if (!e.getValue().isValueNode() || e.getValue().isNull()) {
                throw ApiProblem.invalid("setting " + quoted(e.getKey()) + " must be a string or a number");
            }
            settings.put(e.getKey(), e.getValue().asText());
        }
        PolicyOverride o = live().setParticipantPolicy(ctx.pathParam("participant"), settings, SagaApi.actor(ctx), reason);
        Json.write(ctx, 200, view(o));
    }

    private static String reason(JsonNode body) {
        String reason = text(body, "reason", true);
        if (reason.isBlank() || reason.length() > MAX_REASON) {
            throw ApiProblem.invalid("reason must be 1 to " + MAX_REASON + " characters and not blank; it is recorded"
                    + " with the change (GET /api/changes)");
        }
        return reason.strip();
    }

    /** The reason of a DELETE: {@code ?reason=} or a JSON body {@code {"reason": ...}}. */
    private String reason(Context ctx) {
        String q = ctx.queryParam("reason");
        if (q != null) {
            singleParams(ctx, Set.of("reason"));
            if (q.isBlank() || q.length() > MAX_REASON) {
                throw ApiProblem.invalid("reason must be 1 to " + MAX_REASON + " characters and not blank");
            }
            return q.strip();
        }
        if (ctx.contentLength() == 0 || ctx.contentType() == null) {
            throw ApiProblem.invalid("reason is required: ?reason=... or a JSON body {\"reason\": \"...\"}");
        }
        JsonNode body = Json.readObject(ctx, maxBodyBytes);
        onlyFields(body, Set.of("reason"));
        return reason(body);
    }

    private static Duration duration(JsonNode body, String field) {
        String t = text(body, field, false);
        if (t == null) {
            return null;
        }
        try {
            return Duration.parse(t);
        } catch (DateTimeParseException e) {
            throw ApiProblem.invalid(field + " must be an ISO-8601 duration such as \"PT5S\" or \"PT2M\", but was "
                    + quoted(t));
        }
    }

    /**
     * A retry policy: {@code {"kind": "none"}}, {@code {"kind": "fixed", "maxAttempts": 3, "delay": "PT1S"}},
     * {@code {"kind": "exponential", "maxAttempts": 5, "initial": "PT1S", "cap": "PT30S"}},
     * {@code {"kind": "forever", "initial": "PT1S", "cap": "PT1M"}}.
     */
    static Retry retry(JsonNode body, String field) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isObject()) {
            throw ApiProblem.invalid(field + " must be an object such as {\"kind\": \"exponential\", \"maxAttempts\": 5,"
                    + " \"initial\": \"PT1S\", \"cap\": \"PT30S\"}");
        }
        String kind = text(n, "kind", true);
        try {
            return switch (kind) {
                case "none" -> {
                    onlyFields(n, Set.of("kind"));
                    yield Retry.none();
                }
                case "fixed" -> {
                    onlyFields(n, Set.of("kind", "maxAttempts", "delay"));
                    yield Retry.fixed(attempts(n, field), required(n, field, "delay"));
                }
                case "exponential" -> {
                    onlyFields(n, Set.of("kind", "maxAttempts", "initial", "cap"));
                    yield Retry.exponential(attempts(n, field), required(n, field, "initial"), required(n, field, "cap"));
                }
                case "forever" -> {
                    onlyFields(n, Set.of("kind", "initial", "cap"));
                    yield Retry.forever(required(n, field, "initial"), required(n, field, "cap"));
                }
                default -> throw ApiProblem.invalid(field + ".kind must be none, fixed, exponential or forever, but was "
                        + quoted(kind));
            };
        } catch (IllegalArgumentException e) {
            throw ApiProblem.invalid(field + ": " + e.getMessage());
        }
    }

    private static int attempts(JsonNode n, String field) {
        JsonNode a = n.get("maxAttempts");
        if (a == null || !a.isIntegralNumber() || !a.canConvertToInt()) {
            throw ApiProblem.invalid(field + ".maxAttempts is required: a whole number of attempts, at least 1");
        }
        return a.intValue();
    }

    private static Duration required(JsonNode n, String field, String name) {
        Duration d = duration(n, name);
        if (d == null) {
            throw ApiProblem.invalid(field + "." + name + " is required: an ISO-8601 duration such as \"PT1S\"");
        }
        return d;
    }

    // ------------------------------------------------------------------ views

    /** A rollout as the API shows it. */
    public record RolloutView(String type, Map<String, Integer> weights, String changedBy, String reason,
                              Instant changedAt) {}

    static RolloutView view(Rollout r) {
        Map<String, Integer> w = new LinkedHashMap<>();
        r.weights().forEach((v, p) -> w.put(String.valueOf(v), p));
        return new RolloutView(r.type(), w, r.changedBy(), r.reason(), r.changedAt());
    }

    /** A version as the API shows it. */
    public record VersionView(String type, int version, boolean registeredHere, Integer weight, List<String> nodesWith,
                              List<String> nodesWithout, long unended, List<VersionReport.Place> places) {}

    static VersionView view(VersionReport v) {
        return new VersionView(v.type(), v.version(), v.registeredHere(), v.weight(), v.nodesWith(), v.nodesWithout(),
                v.unended(), v.places());
    }

    /** An engine node as the API shows it. */
    public record NodeView(String name, Map<String, SortedSet<Integer>> definitions, Instant startedAt, Instant seenAt,
                           boolean live) {}

    static NodeView view(EngineNode n) {
        return new NodeView(n.name(), n.definitions(), n.startedAt(), n.seenAt(), n.live());
    }

    /** A policy override as the API shows it: a step's (type, step, policy) or a participant's (participant, settings). */
    public record PolicyView(String type, String step, Map<String, Object> policy, String participant,
                             Map<String, String> settings, String changedBy, String reason, Instant changedAt) {}

    static PolicyView view(PolicyOverride o) {
        Map<String, Object> policy = null;
        if (o.policy() != null) {
            policy = new LinkedHashMap<>();
            StepPolicy p = o.policy();
            if (p.timeout() != null) {
                policy.put("timeout", p.timeout().toString());
            }
            if (p.retry() != null) {
                policy.put("retry", view(p.retry()));
            }
            if (p.compensationRetry() != null) {
                policy.put("compensationRetry", view(p.compensationRetry()));
            }
            if (p.parkRetryEvery() != null) {
                policy.put("parkRetryEvery", p.parkRetryEvery().toString());
            }
            if (p.parkGiveUpAfter() != null) {
                policy.put("parkGiveUpAfter", p.parkGiveUpAfter().toString());
            }
        }
        return new PolicyView(o.type(), o.step(), policy, o.participant(), o.settings(), o.changedBy(), o.reason(),
                o.changedAt());
    }

    static Map<String, Object> view(Retry r) {
        Map<String, Object> m = new LinkedHashMap<>();
        switch (r) {
            case Retry.None n -> m.put("kind", "none");
            case Retry.Fixed f -> {
                m.put("kind", "fixed");
                m.put("maxAttempts", f.maxAttempts());
                m.put("delay", f.delay().toString());
            }
            case Retry.Exponential e -> {
                m.put("kind", "exponential");
                m.put("maxAttempts", e.maxAttempts());
                m.put("initial", e.initial().toString());
                m.put("cap", e.cap().toString());
            }
            case Retry.Forever f -> {
                m.put("kind", "forever");
                m.put("initial", f.initial().toString());
                m.put("cap", f.cap().toString());
            }
        }
        return m;
    }

    /** A change as the API shows it. */
    public record ChangeView(long seq, Instant at, String kind, String target, String before, String after, String actor,
                             String reason) {}

    static ChangeView view(SettingChange c) {
        return new ChangeView(c.seq(), c.at(), c.kind(), c.target(), c.before(), c.after(), c.actor(), c.reason());
    }
}
