package dev.baton.participant.example;

import dev.baton.participant.CommandHandlers;
import dev.baton.participant.ExceptionPolicy;
import dev.baton.participant.HandlerContext;
import dev.baton.participant.HandlingResult;
import dev.baton.participant.IncomingCommand;
import dev.baton.participant.JdbiIdempotencyStore;
import dev.baton.participant.Outcome;
import dev.baton.participant.ParticipantRuntime;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;

/**
 * An example participant: the payment service of the order saga, with its own {@code payment} table. Everything it
 * needs from Baton is in the constructor; {@link #onMessage} is what a transport binding calls per delivered command.
 */
public final class PaymentService {

    /** The saga's forward command for the payment step. */
    public record AuthorizePayment(String orderId, long amountCents) {}

    /** Its compensation. */
    public record RefundPayment(String orderId) {}

    /** The reply: read by the saga's {@code onReply}. */
    public record PaymentAuthorized(String paymentId) {}

    /** A business refusal thrown deep in the domain code: answered FAILURE (see the registration). */
    static final class CardDeclinedException extends RuntimeException {
        CardDeclinedException(String message) {
            super(message);
        }
    }

    static final long LIMIT_CENTS = 100_000;

    private final ParticipantRuntime runtime;
    private final AtomicBoolean processorUp = new AtomicBoolean(true);

    public PaymentService(DataSource dataSource) {
        JdbiIdempotencyStore store = JdbiIdempotencyStore.create(dataSource); // the service's own database
        store.jdbi().useHandle(h -> h.execute("""
                CREATE TABLE IF NOT EXISTS payment (
                  payment_id VARCHAR(64) PRIMARY KEY, order_id VARCHAR(64) NOT NULL UNIQUE,
                  amount_cents BIGINT NOT NULL, status VARCHAR(16) NOT NULL)"""));
        CommandHandlers handlers = CommandHandlers.forParticipant("payment")
                .on(AuthorizePayment.class, this::authorize)
                .on(RefundPayment.class, this::refund)
                .onException(CardDeclinedException.class, ExceptionPolicy.FAIL) // everything else: RETRY_LATER
                .build();
        this.runtime = ParticipantRuntime.builder().handlers(handlers).store(store).build();
    }

    private Outcome authorize(AuthorizePayment cmd, HandlerContext ctx) {
        if (!processorUp.get()) {
            return Outcome.retryLater("card processor unavailable", Duration.ofSeconds(30));
        }
        if (cmd.amountCents() > LIMIT_CENTS) {
            throw new CardDeclinedException("amount " + cmd.amountCents() + " over the card limit");
        }
        String paymentId = "pay-" + UUID.randomUUID();
        ctx.handle().createUpdate("INSERT INTO payment (payment_id, order_id, amount_cents, status)"
                        + " VALUES (:id, :order, :amount, 'AUTHORIZED')")
                .bind("id", paymentId).bind("order", cmd.orderId()).bind("amount", cmd.amountCents())
                .execute();
        return Outcome.success(new PaymentAuthorized(paymentId));
    }

    private Outcome refund(RefundPayment cmd, HandlerContext ctx) {
        ctx.handle().createUpdate("UPDATE payment SET status = 'REFUNDED' WHERE order_id = :order AND status = 'AUTHORIZED'")
                .bind("order", cmd.orderId()).execute();
        return Outcome.success();
    }

    /** Called by the transport binding for each delivered command. */
    public HandlingResult onMessage(Map<String, String> headers, byte[] payload) {
        return runtime.handle(IncomingCommand.of(headers, payload));
    }

    /** Simulates the card processor going down or coming back. */
    void processorUp(boolean up) {
        processorUp.set(up);
    }
}
