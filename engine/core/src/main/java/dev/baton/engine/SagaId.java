package dev.baton.engine;

import java.security.SecureRandom;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The identity of one saga instance. A value type: compare with {@code equals}.
 *
 * @param value the id's text form; 1 to 64 characters, no whitespace
 * @since 0.1
 */
public record SagaId(String value) {
    public SagaId {
        Objects.requireNonNull(value, "value");
        if (value.isEmpty() || value.length() > 64 || value.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("saga id must be 1 to 64 characters without whitespace, but was '" + value + "'");
        }
    }

    /** Parses an id. */
    public static SagaId of(String value) {
        return new SagaId(value);
    }

    /**
     * A generator of time-ordered UUIDs (version 7, RFC 9562): ids sort roughly by creation time, which
     * keeps index inserts local. Thread-safe.
     */
    public static Supplier<SagaId> uuidV7() {
        SecureRandom random = new SecureRandom();
        return () -> {
            long millis = System.currentTimeMillis();
            long randA = random.nextInt(1 << 12);
            long msb = (millis << 16) | (0x7L << 12) | randA;
            long lsb = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
            return new SagaId(new UUID(msb, lsb).toString());
        };
    }

    /**
     * The W3C trace id (32 lower-case hex digits) of this saga's trace: every command of the saga, on every engine
     * node and after every restart, carries it in its {@code traceparent}, so one saga is one trace. For an id that is
     * 32 hex digits once its dashes are removed (a UUID, as from the default {@link #uuidV7()}) it is those digits in
     * lower case; for any other id (or all zeros, which W3C forbids as a trace id) the first 16 bytes of the SHA-256 of the id's UTF-8 text. Stable: it
     * depends on nothing but the id.
     *
     * @since 0.5
     */
    public String traceId() {
        String hex = value.replace("-", "").toLowerCase(java.util.Locale.ROOT);
        if (hex.length() == 32 && hex.chars().allMatch(ch -> Character.digit(ch, 16) >= 0)
                && hex.chars().anyMatch(ch -> ch != '0')) {
            return hex;
        }
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(digest, 0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }

    @Override
    public String toString() {
        return value;
    }
}
