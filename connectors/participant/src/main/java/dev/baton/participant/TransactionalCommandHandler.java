package dev.baton.participant;

/**
 * Handles one command type inside the SDK's database transaction: {@link HandlerContext#handle()} is the JDBI handle
 * of the transaction in which the SDK records the message id and the answer, so the service's own writes and that
 * record commit together, or not at all. Register it with
 * {@link CommandHandlers.Builder#on(Class, TransactionalCommandHandler)}.
 *
 * <pre>{@code
 * .on(AuthorizePayment.class, (cmd, ctx) -> {
 *     ctx.handle().createUpdate("INSERT INTO payment (id, order_id, amount_cents) VALUES (:id, :order, :amount)")
 *             .bind("id", ctx.messageId()).bind("order", cmd.orderId()).bind("amount", cmd.amountCents())
 *             .execute();
 *     return Outcome.success(new PaymentAuthorized(ctx.messageId()));
 * })
 * }</pre>
 *
 * <p>The writes are rolled back when the handler throws (whatever the {@link ExceptionPolicy} answers) and when it
 * returns {@link Outcome#retryLater(String)}; they are committed with the record for {@code success} and
 * {@code failure}. Do not commit, roll back or close the handle yourself, and do not keep it after returning.
 *
 * @param <C> the command type
 * @since 0.1
 */
@FunctionalInterface
public interface TransactionalCommandHandler<C> {
    /**
     * Handles {@code command} in the transaction of {@code context}.
     *
     * @return the outcome; never null (null is treated as a handler bug, like an exception)
     * @throws Exception any failure; see {@link ExceptionPolicy}
     */
    Outcome handle(C command, HandlerContext context) throws Exception;
}
