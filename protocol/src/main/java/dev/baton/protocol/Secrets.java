package dev.baton.protocol;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.LinkedHashMap;
import java.util.regex.Pattern;

/**
 * Decides which settings hold secrets and masks them for logs, error messages and {@code toString()}. The one place
 * in Baton that knows what a secret looks like; every settings dump goes through it.
 *
 * <p>A setting's name is split into words at {@code .}, {@code -}, {@code _} and lower-to-upper case changes
 * ({@code sasl.jaas.config} → sasl, jaas, config; {@code apiKey} → api, key). The name is secret when
 * <ul>
 *   <li>any word is one of password, passwd, passphrase, secret, jaas, credential, credentials, private
 *       ({@code ssl.key.password}, {@code sasl.jaas.config}, {@code client.secret.id}, {@code private.key.pem}), or</li>
 *   <li>its <em>last</em> word is one of key, token ({@code ssl.keystore.key}, {@code api-key},
 *       {@code auth.token}).</li>
 * </ul>
 * "key" and "token" count only at the end, because as a leading word they name something else:
 * {@code key.serializer} and {@code baton.kafka.key-serializer} name a class, {@code sasl.oauthbearer.token.endpoint.url}
 * a URL. A value is masked only when it is not empty, so an unset secret still shows as unset.
 *
 * <p>Stateless and thread-safe.
 *
 * @since 0.1
 */
public final class Secrets {

    /** What a masked value reads as: {@value}. */
    public static final String MASK = "****";

    static final String STRONG_WORDS_TEXT = "password, passwd, passphrase, secret, jaas, credential, credentials, private";
    static final String LAST_WORDS_TEXT = "key, token";

    private static final Set<String> STRONG_WORDS = Set.of(STRONG_WORDS_TEXT.split(", "));
    private static final Set<String> LAST_WORDS = Set.of(LAST_WORDS_TEXT.split(", "));

    private static final Pattern WORD_BREAK = Pattern.compile("[._\\-\\s]+|(?<=[a-z0-9])(?=[A-Z])");

    /** A {@code password=...} parameter in a URL, up to the next {@code &} or {@code ;}. */
    private static final Pattern URL_PASSWORD = Pattern.compile("(?i)(password=)[^&;]*");

    private Secrets() {
    }

    /** Whether the setting {@code name} holds a secret (see the class comment for the rule). */
    public static boolean isSecret(String name) {
        if (name == null || name.isBlank()) {
            return false;
        }
        String[] words = WORD_BREAK.split(name.strip());
        for (String word : words) {
            if (STRONG_WORDS.contains(word.toLowerCase(Locale.ROOT))) {
                return true;
            }
        }
        return words.length > 0 && LAST_WORDS.contains(words[words.length - 1].toLowerCase(Locale.ROOT));
    }

    /**
     * {@code value} as it may be shown for the setting {@code name}: {@link #MASK} for a non-empty secret, the value
     * with any URL password masked otherwise (see {@link #maskUrl}). Null stays null.
     */
    public static String mask(String name, String value) {
        if (value == null) {
            return null;
        }
        if (isSecret(name)) {
            return value.isEmpty() ? value : MASK;
        }
        return maskUrl(value);
    }

    /** A copy of {@code settings}, in its iteration order, with every value passed through {@link #mask}. */
    public static Map<String, String> maskAll(Map<String, String> settings) {
        Map<String, String> masked = new LinkedHashMap<>();
        settings.forEach((k, v) -> masked.put(k, mask(k, v)));
        return masked;
    }

    /**
     * A URL (typically JDBC) with the value of any {@code password=} parameter masked:
     * {@code jdbc:postgresql://db/baton?user=u&password=****}. Null stays null.
     */
    public static String maskUrl(String url) {
        return url == null ? null : URL_PASSWORD.matcher(url).replaceAll("$1" + MASK);
    }
}
