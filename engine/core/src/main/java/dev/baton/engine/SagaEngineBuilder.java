package dev.baton.engine;

import dev.baton.dsl.SagaDefinition;
import dev.baton.engine.internal.DefaultSagaEngine;
import dev.baton.engine.internal.EngineSettings;
import dev.baton.engine.internal.Definitions;
import dev.baton.engine.spi.Codec;
import dev.baton.engine.spi.CommandGate;
import dev.baton.engine.spi.SagaListener;
import dev.baton.engine.spi.SagaStore;
import dev.baton.engine.spi.Transport;
import io.opentelemetry.api.OpenTelemetry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Builds a {@link SagaEngine}. Store, transport and codec are required; everything else has a default,
 * written on its setter. {@link #build()} reports every missing or invalid setting at once. Not thread-safe;
 * the engine it builds is.
 *
 * @since 0.1
 */
public final class SagaEngineBuilder {
    /** The default {@link #endedRetention}: 30 days. */
    public static final Duration DEFAULT_ENDED_RETENTION = Duration.ofDays(30);
    SagaStore store;
    Transport transport;
    Codec codec;
    Clock clock = Clock.systemUTC();
    Supplier<SagaId> ids = SagaId.uuidV7();
    SagaListener listener = SagaListener.NOOP;
    OpenTelemetry openTelemetry = OpenTelemetry.noop();
    Duration timerPollInterval = Duration.ofMillis(100);
    Duration liveSettingsPoll = Duration.ofSeconds(2);
    int timerBatchSize = 100;
    Duration outboxSweepInterval = Duration.ofSeconds(5);
    Duration outboxSweepAge = Duration.ofSeconds(10);
    int conflictRetries = 10;
    Duration timeoutGrace = Duration.ofSeconds(30);
    CommandGate commandGate = CommandGate.OPEN;
    Duration lease = Duration.ofSeconds(10);
    Duration inboxRetention = Duration.ofDays(7);
    Duration endedRetention = DEFAULT_ENDED_RETENTION;
    Duration failedRetention;
    FlowSettings flow = FlowSettings.DEFAULTS;
    String nodeName;
    boolean exceptionMessagesInReasons;
    boolean historyPayloads = true;
    final List<SagaDefinition<?>> definitions = new ArrayList<>();

    SagaEngineBuilder() {}

    /** Where sagas live. Required. Closed with the engine. */
    public SagaEngineBuilder store(SagaStore store) {
        this.store = store;
        return this;
    }

    /** How commands and replies travel. Required. Closed with the engine. */
    public SagaEngineBuilder transport(Transport transport) {
        this.transport = transport;
        return this;
    }

    /** How data and messages become text. Required; {@code new JacksonCodec()} from baton-jackson is the usual choice. */
    public SagaEngineBuilder codec(Codec codec) {
        this.codec = codec;
        return this;
    }

    /** Registers saga definitions. Register every version that still has instances in flight. */
    public SagaEngineBuilder register(SagaDefinition<?>... definitions) {
        this.definitions.addAll(List.of(definitions));
        return this;
    }

    /** The engine's clock. Defaults to {@code Clock.systemUTC()}; tests pass a manual clock. */
    public SagaEngineBuilder clock(Clock clock) {
        this.clock = clock;
        return this;
    }

    /** Generates saga ids. Defaults to {@link SagaId#uuidV7()}. */
    public SagaEngineBuilder ids(Supplier<SagaId> ids) {
        this.ids = ids;
        return this;
    }

    /** Observes the engine (metrics, logs). Defaults to {@link SagaListener#NOOP}. */
    public SagaEngineBuilder listener(SagaListener listener) {
        this.listener = listener;
        return this;
    }

    /**
     * Where the engine records its spans: one trace per saga, a span per command sent (each step's and compensation's
     * attempts) from its sending to the answer, parks, retries, timeouts and operator actions as events; see
     * {@code docs/observability.md}. The engine uses the OpenTelemetry API only: pass the {@code OpenTelemetrySdk} your
     * application configured (or {@code GlobalOpenTelemetry.get()}). Defaults to {@link OpenTelemetry#noop()}: tracing
     * off, at no cost beyond the {@code traceparent} header every command carries anyway.
     *
     * @since 0.5
     */
    public SagaEngineBuilder openTelemetry(OpenTelemetry openTelemetry) {
        this.openTelemetry = openTelemetry;
        return this;
    }

    /**
     * How often this node reads the settings operators change at run time ({@link SagaEngine#live()}: rollouts,
     * policies) and refreshes its entry in the node list. A change made on another node applies here within this.
     * Defaults to 2 s.
     *
     * @since 0.8
     */
    public SagaEngineBuilder liveSettingsPoll(Duration interval) {
        this.liveSettingsPoll = interval;
        return this;
    }

    /** How often the timer poller looks for due timers. Defaults to 100 ms. */
    public SagaEngineBuilder timerPollInterval(Duration interval) {
        this.timerPollInterval = interval;
        return this;
    }

    /**
     * The most timers a node leases and fires at once; a poll goes on while batches come back full. Small batches
     * spread timers over several nodes, and a node that dies delays at most one batch (by the lease). Defaults to
     * 100.
     */
    public SagaEngineBuilder timerBatchSize(int size) {
        this.timerBatchSize = size;
        return this;
    }

    /**
     * How often the sweeper re-sends outbox rows that were not acknowledged, and how old a row must be before it
     * does. Defaults to every 5 s, rows older than 10 s. Re-sends are harmless: participants deduplicate.
     */
    public SagaEngineBuilder outboxSweep(Duration interval, Duration age) {
        this.outboxSweepInterval = interval;
        this.outboxSweepAge = age;
        return this;
    }

    /** How often an event is retried after losing an optimistic-lock race. Defaults to 10. */
    public SagaEngineBuilder conflictRetries(int retries) {
        this.conflictRetries = retries;
        return this;
    }

    /**
     * For how long after {@link SagaEngine#open()} reply timeouts are held back. Replies that arrived while no engine
     * was running (a crash, a deploy, a fail-over) are still unread when the engine opens; firing the timeouts that
     * came due meanwhile would re-send, or compensate steps that in fact succeeded. Set it above the transport's
     * take-over time (for Kafka: the consumer session timeout). Defaults to 30 s; retries, parking and give-up
     * timers are never held.
     */
    public SagaEngineBuilder timeoutGraceAfterOpen(Duration grace) {
        this.timeoutGrace = grace;
        return this;
    }

    /**
     * Decides whether a command may go to a participant now: a circuit breaker per participant (for instance
     * {@code ParticipantBreakers} from baton-resilience4j). A command it holds back is not sent; the saga behaves as if
     * the participant had answered RETRY_LATER (it parks per {@code whenBusy}, or backs off per its retry policy).
     * Defaults to {@link CommandGate#OPEN}, which sends everything.
     */
    public SagaEngineBuilder commandGate(CommandGate gate) {
        this.commandGate = gate;
        return this;
    }

    /**
     * How long a node holds the due timers and unacknowledged outbox rows it took to fire or re-send, so that several
     * engine nodes on one database share them out instead of all taking the same ones. A node that dies holding a
     * lease delays those timers and rows by up to this long; a lease that ends too early only costs a wasted claim
     * (a timer still fires once) or a re-sent command (participants drop duplicates). Keep it above the time a node
     * takes to fire one batch of timers. Defaults to 10 s, about Kafka's take-over of a dead node's replies.
     *
     * @since 0.2
     */
    public SagaEngineBuilder leaseDuration(Duration lease) {
        this.lease = lease;
        return this;
    }

    /**
     * How long the inbox keeps the message ids of applied replies, to drop redelivered copies; older entries are
     * purged every minute. A copy that arrives later is checked against its saga's outstanding command like any late
     * reply (the saga has moved past the command it answered; counted as ignored instead of duplicate), so this bounds
     * the table. Keep it above the reply topic's retention. Defaults to 7 days, Kafka's default retention.
     *
     * @since 0.2
     */
    public SagaEngineBuilder inboxRetention(Duration retention) {
        this.inboxRetention = retention;
        return this;
    }

    /**
     * How long ended sagas (COMPLETED, COMPENSATED) are kept after their last change; older ones are deleted with their
     * history, a batch of 1,000 at a time, every minute (or every quarter of the retention when that is shorter, at
     * most once a second). FAILED sagas are not deleted unless {@link #failedRetention} is set: they wait for an
     * operator. Once a saga is gone, its business key is free again: a start with that key creates a new saga.
     * Defaults to 30 days ({@link #DEFAULT_ENDED_RETENTION}); null keeps every ended saga forever. A store that cannot
     * purge ({@link dev.baton.engine.spi.SagaStore#purgeEnded}) keeps them, with one warning in the log.
     *
     * @since 0.3
     */
    public SagaEngineBuilder endedRetention(Duration retention) {
        this.endedRetention = retention;
        return this;
    }

    /**
     * How long FAILED sagas are kept after their last change before they are deleted with their history, like ended
     * sagas ({@link #endedRetention}). Defaults to null: a FAILED saga waits for an operator forever. Set it only when
     * FAILED sagas are watched and handled elsewhere (an alert on the {@code FAILED} count, say).
     *
     * @since 0.5
     */
    public SagaEngineBuilder failedRetention(Duration retention) {
        this.failedRetention = retention;
        return this;
    }

    /**
     * Flow control per participant: how many commands may be in flight at each participant, adapting to its answers,
     * with the rest waiting in line. Defaults to {@link FlowSettings#DEFAULTS}; {@link FlowSettings#OFF} sends every
     * command at once. The store must support flow control ({@code SagaStore#flowCounts}); one that does not turns it
     * off with a warning.
     *
     * @since 0.4
     */
    public SagaEngineBuilder flow(FlowSettings settings) {
        this.flow = settings;
        return this;
    }

    /**
     * This node's name among the engine nodes sharing a store, for the leases of flow control (and the logs).
     * Defaults to the host name, the process id and a random suffix.
     *
     * @since 0.4
     */
    public SagaEngineBuilder nodeName(String name) {
        this.nodeName = name;
        return this;
    }

    /**
     * Whether a saga's reason shows the message of an exception its user code threw (a reply handler, a command
     * builder). Defaults to false: the reason names the exception's class and an error id, and the engine's log has
     * the full exception next to that id. A message may hold personal data (a name, an e-mail address), and reasons
     * are stored in the saga's history and shown by the REST API; turn this on only where that is acceptable.
     *
     * @since 0.4
     */
    public SagaEngineBuilder exceptionMessagesInReasons(boolean show) {
        this.exceptionMessagesInReasons = show;
        return this;
    }

    /**
     * Whether a saga's history keeps the messages it is about: the command of each {@code COMMAND_SENT} and
     * {@code COMPENSATION_SENT} entry and the reply of each {@code REPLY_RECEIVED} one, as the codec wrote them, so
     * that an operator reading a saga sees what was sent and answered at each attempt. Defaults to true. Payloads make
     * the history table larger (each entry holds its message) and put the messages' fields in it: turn this off when
     * they must not be stored beyond the saga's own data. The REST API masks the fields its server is told to
     * redact ({@code baton.api.redact-fields}) in payloads as in the saga's data.
     *
     * @since 0.9
     */
    public SagaEngineBuilder historyPayloads(boolean keep) {
        this.historyPayloads = keep;
        return this;
    }

    /**
     * Validates and builds the engine (not yet open).
     *
     * @throws IllegalStateException listing every missing or invalid setting
     */
    public SagaEngine build() {
        List<String> problems = new ArrayList<>();
        if (store == null) {
            problems.add("SagaEngine requires a SagaStore; none was set (call .store(...))");
        }
        if (transport == null) {
            problems.add("SagaEngine requires a Transport; none was set (call .transport(...))");
        }
        if (codec == null) {
            problems.add("SagaEngine requires a Codec; none was set (call .codec(new JacksonCodec()))");
        }
        if (definitions.isEmpty()) {
            problems.add("SagaEngine has no saga definitions; register at least one with .register(...)");
        }
        if (clock == null || ids == null || listener == null || commandGate == null || flow == null) {
            problems.add("clock, ids, listener, commandGate and flow must not be null");
        }
        if (openTelemetry == null) {
            problems.add("openTelemetry must not be null (OpenTelemetry.noop(), the default, turns tracing off)");
        }
        positive(problems, "timerPollInterval", timerPollInterval);
        positive(problems, "liveSettingsPoll", liveSettingsPoll);
        positive(problems, "leaseDuration", lease);
        positive(problems, "inboxRetention", inboxRetention);
        if (endedRetention != null) {
            positive(problems, "endedRetention", endedRetention);
        }
        if (failedRetention != null) {
            positive(problems, "failedRetention", failedRetention);
        }
        positive(problems, "outboxSweep interval", outboxSweepInterval);
        if (outboxSweepAge == null || outboxSweepAge.isNegative()) {
            problems.add("outboxSweep age must be >= 0, but was " + outboxSweepAge);
        }
        if (timerBatchSize < 1) {
            problems.add("timerBatchSize must be >= 1, but was " + timerBatchSize);
        }
        if (timeoutGrace == null || timeoutGrace.isNegative()) {
            problems.add("timeoutGraceAfterOpen must be >= 0, but was " + timeoutGrace);
        }
        if (conflictRetries < 0) {
            problems.add("conflictRetries must be >= 0, but was " + conflictRetries);
        }
        Definitions defs = null;
        try {
            defs = new Definitions(definitions);
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("cannot build the SagaEngine:\n  - " + String.join("\n  - ", problems));
        }
        return new DefaultSagaEngine(new EngineSettings(Objects.requireNonNull(defs), store, transport, codec, clock, ids,
                listener, commandGate, timerPollInterval, timerBatchSize, outboxSweepInterval, outboxSweepAge, conflictRetries,
                timeoutGrace, lease, inboxRetention, endedRetention, failedRetention, flow,
                nodeName == null ? defaultNodeName() : nodeName, exceptionMessagesInReasons, openTelemetry,
                liveSettingsPoll, historyPayloads));
    }

    private static String defaultNodeName() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException | RuntimeException e) {
            host = "node";
        }
        return host + "-" + ProcessHandle.current().pid() + "-"
                + Long.toString(java.util.concurrent.ThreadLocalRandom.current().nextLong(1L << 30, 1L << 35), 36);
    }

    private static void positive(List<String> problems, String what, Duration d) {
        if (d == null || d.isZero() || d.isNegative()) {
            problems.add(what + " must be positive, but was " + d);
        }
    }
}
