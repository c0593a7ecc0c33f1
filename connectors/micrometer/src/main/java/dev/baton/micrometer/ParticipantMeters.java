package dev.baton.micrometer;

import dev.baton.engine.spi.ReplyOutcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.LoggerFactory;

/**
 * The traffic between this engine node and each participant as meters, for the service map: commands sent
 * ({@link BatonMeter#PARTICIPANT_COMMANDS}), replies by outcome ({@link BatonMeter#PARTICIPANT_REPLIES}), timeouts
 * ({@link BatonMeter#PARTICIPANT_TIMEOUTS}), the reply latency per attempt ({@link BatonMeter#PARTICIPANT_REPLY_LATENCY})
 * and when the participant last replied ({@link BatonMeter#PARTICIPANT_LAST_REPLY}); optionally its command topic's lag
 * ({@link BatonMeter#PARTICIPANT_COMMAND_LAG}, {@link #bindCommandLag}). Breaker and flow control figures of the same
 * participant are {@code baton.breaker.*} and {@link BatonMeter#FLOW_LIMIT} and its siblings, not repeated here.
 *
 * <p>Whoever watches the traffic calls it (the engine server does, from its transport and command gate). Meters of a
 * participant are registered on its first event, or up front by {@link #registerUpFront}. Never throws: a registry
 * failure is logged (the first at WARN) and the event dropped. Thread-safe.
 *
 * @since 0.7
 */
public final class ParticipantMeters {
    static final Duration LATENCY_MIN = Duration.ofMillis(1);
    static final Duration LATENCY_MAX = Duration.ofMinutes(10);

    private final MeterRegistry registry;
    private final FailureLog failures = new FailureLog(LoggerFactory.getLogger(ParticipantMeters.class),
            "Baton participant meters");
    private final ConcurrentHashMap<String, Meters> byParticipant = new ConcurrentHashMap<>();

