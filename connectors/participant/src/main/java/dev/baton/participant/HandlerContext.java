package dev.baton.participant;

import dev.baton.protocol.CommandKind;
import dev.baton.protocol.Headers;
import java.sql.Connection;
import java.util.Map;
import org.jdbi.v3.core.Handle;

/**
 * What a {@link TransactionalCommandHandler} knows besides the command: where the command comes from, and the
 * database transaction the SDK records the answer in. Valid only during the handler call, on the calling thread.
 *
 * @since 0.1
 */
public final class HandlerContext {
    private final String participant;
    private final IncomingCommand command;
    private final String messageId;
    private final String sagaId;
    private final String step;
    private final CommandKind kind;
    private final int attempt;
    private final Handle handle;

    HandlerContext(String participant, IncomingCommand command, String messageId, String sagaId, String step,
                   CommandKind kind, int attempt, Handle handle) {
        this.participant = participant;
        this.command = command;
        this.messageId = messageId;
        this.sagaId = sagaId;
        this.step = step;
        this.kind = kind;
        this.attempt = attempt;
        this.handle = handle;
    }

    /**
     * The JDBI handle of the SDK's transaction. Write the service's own changes with it to have them commit with
     * the record of this message, or roll back with it. {@link Handle#afterCommit(Runnable)} runs code once both are
     * durable. Never commit, roll back or close it. JDBI hands this same handle to {@code store.jdbi().withHandle(...)}
     * called on the handler's thread, so such calls are part of this transaction too, not a separate one.
     */
    public Handle handle() {
        return handle;
    }

    /**
     * The JDBC connection of the SDK's transaction, for a service written with plain JDBC (or a library that takes a
     * {@link Connection}, such as jOOQ's {@code DSL.using(connection)}): statements on it commit with the record of
     * this message, or roll back with it. The same connection as {@link #handle()}'s. Never commit, roll back, close it
     * or change its auto-commit mode, and do not keep it after returning.
     *
     * @since 0.6
     */
    public Connection connection() {
        return handle.getConnection();
    }

    /**
     * The command's message id ({@value Headers#MESSAGE_ID}): unique per invocation and stable across redeliveries.
     * The right idempotency key for calls to other systems.
     */
    public String messageId() {
        return messageId;
    }

    /** The saga instance's id ({@value Headers#SAGA_ID}). */
    public String sagaId() {
        return sagaId;
    }

    /** The saga type ({@value Headers#SAGA_TYPE}), or null when the command did not carry one. */
    public String sagaType() {
        return command.header(Headers.SAGA_TYPE);
    }

    /** The step's key ({@value Headers#STEP}). */
    public String step() {
        return step;
    }

    /** Forward command or compensation. */
    public CommandKind kind() {
        return kind;
    }

    /** The delivery attempt ({@value Headers#ATTEMPT}), from 1; 1 when the command did not carry one. */
    public int attempt() {
        return attempt;
    }

    /** The participant's name, as given to {@link CommandHandlers#forParticipant(String)}. */
    public String participant() {
        return participant;
    }

    /** Every header the command arrived with (unmodifiable), for headers of your own. */
    public Map<String, String> headers() {
        return command.headers();
    }

    @Override
    public String toString() {
        return "HandlerContext[participant=" + participant + ", messageId=" + messageId + ", kind=" + kind
                + ", attempt=" + attempt + "]";
    }
}
