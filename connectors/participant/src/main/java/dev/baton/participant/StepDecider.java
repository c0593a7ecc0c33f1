package dev.baton.participant;

import dev.baton.protocol.ReplyOutcome;
import dev.baton.protocol.RetryCause;
import dev.baton.protocol.CommandKind;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.dsl.MessageType;
import dev.baton.participant.CommandHandlers.Registration;
import dev.baton.participant.internal.Inbox;
import dev.baton.participant.internal.Inbox.CompensationState;
import dev.baton.participant.internal.Inbox.StepState;
import dev.baton.participant.internal.SqlErrors;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * Decides the answer to one prepared command inside a database transaction that the caller owns: locks the saga
 * step's row, answers from the record when the message id was handled before, applies the compensation guard, and
 * otherwise runs the handler and records its final outcome. A RETRY_LATER, a transient database error in the
 * handler and an interrupt leave as the exceptions nested here, so that the caller rolls back. Thread-safe.
 */
final class StepDecider {

    private static final String SAVEPOINT = "baton_participant_handler";

    private final CommandHandlers handlers;
    private final ParticipantTracing tracing;
    private final ObjectMapper mapper;
    private final Clock clock;
    private final ReplyFactory replies;
    private final HandlerErrors errors;

    StepDecider(CommandHandlers handlers, ObjectMapper mapper, Clock clock, ReplyFactory replies, HandlerErrors errors,
                ParticipantTracing tracing) {
        this.handlers = handlers;
        this.tracing = tracing;
        this.mapper = mapper;
        this.clock = clock;
        this.replies = replies;
        this.errors = errors;
    }

    private String participant() {
        return handlers.participant();
    }

    HandlingResult decide(Handle tx, PreparedCommand c) {
        return tracing.handle(c.headers(), c.command(), () -> decideInSpan(tx, c));
    }

    private HandlingResult decideInSpan(Handle tx, PreparedCommand c) {
        CommandHeaders p = c.headers();
        IncomingCommand command = c.command();
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
        return run(tx, p, c.registration(), c.payload(), command, step, now);
    }

    /** Runs the handler and records its final outcome, or rolls everything back for RETRY_LATER. */
    private HandlingResult run(Handle tx, CommandHeaders p, Registration<?> registration, Object payload,
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
            String reason = errors.report(participant(), p, t, policy);
            if (policy == ExceptionPolicy.RETRY_LATER) {
                throw new RollbackWith(replies.reply(p, command, ReplyOutcome.RETRY_LATER, null, null, reason, null,
                        Disposition.HANDLED, RetryCause.ERROR.wireValue()));
            }
            tx.rollbackToSavepoint(SAVEPOINT);
            outcome = Outcome.failure(reason);
        }
        return switch (outcome) {
            case Outcome.RetryLater r -> throw new RollbackWith(replies.reply(p, command, ReplyOutcome.RETRY_LATER, null,
                    null, r.reason(), r.after(), Disposition.HANDLED));
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
    private Reply alreadyDone(Handle tx, CommandHeaders p, IncomingCommand command, String earlierId, Instant now) {
        Optional<RecordedReply> earlier = Inbox.find(tx, participant(), earlierId);
        String what = p.kind() == CommandKind.COMMAND ? "step '" + p.step() + "'" : "the compensation of step '" + p.step() + "'";
        return record(tx, p, command, ReplyOutcome.SUCCESS, earlier.map(RecordedReply::replyType).orElse(null),
                earlier.map(RecordedReply::replyPayload).orElse(null), "already done: " + what + " of saga "
                        + p.sagaId() + " succeeded here as message " + earlierId, Disposition.ALREADY_DONE, now);
    }

    private Reply record(Handle tx, CommandHeaders p, IncomingCommand command, ReplyOutcome outcome, String replyType,
                         String replyJson, String reason, Disposition disposition, Instant now) {
        String capped = ReplyFactory.cap(reason);
        Inbox.insert(tx, new RecordedReply(participant(), p.messageId(), p.sagaId(), p.step(), p.kind(),
                p.messageType(), outcome, disposition, replyType, replyJson, capped, now));
        return replies.reply(p, command, outcome, replyType, replyJson, capped, null, disposition);
    }

    private HandlingResult replay(RecordedReply r, CommandHeaders p, IncomingCommand command) {
        if (!r.sagaId().equals(p.sagaId()) || !r.step().equals(p.step()) || r.kind() != p.kind()
                || !r.messageType().equals(p.messageType())) {
            return new Rejected(command, "message id '" + p.messageId() + "' was first handled as " + r.kind().wireValue()
                    + " " + r.messageType() + " of step '" + r.step() + "', saga " + r.sagaId() + ", and now arrives as "
                    + p.kind().wireValue() + " " + p.messageType() + " of step '" + p.step() + "', saga " + p.sagaId()
                    + "; a message id must identify one invocation");
        }
        return replies.reply(p, command, r.outcome(), r.replyType(), r.replyPayload(), r.reason(), null,
                Disposition.REPLAYED);
    }

    // ---------------------------------------------------------------- control flow out of a transaction

    /** Rolls the transaction back and answers with {@link #reply} (RETRY_LATER). */
    static final class RollbackWith extends RuntimeException {
        final transient Reply reply;

        RollbackWith(Reply reply) {
            super(null, null, false, false);
            this.reply = reply;
        }
    }

    /** The handler failed on a transient database error: roll back, then retry or report Unavailable. */
    static final class TransientHandlerFailure extends RuntimeException {
        TransientHandlerFailure(Throwable cause) {
            super(cause.toString(), cause, false, false);
        }
    }

    /** The thread was interrupted: roll back and report Unavailable. */
    static final class Interrupted extends RuntimeException {
        Interrupted(Throwable cause) {
            super("interrupted", cause, false, false);
        }
    }
}
