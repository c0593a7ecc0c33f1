package dev.baton.server.ops;

import dev.baton.dsl.SagaDefinition;
import dev.baton.dsl.StepDefinition;
import dev.baton.engine.spi.CommandGate;
import dev.baton.engine.spi.InboundReply;
import dev.baton.engine.spi.OutboxRecord;
import dev.baton.engine.spi.Transport;
import dev.baton.micrometer.ParticipantMeters;
import dev.baton.protocol.Headers;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The traffic between this engine node and each participant, watched at the edges of the engine: the commands its
 * transport sends, the replies the transport hands to the engine (counted once the engine applied them), and the
 * timeouts its command gate hears of. Feeds {@link ParticipantMeters} (Prometheus) and, per participant, a
 * {@link SlidingWindow} for {@code GET /api/participants}.
 *
 * <ul>
 * <li>A command is counted when the transport has accepted it (for Kafka: the broker acknowledged it): every attempt,
 *     and every copy the outbox sweeper sends again.</li>
 * <li>A reply's latency is the time from the send of the command it answers, when this node sent it (since it
 *     started); a reply to a command another node sent, or sent before a restart, counts without a latency.</li>
 * <li>A reply's participant is the one its command went to; for a command this node did not send, the one the saga
 *     type's definition names for the step ({@code baton-saga-type} and the command's message id), and a reply that
 *     names neither counts nowhere. A redelivered copy of a reply this node read already (the same reply id, among the
 *     last {@value #REMEMBERED_REPLIES}) counts once.</li>
 * </ul>
 *
 * Thread-safe.
 *
 * @since 0.7
 */
public final class ParticipantTraffic {
    /** Counters of a participant's window. */
    static final int N_COMMANDS = 0;
    static final int N_SUCCESS = 1;
    static final int N_FAILURE = 2;
    static final int N_BUSY = 3;
    static final int N_ERROR = 4;
    static final int N_TIMEOUT = 5;
    private static final int COUNTERS = 6;
    /** How many sent commands are remembered for their replies' latency; beyond it the oldest are forgotten. */
    static final int REMEMBERED_COMMANDS = 100_000;
    /** How many reply ids are remembered to count a redelivered reply once. */
    static final int REMEMBERED_REPLIES = 10_000;

    private final Clock clock;
    private final ParticipantMeters meters;
    /** Participants of the definitions, with the steps that use them, in definition order. */
    private final Map<String, List<Use>> uses;
    /** (saga type, step key, compensation) → participant, over every registered version. */
    private final Map<String, String> byStep = new ConcurrentHashMap<>();
    private final Map<String, Series> series = new ConcurrentHashMap<>();
    private final Map<String, Sent> sent = new ConcurrentHashMap<>();
    private final Map<String, Boolean> seenReplies = java.util.Collections.synchronizedMap(
            new LinkedHashMap<>(256, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                    return size() > REMEMBERED_REPLIES;
                }
            });

    /** A step that sends commands to a participant: its saga type, step key and {@code command} or {@code compensation}. */
    public record Use(String type, String step, String kind) {}

    private record Sent(String participant, Instant at) {}

    public ParticipantTraffic(Collection<? extends SagaDefinition<?>> definitions, ParticipantMeters meters, Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.meters = Objects.requireNonNull(meters, "meters");
        Map<String, Set<Use>> u = new LinkedHashMap<>();
        for (SagaDefinition<?> d : definitions) {
            for (StepDefinition<?> s : d.steps()) {
                String p = s.participant().name();
                u.computeIfAbsent(p, k -> new LinkedHashSet<>()).add(new Use(d.type(), s.key(), "command"));
                byStep.put(stepKey(d.type(), s.key(), false), p);
                s.compensationParticipant().ifPresent(cp -> {
                    u.computeIfAbsent(cp.name(), k -> new LinkedHashSet<>()).add(new Use(d.type(), s.key(), "compensation"));
                    byStep.put(stepKey(d.type(), s.key(), true), cp.name());
                });
            }
        }
        Map<String, List<Use>> frozen = new LinkedHashMap<>();
        u.forEach((p, set) -> frozen.put(p, List.copyOf(set)));
        this.uses = java.util.Collections.unmodifiableMap(frozen);
        u.keySet().forEach(this::series);
        meters.registerUpFront(u.keySet());
    }

    /** The participants the definitions name. */
    public Set<String> declared() {
        return uses.keySet();
    }

    /** {@code transport}, watched: commands sent and replies applied are counted here. */
    public Transport watch(Transport transport) {
        return new WatchedTransport(transport);
    }

    /** {@code gate}, watched: timeouts are counted here; everything else goes to {@code gate} unchanged. */
    public CommandGate watch(CommandGate gate) {
        return new WatchedGate(gate);
    }

    // ------------------------------------------------------------------ events

    void sentOne(OutboxRecord r, Instant at) {
        if (r.deadLetter()) {
            return;
        }
        boolean compensation = "compensation".equals(r.headers().get(Headers.KIND));
        series(r.destination()).window.count(at, N_COMMANDS);
        meters.sent(r.destination(), compensation);
    }

    void remember(OutboxRecord r, Instant at) {
        if (r.deadLetter()) {
            return;
        }
        if (sent.size() >= REMEMBERED_COMMANDS) {
            Instant cutoff = at.minus(Duration.ofMinutes(10));
            sent.values().removeIf(s -> s.at().isBefore(cutoff));
            if (sent.size() >= REMEMBERED_COMMANDS) {
                sent.clear(); // more than that in ten minutes: their latencies are lost, not the memory
            }
        }
        sent.put(r.messageId(), new Sent(r.destination(), at));
    }

    void replied(InboundReply r, Instant at) {
        if (seenReplies.put(r.messageId(), Boolean.TRUE) != null) {
            return;
        }
        Sent s = sent.remove(r.correlationId());
        String participant = s != null ? s.participant() : participantOf(r);
        if (participant == null) {
            return;
        }
        Duration latency = s == null ? null : Duration.between(s.at(), at);
        Series x = series(participant);
        x.window.count(at, switch (r.outcome()) {
            case SUCCESS -> N_SUCCESS;
            case FAILURE -> N_FAILURE;
            case RETRY_LATER -> N_BUSY;
            case ERROR -> N_ERROR;
        });
        if (latency != null) {
            x.window.latency(at, latency);
        }
        x.lastReply(at);
        meters.replied(participant, r.outcome(), latency, at);
    }

    void timedOut(String participant) {
        series(participant).window.count(clock.instant(), N_TIMEOUT);
        meters.timedOut(participant);
    }

    /** The participant of the step a reply's command came from, by the saga type it names, or null. */
    private String participantOf(InboundReply r) {
        String type = r.headers().get(Headers.SAGA_TYPE);
        String[] parts = r.correlationId().split("/");
        if (type == null || parts.length < 4) {
            return null;
        }
        String direction = parts[parts.length - 2];
        String step = parts[parts.length - 3];
        return byStep.get(stepKey(type, step, "undo".equals(direction)));
    }

    private static String stepKey(String type, String step, boolean compensation) {
        return type + '\u0000' + step + '\u0000' + compensation;
    }

    private Series series(String participant) {
        Series s = series.get(participant);
        return s != null ? s : series.computeIfAbsent(participant, k -> new Series());
    }

    // ------------------------------------------------------------------ reading

    /** Every participant, declared first in definition order, then those only seen in traffic (by name). */
    public List<View> view() {
        Instant now = clock.instant();
        List<String> names = new ArrayList<>(uses.keySet());
        new TreeMap<>(series).keySet().stream().filter(p -> !uses.containsKey(p)).forEach(names::add);
        List<View> out = new ArrayList<>();
        for (String p : names) {
            Series s = series(p);
            Map<String, Window> windows = new LinkedHashMap<>();
            for (Duration w : SlidingWindow.WINDOWS) {
                windows.put(SlaWatch.windowName(w), Window.of(s.window.read(now, w)));
            }
            List<Use> u = uses.getOrDefault(p, List.of());
            out.add(new View(p, uses.containsKey(p), u, windows, s.lastReply()));
        }
        return out;
    }

    /** One participant as this node saw it: whether a definition names it, the steps that use it, its windows. */
    public record View(String name, boolean declared, List<Use> usedBy, Map<String, Window> windows,
                       Instant lastReplyAt) {}

    /**
     * One window of a participant's traffic: commands sent; replies by outcome; timeouts; the share of commands that
     * ended each way ({@code busy / (replies + timeouts)} and so on; null when none ended); and the reply latency's
     * percentiles in milliseconds (null without latencies).
     */
    public record Window(long commands, long replies, long success, long failure, long busy, long error, long timeouts,
                         Double busyRate, Double failureRate, Double errorRate, Double timeoutRate, Double p50Ms,
                         Double p95Ms, Double p99Ms) {
        static Window of(SlidingWindow.Reading r) {
            long success = r.count(N_SUCCESS);
            long failure = r.count(N_FAILURE);
            long busy = r.count(N_BUSY);
            long error = r.count(N_ERROR);
            long timeouts = r.count(N_TIMEOUT);
            long replies = success + failure + busy + error;
            long ended = replies + timeouts;
            return new Window(r.count(N_COMMANDS), replies, success, failure, busy, error, timeouts,
                    rate(busy, ended), rate(failure, ended), rate(error, ended), rate(timeouts, ended),
                    r.p50Ms(), r.p95Ms(), r.p99Ms());
        }

        private static Double rate(long n, long of) {
            return of == 0 ? null : (double) n / of;
        }
    }

    private static final class Series {
        final SlidingWindow window = new SlidingWindow(COUNTERS);
        private volatile Instant lastReply;

        synchronized void lastReply(Instant at) {
            if (lastReply == null || at.isAfter(lastReply)) {
                lastReply = at;
            }
        }

        Instant lastReply() {
            return lastReply;
        }
    }

    // ------------------------------------------------------------------ the watchers

    private final class WatchedTransport implements Transport {
        private final Transport delegate;

        WatchedTransport(Transport delegate) {
            this.delegate = Objects.requireNonNull(delegate, "transport");
        }

        @Override
        public CompletableFuture<Void> send(List<OutboxRecord> messages) {
            Instant at = clock.instant();
            for (OutboxRecord r : messages) {
                remember(r, at);
            }
            CompletableFuture<Void> f = delegate.send(messages);
            f.whenComplete((ok, failed) -> {
                if (failed == null) {
                    for (OutboxRecord r : messages) {
                        sentOne(r, at);
                    }
                }
            });
            return f;
        }

        @Override
        public void prepare(Set<String> destinations) {
            delegate.prepare(destinations);
        }

        @Override
        public String messagingSystem() {
            return delegate.messagingSystem();
        }

        @Override
        public String destination(String participant) {
            return delegate.destination(participant);
        }

        @Override
        public void start(ReplySink sink) {
            delegate.start(new ReplySink() {
                @Override
                public List<RejectedReply> accept(List<InboundReply> replies) {
                    List<RejectedReply> rejected = sink.accept(replies);
                    Instant at = clock.instant();
                    for (InboundReply r : replies) {
                        replied(r, at);
                    }
                    return rejected;
                }

                @Override
                public void takingOver() {
                    sink.takingOver();
                }

                @Override
                public void readingStalled(boolean stalled) {
                    sink.readingStalled(stalled);
                }
            });
        }

        @Override
        public void close() {
            delegate.close();
        }

        @Override
        public String toString() {
            return delegate.toString();
        }
    }

    private final class WatchedGate implements CommandGate {
        private final CommandGate delegate;

        WatchedGate(CommandGate delegate) {
            this.delegate = Objects.requireNonNull(delegate, "gate");
        }

        @Override
        public void prepare(Set<String> participants) {
            delegate.prepare(participants);
        }

        @Override
        public boolean permit(String participant) {
            return delegate.permit(participant);
        }

        @Override
        public void release(String participant) {
            delegate.release(participant);
        }

        @Override
        public void onOutcome(String participant, Outcome outcome) {
            if (outcome == Outcome.TIMED_OUT) {
                timedOut(participant);
            }
            delegate.onOutcome(participant, outcome);
        }

        @Override
        public void checkPolicy(String participant, java.util.Map<String, String> settings) {
            delegate.checkPolicy(participant, settings);
        }

        @Override
        public void applyPolicies(java.util.Map<String, java.util.Map<String, String>> policies) {
            delegate.applyPolicies(policies);
        }
    }
}
