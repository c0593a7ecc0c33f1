package dev.baton.participant;

import dev.baton.protocol.Headers;
import dev.baton.protocol.ReplyOutcome;
import java.time.Duration;
import java.util.Objects;

/**
 * What a command handler decided. Immutable; create one with the static factories:
 * <pre>{@code
 * return Outcome.success(new PaymentAuthorized(paymentId));      // took effect; the reply travels to the saga
 * return Outcome.success();                                      // took effect; nothing to report
 * return Outcome.failure("card declined");                       // refused for a business reason; took no effect
 * return Outcome.retryLater("card processor unavailable");       // did nothing; ask again later
 * return Outcome.retryLater("rate limited", Duration.ofSeconds(30));
 * }</pre>
 *
 * <p><b>What each promises.</b> {@code success} and {@code failure} are <em>final</em>: the SDK records them with the
 * message id, in the same transaction as the handler's writes, and answers every redelivery of that message from the
 * record. {@code failure} tells the saga the command took <em>no</em> effect, so the saga will not compensate it;
 * only return it when that is true. {@code retryLater} is not recorded: the SDK rolls the transaction back (the
 * handler's writes included), and the engine's later re-send of the same message runs the handler again.
 *
 * @since 0.1
 */
public sealed interface Outcome permits Outcome.Success, Outcome.Failure, Outcome.RetryLater {

    /** The command took effect; the reply carries no payload. */
    static Outcome success() {
        return new Success(null);
    }

    /**
     * The command took effect; {@code reply} is encoded as JSON and travels to the saga under its wire name
     * ({@code @MessageType} or the class's simple name), where {@code onReply} handlers read it.
     *
     * @param reply the reply payload; null means none
     */
    static Outcome success(Object reply) {
        return new Success(reply);
    }

    /**
     * The command was refused and took no effect; final.
     *
     * @param reason a short, human-readable reason, shown in the saga's history; not blank
     */
    static Outcome failure(String reason) {
        return new Failure(reason);
    }

    /**
     * The participant is busy and did nothing; the engine parks the step or re-sends per its policy.
     *
     * @param reason why, shown in the saga's history; not blank
     */
    static Outcome retryLater(String reason) {
        return new RetryLater(reason, null);
    }

    /**
     * As {@link #retryLater(String)}, with the least time the engine should wait before sending again. It travels as
     * the {@value Headers#RETRY_AFTER_MS} header; the engine waits the longer of it (at most an hour) and the step's
     * park interval or retry back-off, never past the park's give-up deadline.
     *
     * @param after positive
     */
    static Outcome retryLater(String reason, Duration after) {
        Objects.requireNonNull(after, "after");
        return new RetryLater(reason, after);
    }

    /** The outcome on the wire. */
    ReplyOutcome outcome();

    /**
     * Took effect.
     *
     * @param reply the reply payload, or null for none
     */
    record Success(Object reply) implements Outcome {
        @Override
        public ReplyOutcome outcome() {
            return ReplyOutcome.SUCCESS;
        }
    }

    /**
     * Refused; took no effect.
     *
     * @param reason not blank
     */
    record Failure(String reason) implements Outcome {
        public Failure {
            requireReason(reason);
        }

        @Override
        public ReplyOutcome outcome() {
            return ReplyOutcome.FAILURE;
        }
    }

    /**
     * Did nothing; ask again later.
     *
     * @param reason not blank
     * @param after how long to wait, a hint; null for no hint, otherwise positive
     */
    record RetryLater(String reason, Duration after) implements Outcome {
        public RetryLater {
            requireReason(reason);
            if (after != null && (after.isNegative() || after.isZero())) {
                throw new IllegalArgumentException("retryLater 'after' must be positive, but was " + after);
            }
        }

        @Override
        public ReplyOutcome outcome() {
            return ReplyOutcome.RETRY_LATER;
        }
    }

    private static void requireReason(String reason) {
        Objects.requireNonNull(reason, "reason");
        if (reason.isBlank()) {
            throw new IllegalArgumentException("an outcome's reason must not be blank; say why, for the saga's history");
        }
    }
}
