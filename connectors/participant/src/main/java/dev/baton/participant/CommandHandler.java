package dev.baton.participant;

/**
 * Handles one command type: decides an {@link Outcome} from the command alone. Register it with
 * {@link CommandHandlers.Builder#on(Class, CommandHandler)}.
 *
 * <p>The SDK calls it at most once per message id that ends in a final outcome, inside the database transaction that
 * records that outcome (see {@link TransactionalCommandHandler} to write to the database in that transaction). A
 * handler that calls other systems (HTTP, a payment provider) runs again when the transaction does not commit, for
 * example after it answered {@link Outcome#retryLater(String)} or the database failed at commit: make such calls
 * idempotent, keyed by the message id (use {@link TransactionalCommandHandler} to get it from the context).
 *
 * <p>Throwing is allowed; what the SDK answers then is the participant's {@link ExceptionPolicy}. May be called
 * from several threads at once, for different messages.
 *
 * @param <C> the command type
 * @since 0.1
 */
@FunctionalInterface
public interface CommandHandler<C> {
    /**
     * Handles {@code command}.
     *
     * @return the outcome; never null (null is treated as a handler bug, like an exception)
     * @throws Exception any failure; see {@link ExceptionPolicy}
     */
    Outcome handle(C command) throws Exception;
}
