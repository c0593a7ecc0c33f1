package dev.baton.engine;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Property-based testing in plain JUnit: a property is a check that draws its input from a {@link Random};
 * {@link #forAll} runs it once per seed, each seed derived from a base seed, so every run checks the same inputs.
 * There is no shrinking: a failure names the property and the seed, says how to replay just that seed, and
 * keeps the property's own message (which should show the input it failed on).
 *
 * <p>System properties (passed on by Maven to the test JVM):
 * <ul>
 * <li>{@code -Dbaton.seed=<n>} runs each property once, on seed {@code n} (the seed a failure reported);</li>
 * <li>{@code -Dbaton.tries=<n>} runs {@code n} tries per property instead of its default.</li>
 * </ul>
 *
 * <p>A {@link Tally} counts what the tries covered, so a test can assert that its generator still reaches the
 * cases that matter.
 */
public final class Properties {
    public static final String SEED = "baton.seed";
    public static final String TRIES = "baton.tries";

    private Properties() {}

    /**
     * Checks {@code property} on {@code tries} seeds derived from {@code baseSeed} (or {@code -Dbaton.tries}
     * of them, or just the one {@code -Dbaton.seed} names), each with a fresh {@code Random}; stops at the first
     * failure. {@code name} is the property's name in a failure message.
     */
    public static void forAll(String name, int tries, long baseSeed, Consumer<Random> property) {
        StackWalker.StackFrame test = testMethod();
        String replay = System.getProperty(SEED);
        int n = replay != null ? 1 : Integer.getInteger(TRIES, tries);
        for (int i = 0; i < n; i++) {
            long seed = replay != null ? Long.parseLong(replay.strip()) : seed(baseSeed, i);
            try {
                property.accept(new Random(seed));
            } catch (AssertionError | RuntimeException e) {
                throw failure(name, test, i, n, seed, e);
            }
        }
    }

    /** The test method that called: the outermost frame of the class that called forAll (maybe via a helper). */
    private static StackWalker.StackFrame testMethod() {
        return StackWalker.getInstance().walk(frames -> {
            List<StackWalker.StackFrame> callers = frames.dropWhile(f -> f.getClassName().equals(Properties.class.getName()))
                    .toList();
            String test = callers.getFirst().getClassName();
            return callers.stream().takeWhile(f -> f.getClassName().equals(test)).toList().getLast();
        });
    }

    /**
     * The seed of try {@code i}: SplitMix64 of the base seed and the try, so that neighbouring tries get
     * unrelated {@code Random} sequences (a {@code Random} seeded with 1, 2, 3... starts out much alike).
     */
    public static long seed(long baseSeed, int i) {
        long z = baseSeed + (i + 1) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static AssertionError failure(String name, StackWalker.StackFrame test, int i, int n, long seed, Throwable e) {
        String className = test.getClassName().substring(test.getClassName().lastIndexOf('.') + 1);
        // -Dbaton.seed applies to every property the run reaches, so the command selects this one test method
        String header = "Property \"" + name + "\" failed on try " + (i + 1) + " of " + n + ", seed " + seed + ".\n"
                + "Replay just this seed (-D" + TRIES + "=<n> runs more tries):\n"
                + "  mvn -pl engine/core -am test -Dsurefire.failIfNoSpecifiedTests=false -Dtest='" + className + "#"
                + test.getMethodName() + "' -D" + SEED + "=" + seed + "\n";
        if (e instanceof AssertionError) {
            // the property's message already shows the input; keep its stack trace, not a second copy of it
            AssertionError failure = new AssertionError(header + e.getMessage());
            failure.setStackTrace(e.getStackTrace());
            return failure;
        }
        return new AssertionError(header + e, e);
    }

    /**
     * How often each value of one label came up over the tries of a property, for coverage checks: each check
     * asserts a share (in percent of the tries). Bounds are meant for hundreds of tries, so the checks are skipped
     * when fewer than {@value #COVERAGE_MIN_TRIES} tries ran (one seed replayed, a quick {@code -Dbaton.tries=50}).
     */
    public static final class Tally<K> {
        public static final int COVERAGE_MIN_TRIES = 300;
        private final String label;
        private final Map<K, Integer> counts = new LinkedHashMap<>();
        private int total;

        public Tally(String label) {
            this.label = label;
        }

        public void add(K value) {
            counts.merge(value, 1, Integer::sum);
            total++;
        }

        public int count(K value) {
            return counts.getOrDefault(value, 0);
        }

        public double percent(K value) {
            return total == 0 ? 0 : 100.0 * count(value) / total;
        }

        /** Asserts that {@code value} came up in more than {@code percent} % of the tries. */
        public void moreThan(K value, double percent) {
            check(value, percent(value) > percent, "more than " + percent + "%");
        }

        /** Asserts that {@code value} came up in less than {@code percent} % of the tries. */
        public void lessThan(K value, double percent) {
            check(value, percent(value) < percent, "less than " + percent + "%");
        }

        /** Asserts that {@code value} came up at all. */
        public void atLeastOnce(K value) {
            check(value, count(value) > 0, "at least once");
        }

        private void check(K value, boolean ok, String expected) {
            if (!ok && total >= COVERAGE_MIN_TRIES) {
                throw new AssertionError("coverage: " + label + " = " + value + " came up in " + count(value) + " of " + total
                        + " tries, expected " + expected + ": the generator may have stopped reaching it.\n" + this);
            }
        }

        @Override
        public String toString() {
            StringBuilder b = new StringBuilder(label).append(" (").append(total).append(" tries):");
            counts.entrySet().stream().sorted(Map.Entry.<K, Integer>comparingByValue().reversed()).forEach(e -> b
                    .append(' ').append(e.getKey()).append('=').append(e.getValue())
                    .append(String.format(Locale.ROOT, " (%.1f%%)", percent(e.getKey()))));
            return b.toString();
        }
    }
}
