package dev.baton.engine.internal;

import dev.baton.engine.SagaCodecException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The stored form of {@link Execution}: a small JSON object written and read by the engine itself, so that the
 * user's {@link dev.baton.engine.spi.Codec} (another naming strategy, dates as numbers, ...) can neither change nor
 * break it. It is the format the default Jackson codec wrote before the engine had its own:
 * <pre>{"completed":["a"],"compensated":[],"cursor":{"step":"b","direction":"FORWARD","execution":1,"attempt":1,
 * "roundAttempt":1,"awaiting":true,"uncertain":false,"firstSentAt":"2026-01-01T00:00:00Z"},"parkDeadline":null}</pre>
 * Reading is lenient where earlier writers differed: fields in any order, unknown fields ignored, instants as
 * ISO-8601 text or as epoch seconds (a number, fraction allowed). The engine core has no JSON library (its
 * dependencies are the DSL and SLF4J), hence this one small reader for one fixed shape.
 */
final class ExecutionFormat {
    private ExecutionFormat() {}

    static String encode(Execution e) {
        StringBuilder b = new StringBuilder(192);
        b.append("{\"completed\":");
        strings(b, e.completed());
        b.append(",\"compensated\":");
        strings(b, e.compensated());
        b.append(",\"cursor\":");
        cursor(b, e.cursor());
        b.append(",\"parkDeadline\":");
        instant(b, e.parkDeadline());
        if (e.group() != null) {
            // absent outside a parallel group: states written before groups existed read the same
            Execution.Group g = e.group();
            b.append(",\"group\":{\"name\":");
            string(b, g.name());
            b.append(",\"failing\":").append(g.failing()).append(",\"lanes\":[");
            for (int i = 0; i < g.lanes().size(); i++) {
                Execution.Lane l = g.lanes().get(i);
                b.append(i > 0 ? "," : "").append("{\"branch\":");
                string(b, l.branch());
                b.append(",\"cursor\":");
                cursor(b, l.cursor());
                b.append(",\"parkDeadline\":");
                instant(b, l.parkDeadline());
                b.append(",\"parked\":").append(l.parked()).append(",\"reason\":");
                if (l.reason() == null) {
                    b.append("null");
                } else {
                    string(b, l.reason());
                }
                b.append('}');
            }
            b.append("]}");
        }
        return b.append('}').toString();
    }

    private static void cursor(StringBuilder b, Execution.Cursor c) {
        if (c == null) {
            b.append("null");
        } else {
            b.append("{\"step\":");
            string(b, c.step());
            b.append(",\"direction\":\"").append(c.direction().name()).append('"')
                    .append(",\"execution\":").append(c.execution())
                    .append(",\"attempt\":").append(c.attempt())
                    .append(",\"roundAttempt\":").append(c.roundAttempt())
                    .append(",\"awaiting\":").append(c.awaiting())
                    .append(",\"uncertain\":").append(c.uncertain())
                    .append(",\"firstSentAt\":");
            instant(b, c.firstSentAt());
            if (c.erred()) {
                b.append(",\"erred\":true"); // absent means false: states written before it existed read the same
            }
            b.append('}');
        }
    }

    static Execution decode(String text) {
        if (text == null) {
            throw new SagaCodecException("a saga's execution state is missing", null);
        }
        try {
            Reader r = new Reader(text);
            Object v = r.value();
            r.end();
            if (!(v instanceof Map<?, ?> m)) {
                throw r.error("an object");
            }
            Object cursor = m.get("cursor");
            return new Execution(stringList(m.get("completed")), stringList(m.get("compensated")),
                    cursor == null ? null : cursor((Map<?, ?>) cursor), instant(m.get("parkDeadline")),
                    group(m.get("group")));
        } catch (IllegalArgumentException | ClassCastException | DateTimeParseException | ArithmeticException e) {
            throw new SagaCodecException("a saga's execution state cannot be read (" + e.getMessage() + "): "
                    + (text.length() > 200 ? text.substring(0, 200) + "..." : text), e);
        }
    }

    private static Execution.Group group(Object v) {
        if (v == null) {
            return null;
        }
        Map<?, ?> m = (Map<?, ?>) v;
        List<Execution.Lane> lanes = new ArrayList<>();
        for (Object o : (List<?>) m.get("lanes")) {
            Map<?, ?> l = (Map<?, ?>) o;
            Object c = l.get("cursor");
            lanes.add(new Execution.Lane((String) l.get("branch"), c == null ? null : cursor((Map<?, ?>) c),
                    instant(l.get("parkDeadline")), Boolean.TRUE.equals(l.get("parked")), (String) l.get("reason")));
        }
        return new Execution.Group((String) m.get("name"), lanes, Boolean.TRUE.equals(m.get("failing")));
    }

