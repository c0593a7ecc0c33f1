package dev.baton.server.ops;

import dev.baton.kafka.KafkaTransport;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The lag of each participant's command topic ({@link KafkaTransport#commandLag}) and of the engine's own reply and
 * start consumers ({@link KafkaTransport#engineLag}), read in the background at most
 * every {@link #EVERY} when asked for, so that neither a scrape of {@code /metrics} nor a call of
 * {@code GET /api/participants} waits for the brokers. The first asks start a reading and see null (not known yet),
 * as do participants whose lag could not be read; a reading older than {@link #STALE} is not shown.
 */
public final class CommandLag implements AutoCloseable {
    /** How often the lag is read at most. */
    public static final Duration EVERY = Duration.ofSeconds(10);
    /** A reading older than this is not shown (the brokers stopped answering). */
    public static final Duration STALE = Duration.ofMinutes(1);
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final KafkaTransport transport;
    private final List<String> participants;
    private final Clock clock;
    private final ExecutorService reader = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "baton-command-lag");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean reading = new AtomicBoolean();
    private volatile Map<String, Long> last = Map.of();
    private volatile Map<String, Long> engine = Map.of();
    private volatile Instant readAt = Instant.MIN;
    private volatile Instant startedAt = Instant.MIN;

    public CommandLag(KafkaTransport transport, Set<String> participants, Clock clock) {
        this.transport = Objects.requireNonNull(transport, "transport");
        this.participants = List.copyOf(participants);
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The participant's lag as last read, or null when not known; starts a reading when the last is old. */
    public Long of(String participant) {
        return fresh() ? last.get(participant) : null;
    }

    /**
     * The engine's consumers' lag as last read ({@code replies}, {@code starts}), leaving out those not known;
     * starts a reading when the last is old.
     */
    public Map<String, Long> engine() {
        return fresh() ? engine : Map.of();
    }

    /** Whether the last reading is recent enough to show; starts a reading when it is older than {@link #EVERY}. */
    private boolean fresh() {
        Instant now = clock.instant();
        if (now.isAfter(startedAt.plus(EVERY)) && reading.compareAndSet(false, true)) {
            startedAt = now;
            try {
                reader.execute(this::read);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                reading.set(false); // closed
            }
        }
        return !now.isAfter(readAt.plus(STALE));
    }

    private void read() {
        try {
            last = Map.copyOf(transport.commandLag(participants, TIMEOUT));
            engine = Map.copyOf(transport.engineLag(TIMEOUT));
            readAt = clock.instant();
        } catch (RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(CommandLag.class).debug("reading the command topics' lag failed", e);
        } finally {
            reading.set(false);
        }
    }

    @Override
    public void close() {
        reader.shutdownNow();
    }
}