    public ParticipantMeters(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    /** Registers every meter of these participants now, at zero, so alerts have a series from the start. */
    public ParticipantMeters registerUpFront(Collection<String> participants) {
        try {
            participants.forEach(this::meters);
        } catch (RuntimeException | LinkageError e) {
            failures.failed("registering the participant meters up front", e);
        }
        return this;
    }

    /** A command (or a compensation) went to {@code participant}. */
    public void sent(String participant, boolean compensation) {
        try {
            Meters m = meters(participant);
            (compensation ? m.compensations : m.commands).increment();
        } catch (RuntimeException | LinkageError e) {
            failures.failed("counting a command", e);
        }
    }

    /**
     * {@code participant} replied at {@code at}, {@code latency} after the command was sent (null when this node did not
     * send it, or does not know when).
     */
    public void replied(String participant, ReplyOutcome outcome, Duration latency, Instant at) {
        try {
            Meters m = meters(participant);
            m.replies[outcome.ordinal()].increment();
            if (latency != null) {
                m.latency.record(latency);
            }
            m.lastReplyMillis.accumulateAndGet(at.toEpochMilli(), Math::max);
        } catch (RuntimeException | LinkageError e) {
            failures.failed("counting a reply", e);
        }
    }

    /** A command to {@code participant} got no answer within its step's timeout. */
    public void timedOut(String participant) {
        try {
            meters(participant).timeouts.increment();
        } catch (RuntimeException | LinkageError e) {
            failures.failed("counting a timeout", e);
        }
    }

    /** The tag value of a reply outcome: {@code success}, {@code failure}, {@code busy} or {@code error}. */
    public static String outcomeTag(ReplyOutcome outcome) {
        return outcome == ReplyOutcome.RETRY_LATER ? "busy" : outcome.name().toLowerCase(Locale.ROOT);
    }

    /**
     * Publishes {@link BatonMeter#ENGINE_CONSUMER_LAG} for the engine's {@code replies} and {@code starts} consumers,
     * read from {@code lag} on every scrape (a consumer missing from its answer reads as NaN: not known). Make
     * {@code lag} cheap (a cached reading).
     *
     * @since 0.8
     */
    public static void bindEngineLag(MeterRegistry registry, java.util.function.Supplier<java.util.Map<String, Long>> lag) {
        bindLag(registry, BatonMeter.ENGINE_CONSUMER_LAG, BatonMeter.TagKeys.CONSUMER, java.util.List.of("replies", "starts"),
                consumer -> lag.get().get(consumer));
    }

    /**
     * Publishes {@link BatonMeter#PARTICIPANT_COMMAND_LAG} for each of {@code participants}, read from {@code lag} on
     * every scrape (null reads as NaN: not known). Make {@code lag} cheap (a cached reading).
     */
    public static void bindCommandLag(MeterRegistry registry, Collection<String> participants,
                                      Function<String, Long> lag) {
        bindLag(registry, BatonMeter.PARTICIPANT_COMMAND_LAG, BatonMeter.TagKeys.PARTICIPANT, participants, lag);
    }

    /** One gauge of {@code meter} per key, tagged {@code tagKey}, read from {@code lag} on every scrape; null is NaN. */
    private static void bindLag(MeterRegistry registry, BatonMeter meter, String tagKey, Collection<String> keys,
                                Function<String, Long> lag) {
        FailureLog failures = new FailureLog(LoggerFactory.getLogger(ParticipantMeters.class),
                "Baton metrics, " + meter.meterName());
        for (String key : keys) {
            Gauge.builder(meter.meterName(), () -> {
                        try {
                            Long n = lag.apply(key);
                            return n == null ? Double.NaN : n.doubleValue();
                        } catch (RuntimeException e) {
                            failures.failed("reading the lag", e);
                            return Double.NaN;
                        }
                    })
                    .description(meter.description())
                    .baseUnit(meter.baseUnit())
                    .tag(tagKey, key)
                    .register(registry);
        }
    }

    private Meters meters(String participant) {
        String p = participant == null ? "unknown" : participant;
        Meters m = byParticipant.get(p);
        return m != null ? m : byParticipant.computeIfAbsent(p, Meters::new);
    }

    /** One participant's meters, registered together. */
    private final class Meters {
        final Counter commands;
        final Counter compensations;
        final Counter[] replies = new Counter[ReplyOutcome.values().length];
        final Counter timeouts;
        final Timer latency;
        final AtomicLong lastReplyMillis = new AtomicLong();

        Meters(String participant) {
            String tag = BatonMeter.TagKeys.PARTICIPANT;
            commands = counter(BatonMeter.PARTICIPANT_COMMANDS, tag, participant, BatonMeter.TagKeys.KIND, "command");
            compensations = counter(BatonMeter.PARTICIPANT_COMMANDS, tag, participant, BatonMeter.TagKeys.KIND,
                    "compensation");
            for (ReplyOutcome o : ReplyOutcome.values()) {
                replies[o.ordinal()] = counter(BatonMeter.PARTICIPANT_REPLIES, tag, participant,
                        BatonMeter.TagKeys.OUTCOME, outcomeTag(o));
            }
            timeouts = counter(BatonMeter.PARTICIPANT_TIMEOUTS, tag, participant);
            BatonMeter l = BatonMeter.PARTICIPANT_REPLY_LATENCY;
            latency = Timer.builder(l.meterName())
                    .description(l.description())
                    .tags(tag, participant)
                    .publishPercentiles(0.5, 0.95, 0.99)
                    .publishPercentileHistogram()
                    .minimumExpectedValue(LATENCY_MIN)
                    .maximumExpectedValue(LATENCY_MAX)
                    .register(registry);
            BatonMeter last = BatonMeter.PARTICIPANT_LAST_REPLY;
            Gauge.builder(last.meterName(), lastReplyMillis, a -> a.get() / 1000.0)
                    .description(last.description())
                    .baseUnit(last.baseUnit())
                    .tag(tag, participant)
                    .register(registry);
        }
    }

    private Counter counter(BatonMeter meter, String... tags) {
        return Counter.builder(meter.meterName())
                .description(meter.description())
                .baseUnit(meter.baseUnit())
                .tags(tags)
                .register(registry);
    }
}