    private static Execution.Cursor cursor(Map<?, ?> m) {
        return new Execution.Cursor((String) require(m, "step"),
                Execution.Direction.valueOf((String) require(m, "direction")),
                integer(require(m, "execution")), integer(require(m, "attempt")), integer(require(m, "roundAttempt")),
                (Boolean) require(m, "awaiting"), Boolean.TRUE.equals(m.get("uncertain")), instant(m.get("firstSentAt")),
                Boolean.TRUE.equals(m.get("erred")));
    }

    private static Object require(Map<?, ?> m, String field) {
        Object v = m.get(field);
        if (v == null) {
            throw new IllegalArgumentException("cursor." + field + " is missing");
        }
        return v;
    }

    private static int integer(Object v) {
        return ((BigDecimal) v).intValueExact();
    }

    private static List<String> stringList(Object v) {
        if (v == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (Object o : (List<?>) v) {
            out.add((String) o);
        }
        return out;
    }

    private static Instant instant(Object v) {
        if (v == null) {
            return null;
        }
        if (v instanceof BigDecimal seconds) {
            BigDecimal whole = seconds.setScale(0, java.math.RoundingMode.FLOOR);
            return Instant.ofEpochSecond(whole.longValueExact(), seconds.subtract(whole).movePointRight(9).intValue());
        }
        return Instant.parse((String) v);
    }

    private static void instant(StringBuilder b, Instant i) {
        if (i == null) {
            b.append("null");
        } else {
            b.append('"').append(i).append('"');
        }
    }

    private static void strings(StringBuilder b, List<String> values) {
        b.append('[');
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                b.append(',');
            }
            string(b, values.get(i));
        }
        b.append(']');
    }

    private static void string(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (ch < 0x20) {
                        b.append(String.format("\\u%04x", (int) ch));
                    } else {
                        b.append(ch);
                    }
                }
            }
        }
        b.append('"');
    }

    /** A strict reader of JSON values: objects, arrays, strings, numbers (as BigDecimal), booleans and null. */
    private static final class Reader {
        private final String s;
        private int i;

        Reader(String s) {
            this.s = s;
        }

        Object value() {
            skip();
            if (i >= s.length()) {
                throw error("a value");
            }
            char c = s.charAt(i);
            return switch (c) {
                case '{' -> object();
                case '[' -> array();
                case '"' -> string();
                case 't' -> literal("true", Boolean.TRUE);
                case 'f' -> literal("false", Boolean.FALSE);
                case 'n' -> literal("null", null);
                default -> number();
            };
        }

        void end() {
            skip();
            if (i != s.length()) {
                throw error("the end of the text");
            }
        }

        private Map<String, Object> object() {
            Map<String, Object> m = new LinkedHashMap<>();
            i++;
            skip();
            if (peek() == '}') {
                i++;
                return m;
            }
            while (true) {
                skip();
                if (peek() != '"') {
                    throw error("a field name");
                }
                String key = string();
                skip();
                expect(':');
                m.put(key, value());
                skip();
                if (peek() == ',') {
                    i++;
                } else {
                    expect('}');
                    return m;
                }
            }
        }

        private List<Object> array() {
            List<Object> l = new ArrayList<>();
            i++;
            skip();
            if (peek() == ']') {
                i++;
                return l;
            }
            while (true) {
                l.add(value());
                skip();
                if (peek() == ',') {
                    i++;
                } else {
                    expect(']');
                    return l;
                }
            }
        }

        private String string() {
            StringBuilder b = new StringBuilder();
            i++;
            while (true) {
                if (i >= s.length()) {
                    throw error("the end of a string");
                }
                char c = s.charAt(i++);
                if (c == '"') {
                    return b.toString();
                }
                if (c != '\\') {
                    b.append(c);
                    continue;
                }
                if (i >= s.length()) {
                    throw error("an escape");
                }
                char e = s.charAt(i++);
                switch (e) {
                    case '"', '\\', '/' -> b.append(e);
                    case 'b' -> b.append('\b');
                    case 'f' -> b.append('\f');
                    case 'n' -> b.append('\n');
                    case 'r' -> b.append('\r');
                    case 't' -> b.append('\t');
                    case 'u' -> {
                        if (i + 4 > s.length()) {
                            throw error("four hex digits");
                        }
                        b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                        i += 4;
                    }
                    default -> throw error("a valid escape");
                }
            }
        }

        private Object literal(String word, Object value) {
            if (!s.startsWith(word, i)) {
                throw error("'" + word + "'");
            }
            i += word.length();
            return value;
        }

        private BigDecimal number() {
            int start = i;
            while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
                i++;
            }
            if (start == i) {
                throw error("a value");
            }
            return new BigDecimal(s.substring(start, i));
        }

        private char peek() {
            return i < s.length() ? s.charAt(i) : '\0';
        }

        private void expect(char c) {
            if (peek() != c) {
                throw error("'" + c + "'");
            }
            i++;
        }

        private void skip() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }

        IllegalArgumentException error(String expected) {
            return new IllegalArgumentException("expected " + expected + " at offset " + i);
        }
    }
}
