package dev.baton.resilience4j;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Circuit breaker settings read from flat keys, as a configuration file has them: {@code <participant>.<setting>},
 * where {@code default.<setting>} applies to every participant not named, and a named participant's unset settings
 * come from the defaults. Settings: {@code failure-rate} (percent), {@code minimum-calls}, {@code window} (calls),
 * {@code wait-open} (an ISO-8601 duration such as {@code PT10S}), {@code half-open-calls}.
 *
 * @param defaults the settings of participants not named
 * @param participants the settings of named participants
 * @since 0.1
 */
public record BreakerConfigs(BreakerSettings defaults, Map<String, BreakerSettings> participants) {

    /** The settings a key may end with. */
    public static final List<String> SETTINGS = List.of("failure-rate", "minimum-calls", "window", "wait-open", "half-open-calls");

    /** The participant name that stands for every participant not named. */
    public static final String DEFAULT = "default";

    public BreakerConfigs {
        participants = Map.copyOf(participants);
    }

    /** The settings are not valid; the message has one line per problem. */
    public static final class InvalidBreakerConfigException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        private final List<String> problems;

        InvalidBreakerConfigException(List<String> problems) {
            super(String.join("\n", problems));
            this.problems = List.copyOf(problems);
        }

        public List<String> problems() {
            return problems;
        }
    }

    /**
     * Reads settings from keys {@code <participant>.<setting>} (without any prefix), over {@link BreakerSettings#DEFAULTS}.
     *
     * @param keyPrefix prefixed to keys in problem messages (the prefix the caller stripped, say {@code baton.breaker.})
     * @throws InvalidBreakerConfigException listing every problem, one a line, naming the key and what is expected
     */
    public static BreakerConfigs parse(Map<String, String> keys, String keyPrefix) {
        List<String> problems = new ArrayList<>();
        Map<String, Map<String, String>> byParticipant = new TreeMap<>();
        keys.forEach((key, value) -> {
            int dot = key.lastIndexOf('.');
            String setting = dot < 0 ? key : key.substring(dot + 1);
            if (dot <= 0 || !SETTINGS.contains(setting)) {
                problems.add("unknown circuit breaker setting '" + keyPrefix + key + "': expected " + keyPrefix
                        + "<participant>.<setting> with a setting of " + SETTINGS);
                return;
            }
            byParticipant.computeIfAbsent(key.substring(0, dot), p -> new LinkedHashMap<>()).put(setting, value.trim());
        });
        BreakerSettings defaults = apply(BreakerSettings.DEFAULTS, byParticipant.getOrDefault(DEFAULT, Map.of()),
                keyPrefix + DEFAULT + ".", problems);
        Map<String, BreakerSettings> participants = new LinkedHashMap<>();
        byParticipant.forEach((p, settings) -> {
            if (!p.equals(DEFAULT)) {
                participants.put(p, apply(defaults, settings, keyPrefix + p + ".", problems));
            }
        });
        if (!problems.isEmpty()) {
            throw new InvalidBreakerConfigException(problems);
        }
        return new BreakerConfigs(defaults, participants);
    }

    /**
     * {@code base} with some settings changed, named as in the configuration without participant
     * ({@code failure-rate}, {@code minimum-calls}, {@code window}, {@code wait-open}, {@code half-open-calls}): what an
     * operator's run-time override of one participant's breaker gives.
     *
     * @throws InvalidBreakerConfigException listing every problem
     * @since 0.8
     */
    public static BreakerSettings override(BreakerSettings base, Map<String, String> settings) {
        List<String> problems = new ArrayList<>();
        for (String key : settings.keySet()) {
            if (!SETTINGS.contains(key)) {
                problems.add("unknown circuit breaker setting '" + key + "': expected one of " + SETTINGS);
            }
        }
        BreakerSettings out = problems.isEmpty() ? apply(base, settings, "", problems) : null;
        if (!problems.isEmpty()) {
            throw new InvalidBreakerConfigException(problems);
        }
        return out;
    }

    private static BreakerSettings apply(BreakerSettings base, Map<String, String> settings, String prefix, List<String> problems) {
        if (base == null) {
            base = BreakerSettings.DEFAULTS;
        }
        float rate = base.failureRatePercent();
        int minimum = base.minimumCalls();
        int window = base.slidingWindow();
        Duration wait = base.waitOpen();
        int probes = base.halfOpenCalls();
        int before = problems.size();
        for (Map.Entry<String, String> e : settings.entrySet()) {
            String key = prefix + e.getKey();
            String v = e.getValue();
            try {
                switch (e.getKey()) {
                    case "failure-rate" -> rate = Float.parseFloat(v);
                    case "minimum-calls" -> minimum = Integer.parseInt(v);
                    case "window" -> window = Integer.parseInt(v);
                    case "wait-open" -> wait = Duration.parse(v);
                    case "half-open-calls" -> probes = Integer.parseInt(v);
                    default -> throw new IllegalStateException("unreachable: " + e.getKey());
                }
            } catch (NumberFormatException | DateTimeParseException ex) {
                problems.add(key + " must be " + (e.getKey().equals("wait-open") ? "an ISO-8601 duration such as PT10S"
                        : e.getKey().equals("failure-rate") ? "a percentage" : "an integer") + ", but was '" + v + "'");
            }
        }
        if (settings.containsKey("minimum-calls") && !settings.containsKey("window")) {
            window = Math.max(window, minimum);
        }
        for (String p : BreakerSettings.problems(rate, minimum, window, wait, probes)) {
            problems.add(prefix + p);
        }
        if (problems.size() > before) {
            return null;
        }
        return new BreakerSettings(rate, minimum, window, wait, probes);
    }
}
