package dev.baton.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.engine.SagaId;
import io.javalin.http.Context;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
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
            throw new ApiProblem(ApiProblem.Type.SAGA_NOT_FOUND, "no saga with id " + quoted(raw) + " (ids are 1 to 64 characters"
                    + " without whitespace)");
        }
    }

    /** The query parameters, each given at most once and all in {@code allowed}. */
    static Map<String, String> singleParams(Context ctx, Set<String> allowed) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> e : ctx.queryParamMap().entrySet()) {
            if (!allowed.contains(e.getKey())) {
                throw ApiProblem.invalid("unknown query parameter " + quoted(e.getKey()) + (allowed.isEmpty()
                        ? "; this endpoint takes none" : "; known: " + new TreeSet<>(allowed)));
            }
            if (e.getValue().isEmpty()) {
                throw ApiProblem.invalid("query parameter " + quoted(e.getKey()) + " has no value that can be read; encode"
                        + " its value as UTF-8 percent-encoding (a '%' itself as %25)");
            }
            if (e.getValue().size() != 1) {
                throw ApiProblem.invalid("query parameter " + quoted(e.getKey()) + " must be given once, but was given "
                        + e.getValue().size() + " times");
            }
            String v = e.getValue().getFirst();
            if (v.isEmpty()) {
                throw ApiProblem.invalid("query parameter " + quoted(e.getKey()) + " is empty; leave it out instead");
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
        } catch (IllegalArgumentException | DateTimeException | ArithmeticException e) {
            throw ApiProblem.invalid(name + " must be " + expected + ", but was " + quoted(v));
        }
    }

    /** The integer parameter {@code name}, which must lie in {@code [min, max]}. */
    static long longBetween(Map<String, String> q, String name, long min, long max) {
        String v = q.get(name);
        String expected = name + " must be an integer from " + min + " to " + max + ", but was ";
        long n;
        try {
            n = Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw ApiProblem.invalid(expected + quoted(v));
        }
        if (n < min || n > max) {
            throw ApiProblem.invalid(expected + n);
        }
        return n;
    }

    /** The earliest instant a time filter accepts. */
    static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
    /** The latest instant a time filter accepts. */
    static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999999Z");
    private static final String INSTANT = "an ISO-8601 instant from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z,"
            + " such as 2026-01-31T12:00:00Z";

    /** The time filter {@code name}, within {@link #EARLIEST} and {@link #LATEST}, or null when absent. */
    static Instant instant(Map<String, String> q, String name) {
        Instant t = parse(q, name, INSTANT, Instant::parse);
        if (t != null && (t.isBefore(EARLIEST) || t.isAfter(LATEST))) {
            throw ApiProblem.invalid(name + " must be " + INSTANT + ", but was " + quoted(q.get(name)));
        }
        return t;
    }

    /** The longest {@code stuckFor} accepted: 100 years back is before any saga this server stored. */
    static final Duration LONGEST_STUCK = Duration.ofDays(36_500);
    private static final String STUCK_FOR = "a positive ISO-8601 duration up to P36500D (100 years), such as PT10M";

    /** The {@code stuckFor} filter, positive and at most {@link #LONGEST_STUCK}, or null when absent. */
    static Duration stuckFor(Map<String, String> q) {
        Duration d = parse(q, "stuckFor", STUCK_FOR, Duration::parse);
        if (d != null && (d.isNegative() || d.isZero() || d.compareTo(LONGEST_STUCK) > 0)) {
            throw ApiProblem.invalid("stuckFor must be " + STUCK_FOR + ", but was " + quoted(q.get("stuckFor")));
        }
        return d;
    }

    /** The longest piece of the caller's input a problem quotes back. */
    static final int MAX_ECHO = 100;

    /** {@code s} in quotes for a problem's detail, {@link #capped}. */
    static String quoted(String s) {
        return s == null ? "null" : "'" + capped(s) + "'";
    }

    /**
     * {@code s} for a problem's detail: cut to {@value #MAX_ECHO} characters (saying how long it was), with control
     * characters and lone surrogates shown as '?', so a problem never repeats a large or unprintable input back.
     */
    static String capped(String s) {
        String cut = s;
        if (s.length() > MAX_ECHO) {
            int end = Character.isHighSurrogate(s.charAt(MAX_ECHO - 1)) ? MAX_ECHO - 1 : MAX_ECHO;
            cut = s.substring(0, end);
        }
        StringBuilder out = new StringBuilder();
        cut.codePoints().forEach(c -> out.appendCodePoint(Character.isISOControl(c)
                || (c >= Character.MIN_SURROGATE && c <= Character.MAX_SURROGATE) ? '?' : c));
        if (cut.length() < s.length()) {
            out.append("... (").append(s.length()).append(" characters)");
        }
        return out.toString();
    }

    /** Refuses a body holding any field outside {@code allowed}. */
    static void onlyFields(JsonNode body, Set<String> allowed) {
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!allowed.contains(f)) {
                throw ApiProblem.invalid("unknown field " + quoted(f) + "; expected " + new TreeSet<>(allowed));
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
