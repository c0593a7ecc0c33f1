package dev.baton.participant;

import dev.baton.protocol.CommandKind;
import dev.baton.protocol.ReplyOutcome;
import java.time.Instant;

/**
 * One row of the idempotency record: a command message a participant answered with a final outcome, and that
 * answer. Read with {@link JdbiIdempotencyStore#find(String, String)}, for operators and tests. Immutable.
 *
 * @param participant the participant that answered
 * @param messageId the command's message id
 * @param sagaId the saga it belongs to
 * @param step the step's key
 * @param kind forward command or compensation
 * @param messageType the command's wire name
 * @param outcome SUCCESS or FAILURE (RETRY_LATER is never recorded)
 * @param disposition how the answer was reached, never {@link Disposition#REPLAYED}
 * @param replyType the reply payload's wire name, or null
 * @param replyPayload the reply payload exactly as first sent, or null
 * @param reason the reason sent, or null
 * @param handledAt when the answer was recorded
 * @since 0.1
 */
public record RecordedReply(String participant, String messageId, String sagaId, String step, CommandKind kind,
                            String messageType, ReplyOutcome outcome, Disposition disposition, String replyType,
                            String replyPayload, String reason, Instant handledAt) {

    /** Shows everything but the payload (it may hold personal data). */
    @Override
    public String toString() {
        return "RecordedReply[participant=" + participant + ", messageId=" + messageId + ", sagaId=" + sagaId + ", step="
                + step + ", kind=" + kind + ", messageType=" + messageType + ", outcome=" + outcome + ", disposition="
                + disposition + ", replyType=" + replyType + ", payload="
                + (replyPayload == null ? "none" : replyPayload.length() + " chars") + ", reason=" + reason
                + ", handledAt=" + handledAt + "]";
    }
}
