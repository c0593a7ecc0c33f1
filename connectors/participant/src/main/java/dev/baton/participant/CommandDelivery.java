package dev.baton.participant;

import dev.baton.participant.StepDecider.Interrupted;
import dev.baton.participant.StepDecider.RollbackWith;
import dev.baton.participant.StepDecider.TransientHandlerFailure;
import dev.baton.participant.internal.SqlErrors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers one prepared command in a transaction of its own, running that transaction again while it loses to
 * contention, and turns every database failure into {@link Unavailable}. Thread-safe.
 */
final class CommandDelivery {

    // the runtime's logger: one category for everything the participant SDK logs about handling
    private static final Logger LOG = LoggerFactory.getLogger(ParticipantRuntime.class);

    private final String participant;
    private final JdbiIdempotencyStore store;
    private final StepDecider decider;
    private final int contentionAttempts;

    CommandDelivery(String participant, JdbiIdempotencyStore store, StepDecider decider, int contentionAttempts) {
        this.participant = participant;
        this.store = store;
        this.decider = decider;
        this.contentionAttempts = contentionAttempts;
    }

    HandlingResult deliverWithRetries(PreparedCommand c) {
        IncomingCommand command = c.command();
        CommandHeaders p = c.headers();
        if (store.isClosed()) {
            return new Unavailable(command, "the participant store is closed", null);
        }
        for (int attempt = 1; ; attempt++) {
            try {
                return deliver(c);
            } catch (RollbackWith r) {
                return r.reply;
            } catch (Interrupted e) {
                Thread.currentThread().interrupt();
                return new Unavailable(command, "interrupted while handling " + p.messageId(), e.getCause());
            } catch (RuntimeException e) {
                SqlErrors.Kind kind = SqlErrors.classify(e);
                boolean contention = kind == SqlErrors.Kind.CONTENTION || SqlErrors.isUniqueViolation(e);
                if (contention && attempt < contentionAttempts) {
                    LOG.debug("participant '{}': contention on {} (attempt {}), retrying: {}", participant,
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
     * {@link ParticipantRuntime.Builder#contentionAttempts(int)}), this time finding the row, waiting for its lock and
     * replaying.
     */
    private HandlingResult deliver(PreparedCommand c) {
        return store.inTransaction(tx -> decider.decide(tx, c));
    }
}
