package dev.baton.participant;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.opentelemetry.api.OpenTelemetry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transport-neutral heart of a participant: turns one delivered command into the answer to send back, running
 * the command's handler at most once per message id however often the command is delivered. A transport binding
 * (Kafka, a queue, HTTP, a test) calls {@link #handle(IncomingCommand)} for every command it receives and acts on the
 * {@link HandlingResult}.
 *
 * <pre>{@code
 * ParticipantRuntime runtime = ParticipantRuntime.builder()
 *         .handlers(handlers)                                 // CommandHandlers.forParticipant("payment")...build()
 *         .store(JdbiIdempotencyStore.create(dataSource))     // the service's own database
 *         .build();
 * HandlingResult result = runtime.handle(IncomingCommand.of(headers, payload));
 * }</pre>
 *
 * <h2>What {@code handle} guarantees</h2>
 * <ul>
 * <li><b>Once per message id.</b> The first delivery of a message id runs its handler; the answer, if final
 *     (SUCCESS or FAILURE), is recorded with the message id in the same database transaction as the handler's own
 *     writes (see {@link TransactionalCommandHandler}). Every later delivery of that id is answered from the record,
 *     payload byte for byte, and the handler does not run. Deliveries of one saga step are serialised by a row lock,
 *     so two copies of one message racing on two threads or two nodes run the handler once.</li>
 * <li><b>One commit per command.</b> The step's guard row, the handler's writes and the recorded answer are one
 *     transaction; a replay commits nothing.</li>
 * <li><b>RETRY_LATER is not final.</b> It rolls back the handler's writes and records nothing, so the engine's later
 *     re-send of the same id runs the handler again.</li>
 * <li><b>Compensation guard</b>, per (participant, saga, step). A compensation for a step whose forward command never
 *     took effect here (never arrived, was refused, or failed) is answered SUCCESS without running the compensation
 *     handler, and recorded; a forward command for a step that a compensation already reached is refused with
 *     FAILURE without running its handler. A new invocation of a step that already succeeded (a new message id, say
 *     after an operator retry of a step whose reply was lost) is answered with that success, not run twice.</li>
 * <li><b>Exceptions</b> in a handler roll back its writes and are answered per the participant's
 *     {@link ExceptionPolicy} (default RETRY_LATER). Transient database errors are retried (the whole transaction,
 *     up to {@link Builder#contentionAttempts(int)} times) or reported as {@link Unavailable}.</li>
 * <li><b>Never throws, never drops.</b> Malformed commands (missing headers, unknown message type, a payload that
 *     does not map onto the type) come back as {@link Rejected}, for a dead-letter channel; database trouble comes back
 *     as {@link Unavailable}, to be redelivered. Nothing escapes into the transport's loop.</li>
 * </ul>
 *
 * <p><b>Order of checks.</b> Headers, then the handler for the message type, then the payload, all before touching
 * the database; so a redelivered command whose type is no longer registered is {@link Rejected}, not answered from
 * its record.
 *
 * <p><b>Thread-safety.</b> Thread-safe: call {@code handle} from as many threads as the database pool allows. It
 * blocks for the handler's duration, plus any wait for the lock of the same saga step. The runtime does not own the
 * store; close the store yourself.
 *
 * @since 0.1
 */
public final class ParticipantRuntime {

    private static final Logger LOG = LoggerFactory.getLogger(ParticipantRuntime.class);

    private final CommandHandlers handlers;
    private final CommandPreparation preparation;
    private final CommandDelivery delivery;
    private final BatchDelivery batches;

    private ParticipantRuntime(Builder b) {
        this.handlers = b.handlers;
        String participant = b.handlers.participant();
        ParticipantTracing tracing = ParticipantTracing.of(b.openTelemetry, participant);
        StepDecider decider = new StepDecider(b.handlers, b.mapper, b.clock, new ReplyFactory(b.replyIds, tracing),
                new HandlerErrors(dev.baton.protocol.ErrorReports.ofDefaults(), b.exceptionMessagesInReasons), tracing);
        this.preparation = new CommandPreparation(b.handlers, b.mapper);
        this.delivery = new CommandDelivery(participant, b.store, decider, b.contentionAttempts);
        this.batches = new BatchDelivery(participant, b.store, preparation, decider, b.batchSize, this::handle);
    }

    /** Starts building a runtime; handlers and store are required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The JSON mapper used unless you pass one: {@code java.time} as ISO-8601 text, unknown properties ignored (a
     * field the saga sends that the command class lacks is not an error), the same settings as the engine's
     * {@code JacksonCodec}.
     */
    public static ObjectMapper defaultObjectMapper() {
        return JsonMapper.builder()
                .addModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
                .build();
    }

    /** The participant's name. */
    public String participant() {
        return handlers.participant();
    }

    /** The handlers in use. */
    public CommandHandlers handlers() {
        return handlers;
    }

    /**
     * Handles one delivered command. Never throws for anything the command contains or the database does.
     *
     * @param command as delivered; not null
     * @return {@link Reply} to send to the engine, {@link Rejected} to dead-letter, or {@link Unavailable} to
     *     redeliver later
     */
    public HandlingResult handle(IncomingCommand command) {
        if (command == null) {
            throw new NullPointerException("command");
        }
        try {
            HandlingResult result = handleChecked(command);
            if (result instanceof Rejected r) {
                LOG.warn("participant '{}' rejected {}: {}", participant(), command, r.reason());
            } else if (result instanceof Unavailable u) {
                LOG.warn("participant '{}' could not handle {} now: {}", participant(), command, u.reason(), u.cause());
            }
            return result;
        } catch (Throwable t) { // a bug in the SDK, or the JVM in trouble: still never into the transport's loop
            LOG.error("participant '{}': unexpected failure handling {}", participant(), command, t);
            return new Unavailable(command, "unexpected failure in the participant SDK: " + t, t);
        }
    }

    /**
     * Handles the commands of one transport poll, in order, answering each as {@link #handle} would, but with one
     * database commit for all of them where that is safe. On a database that writes every commit through, the
     * commit is most of a command's cost, so this is the call for a transport that receives commands in batches.
     *
     * <ul>
     * <li><b>One transaction per batch.</b> The well-formed commands run in one transaction (in chunks of
     *     {@link Builder#batchSize(int)}), each behind its own savepoint: a RETRY_LATER rolls back that command's work
     *     alone, exactly as it would on its own. Malformed commands are {@link Rejected} without touching the
     *     database, as by {@code handle}.</li>
     * <li><b>Nothing worse than one by one.</b> When the batch's transaction fails (contention with another
     *     transaction, a database error, a handler failing on a transient database error, the commit itself), it is
     *     rolled back whole and its commands are handled again one by one with {@code handle}. No reply of a batch
     *     exists before its commit: send the results only after this method returned.</li>
     * <li><b>Only transactional handlers are batched.</b> A plain {@link CommandHandler} may call other systems, and a
     *     rolled-back batch would call them again for commands that had already been answered; a chunk that contains
     *     one is handled one by one.</li>
     * <li><b>Order.</b> Commands are handled in list order. Once one comes back {@link Unavailable}, every later
     *     command of the list is answered {@code Unavailable} too, without being handled, so a transport that stops
     *     each partition at its first {@code Unavailable} never skips ahead of a command it will redeliver.</li>
     * </ul>
     *
     * @param commands as delivered, in delivery order; not null, no null elements
     * @return one result per command, in the same order
     */
    public List<HandlingResult> handleAll(List<IncomingCommand> commands) {
        return batches.handleAll(commands);
    }

    private HandlingResult handleChecked(IncomingCommand command) {
        Object prepared = preparation.prepare(command);
        return prepared instanceof PreparedCommand c ? delivery.deliverWithRetries(c) : (HandlingResult) prepared;
    }

    // ---------------------------------------------------------------- builder

    /**
     * Builds a {@link ParticipantRuntime}. {@link #handlers} and {@link #store} are required; everything else has a
     * default, written on its setter. {@link #build()} reports every missing or invalid setting at once. Not
     * thread-safe; the runtime it builds is.
     *
     * @since 0.1
     */
    public static final class Builder {
        private CommandHandlers handlers;
        private JdbiIdempotencyStore store;
        private ObjectMapper mapper = defaultObjectMapper();
        private Clock clock = Clock.systemUTC();
        private Supplier<String> replyIds = () -> UUID.randomUUID().toString();
        private int contentionAttempts = 5;
        private int batchSize = 100;
        private boolean exceptionMessagesInReasons;
        private OpenTelemetry openTelemetry = OpenTelemetry.noop();

        private Builder() {}

        /** The participant's handlers. Required. */
        public Builder handlers(CommandHandlers handlers) {
            this.handlers = handlers;
            return this;
        }

        /** Where answers are recorded: the service's own database. Required. Not closed by the runtime. */
        public Builder store(JdbiIdempotencyStore store) {
            this.store = store;
            return this;
        }

        /**
         * Reads command payloads and writes reply payloads. Defaults to {@link ParticipantRuntime#defaultObjectMapper()}.
         * Must not be reconfigured afterwards.
         */
        public Builder objectMapper(ObjectMapper mapper) {
            this.mapper = mapper;
            return this;
        }

        /** Stamps records ({@code handled_at}). Defaults to {@code Clock.systemUTC()}. */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /**
         * Makes each reply's own message id; every reply, replays included, gets a new one. Defaults to random UUIDs.
         * Must be thread-safe and never repeat.
         */
        public Builder replyIds(Supplier<String> replyIds) {
            this.replyIds = replyIds;
            return this;
        }

        /**
         * How often one delivery runs its transaction when it keeps losing to contention (a deadlock, a lock wait
         * that timed out, a unique key inserted concurrently), before answering {@link Unavailable}. Defaults to 5.
         */
        public Builder contentionAttempts(int attempts) {
            this.contentionAttempts = attempts;
            return this;
        }

        /**
         * At most how many commands {@link ParticipantRuntime#handleAll(List)} commits in one transaction; a longer
         * list is committed in chunks of this size. Larger chunks mean fewer commits and longer-held step locks, and
         * the first command's reply waits for the whole chunk. Defaults to 100; 1 turns batching off.
         */
        public Builder batchSize(int commands) {
            this.batchSize = commands;
            return this;
        }

        /**
         * Whether the reason answered for a handler's exception shows its message. Defaults to false: the reason
         * names the exception's class and an error id, and this process's log has the full exception next to that
         * id. A message may hold personal data, and the reason travels to the engine's history, its REST API and its
         * logs; turn this on only where that is acceptable.
         *
         * @since 0.4
         */
        public Builder exceptionMessagesInReasons(boolean show) {
            this.exceptionMessagesInReasons = show;
            return this;
        }

        /**
         * Where the runtime records its spans: one {@code CONSUMER} span per handling of a command, named
         * {@code handle <message type>}, the child of the command's {@code traceparent} (the engine's span of that
         * attempt) and current while the handler runs, so that the service's own instrumentation (JDBC, HTTP) nests
         * under it; the reply's {@code traceparent} then names this span. The SDK uses the OpenTelemetry API only: pass
         * the {@code OpenTelemetrySdk} the service configured, or {@code GlobalOpenTelemetry.get()}. Defaults to
         * {@link OpenTelemetry#noop()}: no spans, no cost, and replies copy the command's {@code traceparent}. See
         * {@code docs/observability.md}.
         *
         * @since 0.5
         */
        public Builder openTelemetry(OpenTelemetry openTelemetry) {
            this.openTelemetry = openTelemetry;
            return this;
        }

        /**
         * Validates and builds the runtime.
         *
         * @throws IllegalStateException listing every missing or invalid setting
         */
        public ParticipantRuntime build() {
            List<String> problems = new ArrayList<>();
            if (handlers == null) {
                problems.add("ParticipantRuntime requires CommandHandlers; none was set (call .handlers("
                        + "CommandHandlers.forParticipant(\"name\").on(...).build()))");
            }
            if (store == null) {
                problems.add("ParticipantRuntime requires an idempotency store; none was set (call .store("
                        + "JdbiIdempotencyStore.create(dataSource)))");
            }
            if (mapper == null || clock == null || replyIds == null) {
                problems.add("objectMapper, clock and replyIds must not be null");
            }
            if (openTelemetry == null) {
                problems.add("openTelemetry must not be null (OpenTelemetry.noop(), the default, turns tracing off)");
            }
            if (contentionAttempts < 1) {
                problems.add("contentionAttempts must be >= 1, but was " + contentionAttempts);
            }
            if (batchSize < 1) {
                problems.add("batchSize must be >= 1, but was " + batchSize);
            }
            if (!problems.isEmpty()) {
                throw new IllegalStateException("cannot build the ParticipantRuntime:\n  - "
                        + String.join("\n  - ", problems));
            }
            return new ParticipantRuntime(this);
        }
    }
}
