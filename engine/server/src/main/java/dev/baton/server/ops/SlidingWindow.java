package dev.baton.server.ops;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * Counts and latencies of the last 15 minutes, in memory, in 10-second slices: what {@code GET /api/slas} and
 * {@code GET /api/participants} report over their windows of 1, 5 and 15 minutes ({@link #WINDOWS}). A window is the
 * current slice and the slices before it, so "1 minute" reaches back between 50 and 60 seconds.
 *
 * <p>Each slice holds {@code counters} counters (what they count is the caller's business) and a histogram of
 * latencies in buckets 10 % wide from 1 ms to 1 hour (longer ones land in the top bucket). A percentile is the upper
 * bound of the bucket it falls in, but never more than the longest latency of the window: at most 10 % above the true
 * value, exact for the maximum. About 640 bytes per slice with latencies, 90 slices at most.
 *
 * <p>Thread-safe (one lock per window; a record is a few array writes).
 */
final class SlidingWindow {
    /** The length of one slice. */
    static final Duration SLICE = Duration.ofSeconds(10);
    /** The windows reported, shortest first; the longest is what is kept. */
    static final List<Duration> WINDOWS = List.of(Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(15));

    private static final long SLICE_MILLIS = SLICE.toMillis();
    private static final int SLICES = (int) (WINDOWS.get(WINDOWS.size() - 1).toMillis() / SLICE_MILLIS);
    private static final double GROWTH = 1.1;
    private static final double LOG_GROWTH = Math.log(GROWTH);
    /** Bucket i holds latencies up to {@code GROWTH^i} ms; bucket 0 up to 1 ms. */
    private static final int BUCKETS = (int) Math.ceil(Math.log(Duration.ofHours(1).toMillis()) / LOG_GROWTH) + 1;

    private final int counters;
    private final Slice[] slices = new Slice[SLICES];

    SlidingWindow(int counters) {
        this.counters = counters;
    }

    /** Adds one to {@code counter} at {@code at}. */
    synchronized void count(Instant at, int counter) {
        slice(at).counts[counter]++;
    }

    /** Records a latency at {@code at}. */
    synchronized void latency(Instant at, Duration latency) {
        Slice s = slice(at);
        if (s.buckets == null) {
            s.buckets = new int[BUCKETS];
        }
        long nanos = Math.max(0, latency.toNanos());
        s.buckets[bucket(nanos)]++;
        s.latencies++;
        s.maxNanos = Math.max(s.maxNanos, nanos);
    }

    /** The counters alone over the last {@code window} (cheap: no percentiles). */
    synchronized long[] counts(Instant now, Duration window) {
        long[] out = new long[counters];
        long newest = index(now);
        long oldest = newest - slicesIn(window) + 1;
        for (Slice s : slices) {
            if (s != null && s.index >= oldest && s.index <= newest) {
                for (int i = 0; i < counters; i++) {
                    out[i] += s.counts[i];
                }
            }
        }
        return out;
    }

    /** The counters and the latency percentiles over the last {@code window}. */
    synchronized Reading read(Instant now, Duration window) {
        long[] counts = new long[counters];
        int[] buckets = new int[BUCKETS];
        long latencies = 0;
        long max = 0;
        long newest = index(now);
        long oldest = newest - slicesIn(window) + 1;
        for (Slice s : slices) {
            if (s == null || s.index < oldest || s.index > newest) {
                continue;
            }
            for (int i = 0; i < counters; i++) {
                counts[i] += s.counts[i];
            }
            if (s.buckets != null) {
                for (int b = 0; b < BUCKETS; b++) {
                    buckets[b] += s.buckets[b];
                }
                latencies += s.latencies;
                max = Math.max(max, s.maxNanos);
            }
        }
        return new Reading(counts, latencies, percentile(buckets, latencies, 0.5, max),
                percentile(buckets, latencies, 0.95, max), percentile(buckets, latencies, 0.99, max),
                latencies == 0 ? null : max / 1e6);
    }

    /**
     * What a window holds: the counters, how many latencies, and their percentiles and maximum in milliseconds (null
     * when there are none).
     */
    record Reading(long[] counts, long latencies, Double p50Ms, Double p95Ms, Double p99Ms, Double maxMs) {
        long count(int counter) {
            return counts[counter];
        }

        @Override
        public String toString() {
            return "Reading" + Arrays.toString(counts) + "[latencies=" + latencies + ", p50=" + p50Ms + ", p95=" + p95Ms
                    + ", p99=" + p99Ms + ", max=" + maxMs + "]";
        }
    }

    private static Double percentile(int[] buckets, long total, double q, long maxNanos) {
        if (total == 0) {
            return null;
        }
        long rank = Math.max(1, (long) Math.ceil(q * total));
        long seen = 0;
        for (int b = 0; b < BUCKETS; b++) {
            seen += buckets[b];
            if (seen >= rank) {
                return Math.min(upperMillis(b), maxNanos / 1e6);
            }
        }
        return maxNanos / 1e6;
    }

    static int bucket(long nanos) {
        double ms = nanos / 1e6;
        if (ms <= 1) {
            return 0;
        }
        int b = (int) Math.ceil(Math.log(ms) / LOG_GROWTH);
        return Math.min(b, BUCKETS - 1);
    }

    static double upperMillis(int bucket) {
        return Math.pow(GROWTH, bucket);
    }

    private static int slicesIn(Duration window) {
        return (int) Math.min(SLICES, Math.max(1, window.toMillis() / SLICE_MILLIS));
    }

    private static long index(Instant at) {
        return Math.floorDiv(at.toEpochMilli(), SLICE_MILLIS);
    }

    /** The slice of {@code at}, reset if it held an older period. */
    private Slice slice(Instant at) {
        long index = index(at);
        int i = (int) Math.floorMod(index, (long) SLICES);
        Slice s = slices[i];
        if (s == null || s.index != index) {
            if (s != null && s.index > index) {
                return new Slice(index, counters); // older than what is kept (a clock step back): counted nowhere
            }
            s = new Slice(index, counters);
            slices[i] = s;
        }
        return s;
    }

    private static final class Slice {
        final long index;
        final long[] counts;
        int[] buckets;
        long latencies;
        long maxNanos;

        Slice(long index, int counters) {
            this.index = index;
            this.counts = new long[counters];
        }
    }
}
