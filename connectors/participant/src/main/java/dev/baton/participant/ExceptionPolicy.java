package dev.baton.participant;

/**
 * What the SDK answers when a handler throws instead of returning an {@link Outcome}. Set it per participant with
 * {@link CommandHandlers.Builder#onException(ExceptionPolicy)} and per exception type with
 * {@link CommandHandlers.Builder#onException(Class, ExceptionPolicy)}.
 *
 * <p>Either way the handler's database writes are rolled back, the exception is logged with its stack trace, and the
 * reply's reason names the exception class and message. A message is never dropped.
 *
 * <p><b>Default: {@link #RETRY_LATER}.</b> An exception is not a decision. It may be a passing fault (a downstream
 * timeout, a lost connection) or a bug, and for a handler that calls other systems it does not even say whether the
 * command took effect. A FAILURE answer would tell the saga "this took no effect" and trigger compensation of the
 * earlier steps, recorded forever: a transient glitch would cancel an order, and an ambiguous timeout at a payment
 * provider could leave money taken with nobody to refund it. RETRY_LATER records nothing; the engine keeps the saga
 * visibly waiting (parked with the reason, or retried per the step's policy, which bounds it) and re-sends the same
 * message id, which runs the handler again: after the dependency recovers, or after a bug fix is deployed. Pass
 * {@link HandlerContext#messageId()} to external systems as their idempotency key so that re-run is safe. Choose
 * {@link #FAIL} for exception types that really are business refusals (say, {@code InsufficientFundsException}).
 *
 * <p>Transient database errors (deadlock, serialization failure, lock timeout, lost connection) are never subject to
 * this policy: the SDK retries or reports {@link Unavailable} so the transport redelivers.
 *
 * @since 0.1
 */
public enum ExceptionPolicy {
    /** Answer FAILURE, recorded as final. The saga treats the command as refused and compensates or retries per its definition. */
    FAIL,
    /** Answer RETRY_LATER, not recorded. The engine re-sends the same message later and the handler runs again. The default. */
    RETRY_LATER
}
