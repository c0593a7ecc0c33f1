package dev.baton.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Masks the fields an operator must not read (a card number, a customer's e-mail) in what the API shows of a saga: its
 * data and the messages in its history. A field is masked wherever it appears, at any depth and inside arrays, when
 * its name equals one of the configured names, ignoring case; its value, whatever it was (an object too), becomes the
 * string {@value #MASK}. Immutable and thread-safe.
 */
public final class Redaction {
    /** What a masked value reads as. */
    public static final String MASK = "[redacted]";
    /** Masks nothing. */
    public static final Redaction NONE = new Redaction(Set.of());

    private final Set<String> names;

    private Redaction(Set<String> names) {
        this.names = names;
    }

    /**
     * Masks the fields named {@code names} (blank names are ignored).
     *
     * @throws IllegalArgumentException when a name holds a character other than letters, digits, {@code _}, {@code -}
     *                                  or {@code $}: a path such as {@code card.number} would never match a field
     */
    public static Redaction of(Collection<String> names) {
        Set<String> lower = names.stream().map(String::strip).filter(n -> !n.isEmpty())
                .peek(n -> {
                    if (!n.matches("[\\p{L}\\p{N}_$-]+")) {
                        throw new IllegalArgumentException("redacted field '" + n + "' is not a field name (letters,"
                                + " digits, _, - or $); name the field itself, which is masked at any depth");
                    }
                })
                .map(n -> n.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
        return lower.isEmpty() ? NONE : new Redaction(lower);
    }

    /** The names masked, in lower case. */
    public Set<String> names() {
        return names;
    }

    /** A copy of {@code node} with the named fields masked; {@code node} itself when nothing is masked. */
    public JsonNode apply(JsonNode node) {
        if (names.isEmpty() || node == null || !node.isContainerNode()) {
            return node;
        }
        JsonNode copy = node.deepCopy();
        mask(copy);
        return copy;
    }

    /**
     * A stored message as JSON with the named fields masked; null for null. A message that is not JSON is shown as a
     * string when nothing is masked, and as {@value #MASK} otherwise, since its fields cannot be found in it.
     */
    public JsonNode payload(String stored) {
        if (stored == null) {
            return null;
        }
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(stored);
        } catch (IOException notJson) {
            return Json.MAPPER.getNodeFactory().textNode(names.isEmpty() ? stored : MASK);
        }
        if (node == null || node.isMissingNode()) {
            return Json.MAPPER.getNodeFactory().textNode(stored);
        }
        if (!names.isEmpty() && node.isContainerNode()) {
            mask(node);
        }
        return node;
    }

    private void mask(JsonNode node) {
        if (node instanceof ObjectNode o) {
            for (Map.Entry<String, JsonNode> f : o.properties()) {
                if (names.contains(f.getKey().toLowerCase(Locale.ROOT))) {
                    f.setValue(o.textNode(MASK));
                } else {
                    mask(f.getValue());
                }
            }
        } else if (node instanceof ArrayNode a) {
            a.forEach(this::mask);
        }
    }
}
