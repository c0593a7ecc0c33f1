package dev.baton.engine;

import java.time.Instant;
import java.util.Collections;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Which definition version new sagas of a type start on: a weight per version, in percent, summing to 100. A saga
 * with a business key always lands on the same version while the weights stay (its key's hash picks a bucket in
 * 0..99; the versions take the buckets in order, oldest first), so raising a newer version's share keeps the keys
 * it had and adds more; without a key the bucket is random. Sagas already started keep their version.
 *
 * @param weights version → percent; versions at 0 take no new sagas (a rollback)
 * @since 0.8
 */
public record Rollout(String type, SortedMap<Integer, Integer> weights, String changedBy, String reason,
                      Instant changedAt) {
    public Rollout {
        Objects.requireNonNull(type, "type");
        weights = Collections.unmodifiableSortedMap(new TreeMap<>(weights));
    }

    /** The version bucket {@code bucket} (0..99) starts on. */
    public int versionFor(int bucket) {
        int upTo = 0;
        for (var e : weights.entrySet()) {
            upTo += e.getValue();
            if (bucket < upTo) {
                return e.getKey();
            }
        }
        throw new IllegalStateException("weights " + weights + " do not cover bucket " + bucket);
    }

    /** The bucket of a business key: stable across nodes, restarts and releases (a hash of the type and the key). */
    public static int bucket(String type, String businessKey) {
        // FNV-1a over the UTF-16 units: fixed by this code, not by String.hashCode's contract or the JDK
        int h = 0x811c9dc5;
        String s = type + '\u0000' + businessKey;
        for (int i = 0; i < s.length(); i++) {
            h ^= s.charAt(i);
            h *= 0x01000193;
        }
        return Math.floorMod(h, 100);
    }
}
