package dev.baton.participant;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.baton.dsl.MessageType;
import dev.baton.participant.CommandHandlers.Registration;
import dev.baton.participant.internal.Inbox.CompensationState;
import dev.baton.participant.internal.Inbox.StepState;
import dev.baton.participant.internal.Inbox;
import dev.baton.participant.internal.SqlErrors;
import dev.baton.protocol.CommandKind;
import dev.baton.protocol.Headers;
import dev.baton.protocol.ReplyOutcome;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;
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
    /** Longest reason sent and recorded; longer ones are cut, ending in an ellipsis. */
    static final int MAX_REASON_LENGTH = 2000;
    /** Longest message id, saga id, step key or message type accepted (the store's column width). */
    static final int MAX_HEADER_LENGTH = 255;
    private static final String SAVEPOINT = "baton_participant_handler";

    private final CommandHandlers handlers;
    private final JdbiIdempotencyStore store;
    private final ObjectMapper mapper;
    private final Clock clock;
    private final Supplier<String> replyIds;
    private final int contentionAttempts;
    private final int batchSize;

    private ParticipantRuntime(Builder b) {
        this.batchSize = b.batchSize;
        this.handlers = b.handlers;
        this.store = b.store;
        this.mapper = b.mapper;
        this.clock = b.clock;
        this.replyIds = b.replyIds;
        this.contentionAttempts = b.contentionAttempts;
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
        List<HandlingResult> results = new ArrayList<>(commands.size());
        for (int from = 0; from < commands.size(); from += batchSize) {
            List<IncomingCommand> chunk = commands.subList(from, Math.min(commands.size(), from + batchSize));
            if (!results.isEmpty() && results.get(results.size() - 1) instanceof Unavailable) {
                chunk.forEach(c -> results.add(notAttempted(c)));
                continue;
            }
            results.addAll(handleChunk(chunk));
        }
        return results;
    }

    private List<HandlingResult> handleChunk(List<IncomingCommand> chunk) {
        List<Object> prepared = new ArrayList<>(chunk.size());
        int toRun = 0;
        boolean allTransactional = true;
        try {
            for (IncomingCommand c : chunk) {
                Object p = prepare(c);
                prepared.add(p);
                if (p instanceof Prepared ok) {
                    toRun++;
                    allTransactional &= ok.registration().transactional();
                }
            }
        } catch (Throwable t) { // a bug in the SDK: let handle() report it command by command
            return oneByOne(chunk);
        }
        if (toRun < 2 || !allTransactional || store.isClosed()) {
            return oneByOne(chunk);
        }
        List<HandlingResult> results;
        try {
            results = store.jdbi().inTransaction(TransactionIsolationLevel.READ_COMMITTED, tx -> {
                List<HandlingResult> inTx = new ArrayList<>(prepared.size());
                for (Object p : prepared) {
                    inTx.add(p instanceof Prepared c ? decideBehindSavepoint(tx, c) : (HandlingResult) p);
                }
                return inTx;
            });
        } catch (Throwable t) {
            if (t instanceof Interrupted) {
                Thread.currentThread().interrupt();
            }
            LOG.debug("participant '{}': a batch of {} commands did not commit ({}); handling them one by one",
                    participant(), toRun, SqlErrors.describe(t));
            return oneByOne(chunk);
        }
        for (HandlingResult r : results) {
            if (r instanceof Rejected rejected) {
                LOG.warn("participant '{}' rejected {}: {}", participant(), rejected.command(), rejected.reason());
            }
        }
        return results;
    }

    private static final String COMMAND_SAVEPOINT = "baton_participant_command";

    /** One command of a batch: its RETRY_LATER rolls back to the savepoint instead of ending the transaction. */
    private HandlingResult decideBehindSavepoint(Handle tx, Prepared c) {
        tx.savepoint(COMMAND_SAVEPOINT);
        try {
            HandlingResult result = decide(tx, c.p(), c.registration(), c.payload(), c.command());
            tx.releaseSavepoint(COMMAND_SAVEPOINT);
            return result;
        } catch (RollbackWith r) {
            tx.rollbackToSavepoint(COMMAND_SAVEPOINT);
            return r.reply;
        }
    }

    private List<HandlingResult> oneByOne(List<IncomingCommand> chunk) {
        List<HandlingResult> results = new ArrayList<>(chunk.size());
        for (IncomingCommand c : chunk) {
            boolean stopped = !results.isEmpty() && results.get(results.size() - 1) instanceof Unavailable;
            results.add(stopped ? notAttempted(c) : handle(c));
        }
        return results;
    }

    private static Unavailable notAttempted(IncomingCommand c) {
        return new Unavailable(c, "not attempted: an earlier command of the same batch was unavailable", null);
    }

    private HandlingResult handleChecked(IncomingCommand command) {
        Object prepared = prepare(command);
        return prepared instanceof Prepared c ? deliverWithRetries(c) : (HandlingResult) prepared;
    }

    /** A command that passed every check made before the database: its headers, handler and payload. */
    private record Prepared(IncomingCommand command, Parsed p, Registration<?> registration, Object payload) {}

    /** A {@link Prepared}, or the {@link Rejected} answer for a malformed command. */
    private Object prepare(IncomingCommand command) {
        Object parsed = Parsed.of(command);
        if (parsed instanceof String problems) {
            return new Rejected(command, "malformed command: " + problems);
        }
        Parsed p = (Parsed) parsed;
        Registration<?> registration = handlers.lookup(p.messageType());
        if (registration == null) {
            return new Rejected(command, "participant '" + participant() + "' has no handler for message type '"
                    + p.messageType() + "' (" + p.kind().wireValue() + " of step '" + p.step() + "', saga " + p.sagaId()
                    + "); it handles " + handlers.messageTypes() + ". Register one with .on(<type>.class, ...), or"
                    + " check that the saga definition sends this type to this participant");
        }
        Object payload;
        try {
            payload = mapper.readValue(command.payloadBytes(), registration.type());
        } catch (IOException e) {
            return new Rejected(command, "the payload of message type '" + p.messageType() + "' does not map onto "
                    + registration.type().getName() + ": " + describe(e));
        }
        if (payload == null) {
            return new Rejected(command, "the payload of message type '" + p.messageType() + "' is JSON null, not a "
                    + registration.type().getName());
        }
        return new Prepared(command, p, registration, payload);
    }

    private HandlingResult deliverWithRetries(Prepared c) {
        IncomingCommand command = c.command();
        Parsed p = c.p();
        Registration<?> registration = c.registration();
        Object payload = c.payload();
        if (store.isClosed()) {
            return new Unavailable(command, "the participant store is closed", null);
        }
        for (int attempt = 1; ; attempt++) {
            try {
                return store.jdbi().withHandle(h -> deliver(h, p, registration, payload, command));
            } catch (RollbackWith r) {
                return r.reply;
            } catch (Interrupted e) {
                Thread.currentThread().interrupt();
                return new Unavailable(command, "interrupted while handling " + p.messageId(), e.getCause());
            } catch (RuntimeException e) {
                SqlErrors.Kind kind = SqlErrors.classify(e);
                boolean contention = kind == SqlErrors.Kind.CONTENTION || SqlErrors.isUniqueViolation(e);
                if (contention && attempt < contentionAttempts) {
                    LOG.debug("participant '{}': contention on {} (attempt {}), retrying: {}", participant(),
                            p.messageId(), attempt, SqlErrors.describe(e));
                    continue;
                }
                Throwable cause = e instanceof TransientHandlerFailure ? e.getCause() : e;
                return new Unavailable(command, (contention ? "still contended after " + attempt + " attempts: "
                        : kind == SqlErrors.Kind.UNREACHABLE ? "database unreachable: " : "database failure: ")
                        + SqlErrors.describe(cause), cause);
            }
        }
    }

    /**
     * One attempt, one transaction, one commit: lock the step's row (creating it when the step is new here), then
     * answer from the record or decide. A copy of the same message racing a first delivery cannot see the row that
     * delivery inserted and has not committed yet, so it inserts the row too; the database makes that insert wait
     * for the first transaction and then fail with a unique violation, and the copy's transaction runs again (see
     * {@link Builder#contentionAttempts(int)}), this time finding the row, waiting for its lock and replaying.
     */
    private HandlingResult deliver(Handle h, Parsed p, Registration<?> registration, Object payload,
                                   IncomingCommand command) {
        return h.inTransaction(TransactionIsolationLevel.READ_COMMITTED,
                tx -> decide(tx, p, registration, payload, command));
    }

    private HandlingResult decide(Handle tx, Parsed p, Registration<?> registration, Object payload,
                                  IncomingCommand command) {
        Optional<StepState> locked = Inbox.lockStep(tx, participant(), p.sagaId(), p.step());
        Optional<RecordedReply> recorded = Inbox.find(tx, participant(), p.messageId()); // a racing copy may have won
        if (recorded.isPresent()) {
            return replay(recorded.get(), p, command);
        }
        Instant now = clock.instant();
        StepState step;
        if (locked.isPresent()) {
            step = locked.get();
        } else {
            Inbox.insertStep(tx, participant(), p.sagaId(), p.step(), now); // ours alone until this transaction ends
            step = StepState.NEW;
        }
        if (p.kind() == CommandKind.COMMAND) {
            if (step.compensation() != CompensationState.NONE) {
                return record(tx, p, command, ReplyOutcome.FAILURE, null, null, "refused: step '" + p.step()
                        + "' of saga " + p.sagaId() + " was already compensated (message " + step.compensationMessageId()
                        + ") when this command arrived", Disposition.REFUSED_AFTER_COMPENSATION, now);
            }
            if (step.forwardMessageId() != null) {
                return alreadyDone(tx, p, command, step.forwardMessageId(), now);
            }
        } else {
            if (step.compensation() == CompensationState.DONE) {
                return alreadyDone(tx, p, command, step.compensationMessageId(), now);
            }
            if (step.forwardMessageId() == null) {
                Inbox.compensation(tx, participant(), p.sagaId(), p.step(), CompensationState.DONE, p.messageId(), now);
                return record(tx, p, command, ReplyOutcome.SUCCESS, null, null, "nothing to compensate: no command"
                        + " for step '" + p.step() + "' of saga " + p.sagaId() + " took effect here (it never arrived,"
                        + " or it was refused)", Disposition.NOTHING_TO_COMPENSATE, now);
            }
        }
        return run(tx, p, registration, payload, command, step, now);
    }

    /** Runs the handler and records its final outcome, or rolls everything back for RETRY_LATER. */
    private HandlingResult run(Handle tx, Parsed p, Registration<?> registration, Object payload,
                               IncomingCommand command, StepState step, Instant now) {
        HandlerContext context = new HandlerContext(participant(), command, p.messageId(), p.sagaId(), p.step(),
                p.kind(), p.attempt(), tx);
        tx.savepoint(SAVEPOINT);
        Outcome outcome;
        String replyType = null;
        String replyJson = null;
        try {
            outcome = registration.invoke(payload, context);
            if (outcome == null) {
                throw new IllegalStateException("the handler for " + p.messageType() + " returned null instead of an Outcome");
            }
            if (outcome instanceof Outcome.Success s && s.reply() != null) {
                replyType = MessageType.Names.of(s.reply().getClass());
                replyJson = mapper.writeValueAsString(s.reply());
            }
        } catch (Throwable t) {
            if (t instanceof InterruptedException || Thread.currentThread().isInterrupted()) {
                throw new Interrupted(t);
            }
            if (SqlErrors.classify(t) != SqlErrors.Kind.OTHER) {
                throw new TransientHandlerFailure(t); // deadlock, lock timeout, lost connection: not a decision
            }
            ExceptionPolicy policy = handlers.exceptionPolicyFor(t);
            String reason = "the handler for " + p.messageType() + " threw " + t.getClass().getName()
                    + (t.getMessage() == null ? "" : ": " + t.getMessage());
            LOG.error("participant '{}': the handler for {} (message {}) threw; answering {} per the exception policy",
                    participant(), p.messageType(), p.messageId(),
                    policy == ExceptionPolicy.FAIL ? "FAILURE" : "RETRY_LATER", t);
            if (policy == ExceptionPolicy.RETRY_LATER) {
                throw new RollbackWith(reply(p, command, ReplyOutcome.RETRY_LATER, null, null, reason, null,
                        Disposition.HANDLED));
            }
            tx.rollbackToSavepoint(SAVEPOINT);
            outcome = Outcome.failure(reason);
        }
        return switch (outcome) {
            case Outcome.RetryLater r -> throw new RollbackWith(reply(p, command, ReplyOutcome.RETRY_LATER, null, null,
                    r.reason(), r.after(), Disposition.HANDLED));
            case Outcome.Failure f -> {
                if (p.kind() == CommandKind.COMPENSATION && step.compensation() == CompensationState.NONE) {
                    Inbox.compensation(tx, participant(), p.sagaId(), p.step(), CompensationState.FAILED, p.messageId(), now);
                }
                yield record(tx, p, command, ReplyOutcome.FAILURE, null, null, f.reason(), Disposition.HANDLED, now);
            }
            case Outcome.Success s -> {
                if (p.kind() == CommandKind.COMMAND) {
                    Inbox.forwardSucceeded(tx, participant(), p.sagaId(), p.step(), p.messageId(), now);
                } else {
                    Inbox.compensation(tx, participant(), p.sagaId(), p.step(), CompensationState.DONE, p.messageId(), now);
                }
                yield record(tx, p, command, ReplyOutcome.SUCCESS, replyType, replyJson, null, Disposition.HANDLED, now);
            }
        };
    }

    /** Answers a new invocation of something that already succeeded with that success. */
    private Reply alreadyDone(Handle tx, Parsed p, IncomingCommand command, String earlierId, Instant now) {
        Optional<RecordedReply> earlier = Inbox.find(tx, participant(), earlierId);
        String what = p.kind() == CommandKind.COMMAND ? "step '" + p.step() + "'" : "the compensation of step '" + p.step() + "'";
        return record(tx, p, command, ReplyOutcome.SUCCESS, earlier.map(RecordedReply::replyType).orElse(null),
                earlier.map(RecordedReply::replyPayload).orElse(null), "already done: " + what + " of saga "
                        + p.sagaId() + " succeeded here as message " + earlierId, Disposition.ALREADY_DONE, now);
    }

    private Reply record(Handle tx, Parsed p, IncomingCommand command, ReplyOutcome outcome, String replyType,
                         String replyJson, String reason, Disposition disposition, Instant now) {
        String capped = cap(reason);
        Inbox.insert(tx, new RecordedReply(participant(), p.messageId(), p.sagaId(), p.step(), p.kind(),
                p.messageType(), outcome, disposition, replyType, replyJson, capped, now));
        return reply(p, command, outcome, replyType, replyJson, capped, null, disposition);
    }

    private HandlingResult replay(RecordedReply r, Parsed p, IncomingCommand command) {
        if (!r.sagaId().equals(p.sagaId()) || !r.step().equals(p.step()) || r.kind() != p.kind()
                || !r.messageType().equals(p.messageType())) {
            return new Rejected(command, "message id '" + p.messageId() + "' was first handled as " + r.kind().wireValue()
                    + " " + r.messageType() + " of step '" + r.step() + "', saga " + r.sagaId() + ", and now arrives as "
                    + p.kind().wireValue() + " " + p.messageType() + " of step '" + p.step() + "', saga " + p.sagaId()
                    + "; a message id must identify one invocation");
        }
        return reply(p, command, r.outcome(), r.replyType(), r.replyPayload(), r.reason(), null, Disposition.REPLAYED);
    }

    private Reply reply(Parsed p, IncomingCommand command, ReplyOutcome outcome, String replyType, String replyJson,
                        String reason, Duration retryAfter, Disposition disposition) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(Headers.MESSAGE_ID, replyIds.get());
        headers.put(Headers.CORRELATION_ID, p.messageId());
        headers.put(Headers.SAGA_ID, p.sagaId());
        copy(command, headers, Headers.SAGA_TYPE);
        headers.put(Headers.STEP, p.step());
        headers.put(Headers.OUTCOME, outcome.name());
        if (reason != null) {
            headers.put(Headers.REASON, cap(reason));
        }
        if (replyType != null) {
            headers.put(Headers.MESSAGE_TYPE, replyType);
        }
        if (retryAfter != null) {
            headers.put(Headers.RETRY_AFTER_MS, Long.toString(Math.max(1, retryAfter.toMillis())));
        }
        copy(command, headers, Headers.TRACEPARENT);
        copy(command, headers, Headers.TRACESTATE);
        return new Reply(headers, replyJson, disposition, command);
    }

    private static void copy(IncomingCommand command, Map<String, String> headers, String name) {
        String value = command.header(name);
        if (value != null) {
            headers.put(name, value);
        }
    }

    static String cap(String reason) {
        if (reason == null || reason.length() <= MAX_REASON_LENGTH) {
            return reason;
        }
        return reason.substring(0, MAX_REASON_LENGTH - 1) + "…";
    }

    /** Jackson's complaint, with the field path, without the payload. */
    private static String describe(IOException e) {
        if (e instanceof JsonProcessingException j) {
            String where = j instanceof JsonMappingException m && !m.getPath().isEmpty()
                    ? " (at " + m.getPathReference() + ")" : "";
            String message = j.getOriginalMessage();
            return (message == null ? j.getClass().getSimpleName() : message) + where;
        }
        return e.toString();
    }

    // ---------------------------------------------------------------- the command's headers, checked

    /** The headers the SDK needs, each present and well-formed. */
    record Parsed(String messageId, String sagaId, String step, CommandKind kind, String messageType, int attempt) {

        /** A {@link Parsed}, or a String listing every problem. */
        static Object of(IncomingCommand c) {
            List<String> problems = new ArrayList<>();
            String messageId = required(c, Headers.MESSAGE_ID, problems);
            String sagaId = required(c, Headers.SAGA_ID, problems);
            String step = required(c, Headers.STEP, problems);
            String messageType = required(c, Headers.MESSAGE_TYPE, problems);
            String kindValue = required(c, Headers.KIND, problems);
            CommandKind kind = null;
            if (kindValue != null) {
                kind = CommandKind.fromWire(kindValue);
                if (kind == null) {
                    problems.add("header " + Headers.KIND + " is '" + shorten(kindValue) + "', expected '"
                            + CommandKind.COMMAND.wireValue() + "' or '" + CommandKind.COMPENSATION.wireValue() + "'");
                }
            }
            int attempt = 1;
            String attemptValue = c.header(Headers.ATTEMPT);
            if (attemptValue != null) {
                try {
                    attempt = Integer.parseInt(attemptValue.trim());
                    if (attempt < 1) {
                        problems.add("header " + Headers.ATTEMPT + " is " + attempt + ", expected 1 or more");
                    }
                } catch (NumberFormatException e) {
                    problems.add("header " + Headers.ATTEMPT + " is '" + shorten(attemptValue) + "', expected a number");
                }
            }
            if (!problems.isEmpty()) {
                return String.join("; ", problems);
            }
            return new Parsed(messageId, sagaId, step, kind, messageType, attempt);
        }

        private static String required(IncomingCommand c, String name, List<String> problems) {
            String value = c.header(name);
            if (value == null) {
                problems.add("missing header " + name);
                return null;
            }
            if (value.isBlank()) {
                problems.add("header " + name + " is blank");
                return null;
            }
            if (value.length() > MAX_HEADER_LENGTH) {
                problems.add("header " + name + " is " + value.length() + " characters long, at most "
                        + MAX_HEADER_LENGTH + " allowed");
                return null;
            }
            return value;
        }

        private static String shorten(String value) {
            return value.length() <= 40 ? value : value.substring(0, 40) + "…";
        }
    }

    // ---------------------------------------------------------------- control flow out of a transaction

    /** Rolls the transaction back and answers with {@link #reply} (RETRY_LATER). */
    private static final class RollbackWith extends RuntimeException {
        final transient Reply reply;

        RollbackWith(Reply reply) {
            super(null, null, false, false);
            this.reply = reply;
        }
    }

    /** The handler failed on a transient database error: roll back, then retry or report Unavailable. */
    private static final class TransientHandlerFailure extends RuntimeException {
        TransientHandlerFailure(Throwable cause) {
            super(cause.toString(), cause, false, false);
        }
    }

    /** The thread was interrupted: roll back and report Unavailable. */
    private static final class Interrupted extends RuntimeException {
        Interrupted(Throwable cause) {
            super("interrupted", cause, false, false);
        }
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
