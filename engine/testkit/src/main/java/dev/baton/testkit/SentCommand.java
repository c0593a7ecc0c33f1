package dev.baton.testkit;

import dev.baton.engine.SagaId;
import dev.baton.engine.spi.OutboxRecord;
import dev.baton.protocol.CommandKind;
import dev.baton.protocol.Headers;

/**
 * A command the engine sent, as a test sees it, with the means to answer it.
 *
 * @param <C> the command's type
 * @since 0.1
 */
public final class SentCommand<C> {
    private final SagaTestKit kit;
    private final OutboxRecord record;
    private final C command;

    SentCommand(SagaTestKit kit, OutboxRecord record, C command) {
        this.kit = kit;
        this.record = record;
        this.command = command;
    }

    /** The decoded command. */
    public C command() {
        return command;
    }

    public SagaId sagaId() {
        return record.sagaId();
    }

    public String messageId() {
        return record.messageId();
    }

    public String step() {
        return record.headers().get(Headers.STEP);
    }

    public String participant() {
        return record.destination();
    }

    public int attempt() {
        return Integer.parseInt(record.headers().get(Headers.ATTEMPT));
    }

    public boolean isCompensation() {
        return CommandKind.COMPENSATION.wireValue().equals(record.headers().get(Headers.KIND));
    }

    /** Answers SUCCESS without a reply payload. */
    public void replySuccess() {
        kit.reply(record, Answer.success());
    }

    /** Answers SUCCESS with a reply that {@code onReply} folds into the data. */
    public void replySuccess(Object reply) {
        kit.reply(record, Answer.success(reply));
    }

    /** Answers FAILURE. */
    public void replyFailure(String reason) {
        kit.reply(record, Answer.failure(reason));
    }

    /** Answers RETRY_LATER. */
    public void replyBusy(String reason) {
        kit.reply(record, Answer.busy(reason));
    }

    @Override
    public String toString() {
        return (isCompensation() ? "compensation " : "command ") + record.messageType() + " (step " + step() + ", attempt "
                + attempt() + ", saga " + sagaId() + ")";
    }
}
