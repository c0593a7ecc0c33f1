package dev.baton.server.api;

import dev.baton.engine.ConcurrentUpdateException;
import dev.baton.engine.LiveSettingRejectedException;
import dev.baton.engine.SagaActionRejectedException;
import dev.baton.engine.SagaNotFoundException;
import dev.baton.engine.SagaStoreException;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes every error response as an RFC 9457 problem ({@code application/problem+json}: type, title, status, detail,
 * instance), mapping the engine's exceptions and Javalin's own responses onto {@link ApiProblem.Type}s. Unexpected
 * exceptions become a 500 whose body carries an error id and no stack trace; the id and the trace go to the log.
 *
 * @since 0.1
 */
public final class Problems {
    private static final Logger log = LoggerFactory.getLogger(Problems.class);

    /** The prefix of every problem type URI; the rest is the type's slug (see docs/operations.md). */
    public static final String TYPE_BASE = "https://baton.dev/problems/";
    /** RFC 9457's media type. */
    public static final String MEDIA_TYPE = "application/problem+json";

    private Problems() {}

    /** Handles any exception a handler (or Javalin) threw. */
    public static void handle(Exception e, Context ctx) {
        write(ctx, toProblem(e, ctx));
    }

    /** Writes {@code p} as the response. */
    public static void write(Context ctx, ApiProblem p) {
        p.headers().forEach(ctx::header);
        Map<String, Object> body = document(p.type().uri(), p.type().title(), p.type().status(), p.detail(), ctx.path());
        if (p.type() == ApiProblem.Type.BODY_TOO_LARGE) {
            Json.writeThenDrain(ctx, p.type().status(), MEDIA_TYPE, body); // the client may still be sending
        } else {
            Json.write(ctx, p.type().status(), MEDIA_TYPE, body);
        }
    }

    /** The members of a problem document, in the order the API writes them. */
    static Map<String, Object> document(String type, String title, int status, String detail, String instance) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", type);
        body.put("title", title);
        body.put("status", status);
        body.put("detail", detail);
        body.put("instance", instance);
        return body;
    }

    /**
     * An error handler for statuses Javalin sets without throwing to the exception handlers (an unknown route, a wrong
     * method): rewrites a response that is not a problem yet into one.
     */
    public static void ensureProblem(Context ctx) {
        String type = ctx.res().getContentType();
        if (type != null && type.startsWith(MEDIA_TYPE)) {
            return;
        }
        write(ctx, fromJavalin(new HttpResponseException(ctx.statusCode(), String.valueOf(ctx.result())), ctx));
    }

    static ApiProblem toProblem(Exception e, Context ctx) {
        return switch (e) {
            case ApiProblem p -> p;
            case SagaNotFoundException nf -> new ApiProblem(ApiProblem.Type.SAGA_NOT_FOUND, nf.getMessage());
            case SagaActionRejectedException r -> new ApiProblem(ApiProblem.Type.ACTION_REJECTED, r.getMessage());
            case LiveSettingRejectedException r -> new ApiProblem(r.conflict() ? ApiProblem.Type.SETTING_CONFLICT
                    : ApiProblem.Type.INVALID_REQUEST, r.getMessage());
            case ConcurrentUpdateException c -> new ApiProblem(ApiProblem.Type.CONCURRENT_UPDATE,
                    c.getMessage() + "; read the saga again and repeat the request if it still applies");
            case SagaStoreException s -> {
                log.warn("{} {}: the saga store failed", ctx.method(), ctx.path(), s);
                yield new ApiProblem(ApiProblem.Type.STORE_UNAVAILABLE, "the saga store could not serve the request ("
                        + s.getMessage() + "); try again later");
            }
            case HttpResponseException h -> fromJavalin(h, ctx);
            default -> {
                String id = UUID.randomUUID().toString();
                log.error("{} {} failed unexpectedly (error id {})", ctx.method(), ctx.path(), id, e);
                yield new ApiProblem(ApiProblem.Type.INTERNAL_ERROR, "an unexpected error occurred; the server log has"
                        + " the details under error id " + id);
            }
        };
    }

    private static ApiProblem fromJavalin(HttpResponseException h, Context ctx) {
        return switch (h.getStatus()) {
            case 404 -> new ApiProblem(ApiProblem.Type.NOT_FOUND, "no endpoint for " + ctx.method() + " " + ctx.path()
                    + "; the API is described at /api/openapi.json");
            case 405 -> new ApiProblem(ApiProblem.Type.METHOD_NOT_ALLOWED, ctx.method() + " is not allowed on " + ctx.path()
                    + "; the API is described at /api/openapi.json");
            case 413 -> new ApiProblem(ApiProblem.Type.BODY_TOO_LARGE, "the request body is larger than the server accepts");
            case 400 -> ApiProblem.invalid(h.getMessage());
            default -> {
                log.warn("{} {}: unexpected HTTP status {} from the web server: {}", ctx.method(), ctx.path(), h.getStatus(),
                        h.getMessage());
                yield new ApiProblem(ApiProblem.Type.INTERNAL_ERROR, "the request could not be handled (" + h.getStatus()
                        + ")");
            }
        };
    }
}
