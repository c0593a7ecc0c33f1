package dev.baton.server.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.UUID;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web server's own error responses as problem documents. Jetty refuses some requests before any route sees them:
 * a request line or headers over the size limit (414, 431), a character that is not allowed in a header, a path that
 * is ambiguous ({@code /..;/}, an encoded {@code /} or {@code .}) or holds a NUL (400), and, while it shuts down, a
 * new request on a connection that was open already (503). It answers those through its
 * error handler, which is this class on the server and on the servlet context, so they are
 * {@code application/problem+json} like every other error, with a detail that says what to change. Statuses without a
 * Baton problem type get {@code about:blank} with the status's reason as the title (RFC 9457, section 4.2.1).
 *
 * @since 0.1
 */
public final class ContainerErrors extends ErrorHandler {
    private static final Logger log = LoggerFactory.getLogger(ContainerErrors.class);
    private static final int MAX_INSTANCE = 200;

    private final int headerLimit;
    private final long maxBodyBytes;

    /**
     * @param headerLimit the web server's limit on the request line and headers, in bytes
     * @param maxBodyBytes the largest request body accepted ({@code baton.api.max-body-bytes})
     */
    public ContainerErrors(int headerLimit, long maxBodyBytes) {
        this.headerLimit = headerLimit;
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        int status = request.getAttribute(ERROR_STATUS) instanceof Integer i ? i : response.getStatus();
        String reason = request.getAttribute(ERROR_MESSAGE) instanceof String m ? m : null;
        Throwable cause = request.getAttribute(ERROR_EXCEPTION) instanceof Throwable t ? t : null;
        if (cause instanceof HttpException h) {
            status = h.getCode();
            reason = reason == null ? h.getReason() : reason;
        }
        // a request line that could not be read leaves Jetty's placeholder path
        String path = request.getHttpURI() == null || "/badMessage".equals(request.getHttpURI().getPath()) ? null
                : request.getHttpURI().getPath();
        byte[] body = body(status, reason, path, cause);
        response.setStatus(status < 400 || status > 599 ? 500 : status);
        HttpFields.Mutable headers = response.getHeaders();
        headers.put(HttpHeader.CONTENT_TYPE, Problems.MEDIA_TYPE + ";charset=utf-8");
        headers.put(HttpHeader.CONTENT_LENGTH, body.length);
        headers.put(ERROR_CACHE_CONTROL);
        response.write(true, ByteBuffer.wrap(body), callback);
        return true;
    }

    private byte[] body(int status, String reason, String path, Throwable cause) {
        int code = status < 400 || status > 599 ? 500 : status;
        String instance = instance(path);
        String said = reason == null || reason.isBlank() ? HttpStatus.getMessage(code) : RequestParams.capped(reason);
        ApiProblem.Type type = switch (code) {
            case 400 -> ApiProblem.Type.INVALID_REQUEST;
            case 404 -> ApiProblem.Type.NOT_FOUND;
            case 405 -> ApiProblem.Type.METHOD_NOT_ALLOWED;
            case 413 -> ApiProblem.Type.BODY_TOO_LARGE;
            case 414 -> ApiProblem.Type.URI_TOO_LONG;
            case 415 -> ApiProblem.Type.UNSUPPORTED_MEDIA_TYPE;
            case 431 -> ApiProblem.Type.HEADERS_TOO_LARGE;
            case 500 -> ApiProblem.Type.INTERNAL_ERROR;
            case 503 -> ApiProblem.Type.SHUTTING_DOWN;
            default -> null;
        };
        String detail = switch (code) {
            case 400 -> badRequest(said);
            case 404 -> "no endpoint for " + instance + "; the API is described at /api/openapi.json";
            case 405 -> "the method is not allowed on " + instance + "; the API is described at /api/openapi.json";
            case 413 -> "the request body is larger than " + maxBodyBytes + " bytes (baton.api.max-body-bytes)";
            case 414 -> "the request line is longer than the server accepts (" + headerLimit + " bytes with the"
                    + " headers); send fewer or shorter query parameters";
            case 415 -> "the body must be sent as application/json";
            case 431 -> "the request headers are larger than the server accepts (" + headerLimit + " bytes with the"
                    + " request line); send fewer or shorter headers";
            case 500 -> {
                String id = UUID.randomUUID().toString();
                log.error("the web server failed on a request to {} (error id {}): {}", instance, id, said, cause);
                yield "an unexpected error occurred; the server log has the details under error id " + id;
            }
            case 503 -> "the server is shutting down and takes no new requests; send it to another node, or again"
                    + " once this one has restarted";
            default -> "the request could not be handled: " + said;
        };
        log.debug("web server refused a request to {}: {} {}", instance, code, said);
        try {
            return Json.MAPPER.writeValueAsBytes(type == null
                    ? Problems.document("about:blank", HttpStatus.getMessage(code), code, detail, instance)
                    : Problems.document(type.uri(), type.title(), code, detail, instance));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a problem document", e);
        }
    }

    private static String badRequest(String reason) {
        String r = reason.toLowerCase(Locale.ROOT);
        if (r.contains("character")) {
            return "the request line or a header holds a character that is not allowed (" + reason + "): the path must"
                    + " be percent-encoded, header names tokens, and header values visible ASCII, spaces or tabs";
        }
        if (r.contains("uri") || r.contains("path")) {
            return "the request path cannot be used (" + reason + "): send it without encoded '/', '.' or control"
                    + " characters, without ';' parameters and without '.' or '..' segments";
        }
        if (r.contains("header") || r.contains("field") || r.contains("host")) {
            return "a request header is not valid (" + reason + ")";
        }
        return "the request could not be read (" + reason + "): check that the request line is 'METHOD /path"
                + " HTTP/1.1', that the path holds no control character, even percent-encoded (%00), and that every"
                + " header is 'Name: value'";
    }

    /**
     * The request path as the instance, when it is known and can be shown (printable ASCII, capped); "/" when the
     * request line could not be read.
     */
    private static String instance(String path) {
        if (path == null || path.isEmpty() || path.charAt(0) != '/') {
            return "/";
        }
        String cut = path.length() > MAX_INSTANCE ? path.substring(0, MAX_INSTANCE) : path;
        return cut.chars().allMatch(c -> c > 0x20 && c < 0x7f) ? cut : "/";
    }
}
