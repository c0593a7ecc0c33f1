package dev.baton.participant;

import dev.baton.participant.StepDecider.Interrupted;
import dev.baton.participant.StepDecider.RollbackWith;
import dev.baton.participant.internal.SqlErrors;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Handles the commands of one transport poll with one commit per chunk where that is safe, falling back to one by one
 * (see {@link ParticipantRuntime#handleAll(List)} for the contract). Thread-safe.
 */
final class BatchDelivery {

    // the runtime's logger: one category for everything the participant SDK logs about handling
    private static final Logger LOG = LoggerFactory.getLogger(ParticipantRuntime.class);
    private static final String COMMAND_SAVEPOINT = "baton_participant_command";

    private final String participant;
    private final JdbiIdempotencyStore store;
    private final CommandPreparation preparation;
    private final StepDecider decider;
    private final int batchSize;
    private final Function<IncomingCommand, HandlingResult> handleOne;

    /**
     * @param handleOne handles a single command in a transaction of its own, never throwing; the fallback
     */
    BatchDelivery(String participant, JdbiIdempotencyStore store, CommandPreparation preparation, StepDecider decider,
                  int batchSize, Function<IncomingCommand, HandlingResult> handleOne) {
        this.participant = participant;
        this.store = store;
        this.preparation = preparation;
        this.decider = decider;
        this.batchSize = batchSize;
        this.handleOne = handleOne;
    }

    List<HandlingResult> handleAll(List<IncomingCommand> commands) {
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
                Object p = preparation.prepare(c);
                prepared.add(p);
                if (p instanceof PreparedCommand ok) {
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
            results = store.inTransaction(tx -> {
                List<HandlingResult> inTx = new ArrayList<>(prepared.size());
                for (Object p : prepared) {
                    inTx.add(p instanceof PreparedCommand c ? decideBehindSavepoint(tx, c) : (HandlingResult) p);
                }
                return inTx;
            });
        } catch (Throwable t) {
            if (t instanceof Interrupted) {
                Thread.currentThread().interrupt();
            }
            LOG.debug("participant '{}': a batch of {} commands did not commit ({}); handling them one by one",
                    participant, toRun, SqlErrors.describe(t));
            return oneByOne(chunk);
        }
        for (HandlingResult r : results) {
            if (r instanceof Rejected rejected) {
                LOG.warn("participant '{}' rejected {}: {}", participant, rejected.command(), rejected.reason());
            }
        }
        return results;
    }

    /** One command of a batch: its RETRY_LATER rolls back to the savepoint instead of ending the transaction. */
    private HandlingResult decideBehindSavepoint(Handle tx, PreparedCommand c) {
        tx.savepoint(COMMAND_SAVEPOINT);
        try {
            HandlingResult result = decider.decide(tx, c);
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
            results.add(stopped ? notAttempted(c) : handleOne.apply(c));
        }
        return results;
    }

    private static Unavailable notAttempted(IncomingCommand c) {
        return new Unavailable(c, "not attempted: an earlier command of the same batch was unavailable", null);
    }
}
