package dev.baton.protocol;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * How Baton reports an exception thrown by user code (a participant's handler, an engine's reply handler or command
 * builder): the saga's reason names the exception's class and an <em>error id</em>, never its message (a message can
 * carry personal data: a name, an e-mail, an amount, and reasons travel to histories, the REST API and other
 * processes); the process that caught the exception logs the full exception next to that id, so an operator can
 * find the message. And like errors are not logged in full each time: {@link #admit} lets one through per interval
 * per key (exception class and place), and counts the rest.
 *
 * <p>Thread-safe.
 *
 * @since 0.4
 */
public final class ErrorReports {
    /** How often an error of one class at one place is logged in full, by default. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);
    /** More distinct keys than this and the counts start over (they are a log's courtesy, not a metric). */
    static final int MAX_KEYS = 1_000;

    private static final SecureRandom RANDOM = new SecureRandom();

    private final long intervalNanos;
    private final LongSupplier nanoTime;
    private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();

    private static final class Window {
        /** When the last full log happened. */
        long loggedAt;
        final AtomicLong suppressed = new AtomicLong();

        Window(long loggedAt) {
            this.loggedAt = loggedAt;
        }
    }

    /**
     * Reports that log an error of one key in full at most once per {@code interval}, timed by {@code nanoTime}
     * ({@code System::nanoTime}, or a manual clock in tests).
     */
    public ErrorReports(Duration interval, LongSupplier nanoTime) {
        Objects.requireNonNull(interval, "interval");
        if (interval.isNegative()) {
            throw new IllegalArgumentException("interval must not be negative, but was " + interval);
        }
        this.intervalNanos = interval.toNanos();
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    }

    /** Reports with {@link #DEFAULT_INTERVAL} on the system's clock. */
    public static ErrorReports ofDefaults() {
        return new ErrorReports(DEFAULT_INTERVAL, System::nanoTime);
    }

    /**
     * Whether this occurrence of the error {@code key} is to be logged in full (with its stack trace): returns how
     * many occurrences of the key were held back since the last full log (0 or more), or {@code -1} when this one
     * is to be held back too (log it briefly at most: its id and message on one line at DEBUG).
     */
    public long admit(String key) {
        long now = nanoTime.getAsLong();
        if (windows.size() > MAX_KEYS) {
            windows.clear();
        }
        Window fresh = new Window(now);
        Window w = windows.putIfAbsent(key, fresh);
        if (w == null) {
            return 0;
        }
        synchronized (w) {
            if (now - w.loggedAt >= intervalNanos) {
                w.loggedAt = now;
                return w.suppressed.getAndSet(0);
            }
        }
        w.suppressed.incrementAndGet();
        return -1;
    }

    /** The key of an error: its class and the place it was thrown at, in the caller's words. */
    public static String key(Throwable error, String place) {
        return error.getClass().getName() + " @ " + place;
    }

    /** A new error id: 8 random hex digits, short enough to read out, unique enough to find in a log. */
    public static String newId() {
        byte[] b = new byte[4];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /**
     * An error id derived from what identifies the occurrence (for the engine: the saga, the invocation and its
     * attempt, the exception's class), for code that must stay deterministic: the same inputs give the same id. 8 hex
     * digits, like {@link #newId()}.
     */
    public static String idOf(String... parts) {
        try {
            java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
            for (String p : parts) {
                md.update(String.valueOf(p).getBytes(java.nio.charset.StandardCharsets.UTF_8));
                md.update((byte) 0);
            }
            return HexFormat.of().formatHex(md.digest(), 0, 4);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /**
     * The exception's class as a reason shows it: the simple name of the JDK's own ({@code IllegalStateException}),
     * the full name of any other ({@code com.example.CardDeclined}), which is code, not data. Never the message.
     */
    public static String className(Throwable error) {
        Class<?> c = error.getClass();
        String n = c.getName();
        String simple = c.getSimpleName();
        if (simple.isEmpty()) {
            return n; // anonymous
        }
        return n.startsWith("java.") || n.startsWith("javax.") ? simple : n;
    }

    /**
     * What a reason says of an exception: {@code IllegalStateException (error id 1f2e3d4c)}, plus {@code : <message>}
     * when {@code withMessage} (an operator's opt-in) and there is one.
     */
    public static String describe(Throwable error, String id, boolean withMessage) {
        String s = className(error) + " (error id " + id + ")";
        return withMessage && error.getMessage() != null ? s + ": " + error.getMessage() : s;
    }
}
