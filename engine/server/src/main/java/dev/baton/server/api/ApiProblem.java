package dev.baton.server.api;

import java.util.Map;
import java.util.Objects;

/**
 * An RFC 9457 problem that a handler throws to end the request: the status, a problem type, a fixed title per type
 * and a detail that says what was wrong with this request and how to fix it. {@link Problems} writes it as
 * {@code application/problem+json}. The detail never holds a secret or saga data beyond what the caller sent.
 *
 * @since 0.1
 */
public final class ApiProblem extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The problem types the API uses; their URIs are {@value Problems#TYPE_BASE} plus the slug. */
    public enum Type {
        INVALID_REQUEST(400, "invalid-request", "The request is not valid"),
        MALFORMED_JSON(400, "malformed-json", "The request body is not valid JSON"),
        INVALID_SAGA_DATA(400, "invalid-saga-data", "The saga data does not fit the saga's data type"),
        UNAUTHORIZED(401, "unauthorized", "A valid bearer token is required"),
        SAGA_NOT_FOUND(404, "saga-not-found", "No such saga"),
        UNKNOWN_SAGA_TYPE(404, "unknown-saga-type", "No such saga type"),
        NOT_FOUND(404, "not-found", "No such resource"),
        METHOD_NOT_ALLOWED(405, "method-not-allowed", "Method not allowed"),
        ACTION_REJECTED(409, "action-rejected", "The action does not apply to the saga in its present state"),
        CONCURRENT_UPDATE(409, "concurrent-update", "The saga changed while the request was handled"),
        SETTING_CONFLICT(409, "setting-conflict", "The setting cannot be followed by every engine node now"),
        BODY_TOO_LARGE(413, "body-too-large", "The request body is too large"),
        URI_TOO_LONG(414, "uri-too-long", "The request URI is too long"),
        UNSUPPORTED_MEDIA_TYPE(415, "unsupported-media-type", "The request body must be JSON"),
        HEADERS_TOO_LARGE(431, "headers-too-large", "The request headers are too large"),
        INTERNAL_ERROR(500, "internal-error", "Internal server error"),
        STORE_UNAVAILABLE(503, "store-unavailable", "The saga store is not available"),
        SHUTTING_DOWN(503, "shutting-down", "The server is shutting down");

        private final int status;
        private final String slug;
        private final String title;

        Type(int status, String slug, String title) {
            this.status = status;
            this.slug = slug;
            this.title = title;
        }

        public int status() {
            return status;
        }

        public String slug() {
            return slug;
        }

        public String title() {
            return title;
        }

        public String uri() {
            return Problems.TYPE_BASE + slug;
        }
    }

    private final Type type;
    private final String detail;
    private final Map<String, String> headers;

    public ApiProblem(Type type, String detail) {
        this(type, detail, Map.of());
    }

    public ApiProblem(Type type, String detail, Map<String, String> headers) {
        super(type.slug() + ": " + detail, null, false, false);
        this.type = Objects.requireNonNull(type, "type");
        this.detail = Objects.requireNonNull(detail, "detail");
        this.headers = Map.copyOf(headers);
    }

    /** A 400 for a request that is not valid. */
    public static ApiProblem invalid(String detail) {
        return new ApiProblem(Type.INVALID_REQUEST, detail);
    }

    public Type type() {
        return type;
    }

    public String detail() {
        return detail;
    }

    /** Response headers to add (for example {@code WWW-Authenticate} on a 401). */
    public Map<String, String> headers() {
        return headers;
    }
}
