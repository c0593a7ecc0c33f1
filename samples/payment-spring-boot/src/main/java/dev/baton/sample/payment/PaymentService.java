package dev.baton.sample.payment;

import dev.baton.participant.Outcome;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Authorizes payments. {@code MANDATORY}: it runs only inside a transaction someone else began — here the
 * participant SDK's, so the captured payment and the SDK's record of the answer commit together.
 */
@Service
public class PaymentService {
    private final PaymentRepository payments;
    private final double declineRate;

    public PaymentService(PaymentRepository payments, @Value("${payment.decline-rate:0.05}") double declineRate) {
        this.payments = payments;
        this.declineRate = declineRate;
    }

    @Transactional(propagation = Propagation.MANDATORY)
    public Outcome authorize(AuthorizePayment command, String messageId) {
        if (declined(command.orderId(), declineRate)) {
            return Outcome.failure("card declined"); // the saga compensates: no payment was taken
        }
        payments.capture(command.orderId(), command.amountCents(), messageId);
        return Outcome.success();
    }

    /** The card network's answer, decided by the order id, so a re-send of a command gets the same one. */
    static boolean declined(String orderId, double rate) {
        return Math.floorMod(orderId.hashCode() * 31 + 17, 10_000) < rate * 10_000;
    }
}
