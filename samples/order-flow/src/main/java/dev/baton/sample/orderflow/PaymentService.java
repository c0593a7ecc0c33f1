package dev.baton.sample.orderflow;

import dev.baton.kafka.common.KafkaOptions;
import dev.baton.participant.CommandHandlers;
import dev.baton.participant.Outcome;
import dev.baton.sample.orderflow.OrderFlowSaga.AuthorizePayment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import org.jdbi.v3.core.Handle;

/**
 * The payment service: captures payments. The card processor behind it holds each authorization for
 * {@code holdMs}; with {@code capacity} authorizations in progress it answers "retry later" (the saga parks in
 * PENDING_PAYMENT). A share of cards is declined ({@code declineRate}, decided by the order id, so a retry gets the
 * same answer): a business failure, the saga compensates. {@code latencyMs} is added to every authorization.
 */
public final class PaymentService extends Service {
    /** The payment service's knobs. */
    public record Settings(int capacity, int holdMs, double declineRate, int latencyMs) {}

    private final Settings settings;
    /** When the authorizations in progress end (nanoTime), oldest first. */
    private final ArrayDeque<Long> inProgress = new ArrayDeque<>();

    public PaymentService(Path dataDir, KafkaOptions options, Settings settings) {
        super(OrderFlowSaga.PAYMENT.name(), dataDir, options);
        this.settings = settings;
    }

    public static void main(String[] args) throws InterruptedException {
        runAlone(args, (d, o) -> new PaymentService(d, o, new Settings(30, 300, 0.05, 0)));
    }

    @Override
    protected void schema(Handle h) {
        // deliberately no unique key on order_id: the consistency check counts payments captured twice
        h.execute("CREATE TABLE IF NOT EXISTS payment (payment_id VARCHAR(80) PRIMARY KEY, order_id VARCHAR(64) NOT NULL,"
                + " amount_cents BIGINT NOT NULL, status VARCHAR(20) NOT NULL, message_id VARCHAR(200))");
        h.execute("CREATE INDEX IF NOT EXISTS payment_order ON payment (order_id)");
    }

    /** True when the card processor takes one more authorization. */
    private synchronized boolean admit() {
        long now = System.nanoTime();
        while (!inProgress.isEmpty() && inProgress.peekFirst() <= now) {
            inProgress.pollFirst();
        }
        if (inProgress.size() >= settings.capacity()) {
            return false;
        }
        inProgress.addLast(now + Duration.ofMillis(settings.holdMs()).toNanos());
        return true;
    }

    static boolean declined(String orderId, double rate) {
        return Math.floorMod(orderId.hashCode() * 31 + 17, 10_000) < rate * 10_000;
    }

    @Override
    protected CommandHandlers handlers() {
        return CommandHandlers.forParticipant(OrderFlowSaga.PAYMENT)
                .on(AuthorizePayment.class, (c, ctx) -> {
                    if (settings.latencyMs() > 0) {
                        Thread.sleep(settings.latencyMs());
                    }
                    if (!admit()) {
                        return Outcome.retryLater("card processor at capacity (" + settings.capacity() + " authorizations)");
                    }
                    if (declined(c.orderId(), settings.declineRate())) {
                        return Outcome.failure("card declined");
                    }
                    ctx.handle().execute("INSERT INTO payment (payment_id, order_id, amount_cents, status, message_id)"
                            + " VALUES (?, ?, ?, 'CAPTURED', ?)", "pay-" + java.util.UUID.randomUUID(), c.orderId(), c.amountCents(), ctx.messageId());
                    return Outcome.success();
                })
                .build();
    }
}
