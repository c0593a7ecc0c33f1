package dev.baton.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.engine.SagaId;
import io.javalin.http.Context;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Reading a request's path, query parameters and JSON body, each checked; a value that does not pass is an
 * {@link ApiProblem} naming the parameter or field and what was expected. Stateless.
 */
final class RequestParams {

    private RequestParams() {}

    /** The {@code {id}} path parameter; an id that cannot exist is answered as not found. */
    static SagaId sagaId(Context ctx) {
        String raw = ctx.pathParam("id");
        try {
            return SagaId.of(raw);
        } catch (IllegalArgumentException e) {
            throw new ApiProblem(ApiProblem.Type.SAGA_NOT_FOUND, "no saga with id '" + raw + "' (ids are 1 to 64 characters"
                    + " without whitespace)");
        }
    }

    /** The query parameters, each given at most once and all in {@code allowed}. */
    static Map<String, String> singleParams(Context ctx, Set<String> allowed) {
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

    /** The parameter {@code name} read by {@code parser}, or null when absent. */
    static <T> T parse(Map<String, String> q, String name, String expected, Function<String, T> parser) {
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

    static Instant instant(Map<String, String> q, String name) {
        return parse(q, name, "an ISO-8601 instant such as 2026-01-31T12:00:00Z", Instant::parse);
    }

    /** Refuses a body holding any field outside {@code allowed}. */
    static void onlyFields(JsonNode body, Set<String> allowed) {
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!allowed.contains(f)) {
                throw ApiProblem.invalid("unknown field '" + f + "'; expected " + new TreeSet<>(allowed));
            }
        }
    }

    /** The string field {@code field} of the body, or null when absent and not required. */
    static String text(JsonNode body, String field, boolean required) {
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
