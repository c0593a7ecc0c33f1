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

    @Override
    public String toString() {
        return value;
    }
}
