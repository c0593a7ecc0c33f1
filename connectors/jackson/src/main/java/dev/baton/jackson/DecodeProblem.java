package dev.baton.jackson;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidDefinitionException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.PropertyBindingException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.temporal.Temporal;
import java.time.temporal.TemporalAmount;
import java.util.Collection;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a strict decode failed and what was wrong there, in the words of JSON rather than of Java: a field path such
 * as {@code items[2].sku} and a problem such as {@code must be a whole number, but was the number 1.9}. Never names a
 * class, and quotes input at most {@value #MAX_ECHO} characters long.
 */
record DecodeProblem(String field, String problem, String summary) {
    /** The longest piece of input quoted back. */
    static final int MAX_ECHO = 100;
    private static final Pattern COERCE = Pattern.compile("Cannot coerce ([A-Za-z -]+?) value \\((.*)\\) to ",
            Pattern.DOTALL);
    private static final Pattern FROM = Pattern.compile("from ([A-Za-z -]+?) value");
    private static final Pattern DUPLICATE = Pattern.compile("Duplicate (?:field|Object property) '(.*)'", Pattern.DOTALL);

    /** A problem whose summary (the tail of the exception message) is the field and the problem. */
    DecodeProblem(String field, String problem) {
        this(field, problem, field.isEmpty() ? "the value " + problem : field + " " + problem);
    }

    static DecodeProblem of(JsonProcessingException e) {
        if (e instanceof JsonMappingException && e.getCause() instanceof StreamReadException r) {
            return syntax(r); // a duplicate key inside a nested value, wrapped by the binding
        }
        return switch (e) {
            case PropertyBindingException u -> new DecodeProblem(path(u), "is not a field of this data; known fields: "
                    + cap(String.valueOf(new TreeSet<>(u.getKnownPropertyIds().stream().map(String::valueOf).toList()))));
            case InvalidFormatException f -> new DecodeProblem(path(f), "must be " + expected(f.getTargetType())
                    + ", but was " + given(f.getValue()));
            case ValueInstantiationException v -> new DecodeProblem(path(v), "was refused by the data type"
                    + (v.getCause() == null || v.getCause().getMessage() == null ? ""
                            : ": " + cap(v.getCause().getMessage())));
            case InvalidDefinitionException d -> new DecodeProblem(path(d), "cannot be read: the data type has no way to read"
                    + " it from JSON (a problem of the saga's definition, not of the request)");
            case MismatchedInputException m when m.getOriginalMessage().startsWith("Trailing token") ->
                    new DecodeProblem("", "has more content after the JSON value; send exactly one value");
            case MismatchedInputException m when m.getOriginalMessage().startsWith("No content") ->
                    new DecodeProblem("", "is empty; send a JSON object");
            case MismatchedInputException m -> new DecodeProblem(path(m), mismatch(m));
            case JsonMappingException m -> new DecodeProblem(path(m), "cannot be read: " + cap(m.getOriginalMessage()));
            case StreamReadException r -> syntax(r);
            default -> new DecodeProblem("", "is not valid JSON");
        };
    }

    private static DecodeProblem syntax(StreamReadException r) {
        String original = r.getOriginalMessage() == null ? "" : r.getOriginalMessage();
        Matcher dup = DUPLICATE.matcher(original);
        String at = r.getProcessor() instanceof JsonParser p ? pointerPath(p.getParsingContext().pathAsPointer().toString())
                : "";
        if (dup.lookingAt()) {
            String parent = at.contains(".") || at.contains("[") ? at.substring(0, Math.max(at.lastIndexOf('.'),
                    at.lastIndexOf('['))) : "";
            String name = dup.group(1);
            return new DecodeProblem(parent.isEmpty() ? name : parent + "." + name, "appears more than once; give each"
                    + " field once");
        }
        int cut = original.indexOf("\n at [Source");
        String what = cap((cut < 0 ? original : original.substring(0, cut)).replaceAll("\\s*[\\r\\n]+\\s*", " ").strip())
                + location(r);
        return new DecodeProblem("", "is not valid JSON: " + what, what);
    }

    private static String location(StreamReadException r) {
        return r.getLocation() == null ? "" : " (line " + r.getLocation().getLineNr() + ", column "
                + r.getLocation().getColumnNr() + ")";
    }

    private static String mismatch(MismatchedInputException m) {
        String expected = expected(m.getTargetType());
        String original = m.getOriginalMessage() == null ? "" : m.getOriginalMessage();
        Matcher coerce = COERCE.matcher(original);
        if (expected != null && coerce.lookingAt()) {
            return "must be " + expected + ", but was " + given(coerce.group(1), coerce.group(2));
        }
        Matcher from = FROM.matcher(original);
        if (expected != null && from.find()) {
            return "must be " + expected + ", but was " + given(from.group(1), null);
        }
        JsonToken token = m.getProcessor() instanceof JsonParser p ? p.currentToken() : null;
        if (expected != null && token != null) {
            return "must be " + expected + ", but was " + shape(token);
        }
        return expected == null ? "does not fit the data type" : "must be " + expected;
    }

    /** The input Jackson names in a coercion or mismatch message, in JSON's words. */
    private static String given(String shape, String value) {
        return switch (shape) {
            case "String" -> value == null ? "a string" : "the string " + cap(value);
            case "Integer", "Floating-point" -> value == null ? "a number" : "the number " + cap(value);
            case "Boolean" -> value == null ? "a boolean" : cap(value);
            case "Empty String", "empty String" -> "an empty string";
            case "Array" -> "an array";
            case "Object" -> "an object";
            case "Null" -> "null";
            default -> "a value of another kind";
        };
    }

    /** The JSON kind a Java type is read from, or null when it cannot be told. */
    static String expected(Class<?> t) {
        if (t == null) {
            return null;
        }
        if (t == int.class || t == long.class || t == short.class || t == byte.class || t == Integer.class
                || t == Long.class || t == Short.class || t == Byte.class || t == BigInteger.class) {
            return "a whole number";
        }
        if (t == double.class || t == float.class || t == Double.class || t == Float.class || t == BigDecimal.class) {
            return "a number";
        }
        if (t == boolean.class || t == Boolean.class) {
            return "true or false";
        }
        if (t == String.class || t == char.class || t == Character.class || CharSequence.class.isAssignableFrom(t)) {
            return "a string";
        }
        if (t.isEnum()) {
            return "one of " + cap(java.util.Arrays.toString(t.getEnumConstants()));
        }
        if (Temporal.class.isAssignableFrom(t) || TemporalAmount.class.isAssignableFrom(t)) {
            return "an ISO-8601 text (such as 2026-01-31T12:00:00Z or PT10M)";
        }
        if (t == java.util.UUID.class) {
            return "a UUID string";
        }
        if (t.isArray() || Collection.class.isAssignableFrom(t)) {
            return "an array";
        }
        if (t.isPrimitive()) {
            return "a " + t.getName();
        }
        if (Map.class.isAssignableFrom(t) || t.isRecord() || !t.getName().startsWith("java.")) {
            return "an object";
        }
        return null;
    }

    private static String shape(JsonToken token) {
        return switch (token) {
            case START_OBJECT, END_OBJECT, FIELD_NAME -> "an object";
            case START_ARRAY, END_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT -> "a whole number";
            case VALUE_NUMBER_FLOAT -> "a number with a fraction";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> "something else";
        };
    }

    private static String given(Object value) {
        return switch (value) {
            case null -> "null";
            case String s -> "the string " + quote(s);
            case Number n -> "the number " + cap(n.toString());
            case Boolean b -> b.toString();
            default -> "a value of another kind";
        };
    }

    /** The path of the failure as {@code a.b[2].c}; "" for the value itself. */
    static String path(JsonMappingException e) {
        StringBuilder out = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                if (!out.isEmpty()) {
                    out.append('.');
                }
                out.append(cap(r.getFieldName()));
            } else if (r.getIndex() >= 0) {
                out.append('[').append(r.getIndex()).append(']');
            }
        }
        return out.toString();
    }

    /** A JSON pointer ({@code /a/b/2}) as a path ({@code a.b[2]}). */
    private static String pointerPath(String pointer) {
        StringBuilder out = new StringBuilder();
        for (String part : pointer.split("/")) {
            if (part.isEmpty()) {
                continue;
            }
            String name = part.replace("~1", "/").replace("~0", "~");
            if (name.chars().allMatch(Character::isDigit)) {
                out.append('[').append(name).append(']');
            } else {
                out.append(out.isEmpty() ? "" : ".").append(cap(name));
            }
        }
        return out.toString();
    }

    static String quote(String s) {
        return "\"" + cap(s) + "\"";
    }

    /** {@code s} cut to {@value #MAX_ECHO} characters, saying how long it was when cut. */
    static String cap(String s) {
        if (s.length() <= MAX_ECHO) {
            return s;
        }
        int end = Character.isHighSurrogate(s.charAt(MAX_ECHO - 1)) ? MAX_ECHO - 1 : MAX_ECHO;
        return s.substring(0, end) + "... (" + s.length() + " characters)";
    }
}
