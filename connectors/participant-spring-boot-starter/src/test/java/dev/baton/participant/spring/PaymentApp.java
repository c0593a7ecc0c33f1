package dev.baton.participant.spring;

import dev.baton.participant.CommandHandlers;
import dev.baton.participant.Outcome;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/** A payment service as a Spring Boot application would write it: a @Transactional service on JdbcTemplate. */
@SpringBootApplication
public class PaymentApp {

    public record ChargeCard(String orderId, long amountCents) {}

    public record RefundCard(String orderId) {}

    public record CardCharged(String paymentId) {}

    /** Amounts that mean something to this test's card network. */
    static final long DECLINED = 666;
    static final long BUSY = 503;
    static final long BROKEN = 500;

    @Bean
    CommandHandlers paymentHandlers(PaymentService payments) {
        return CommandHandlers.forParticipant("payment")
                .on(ChargeCard.class, (cmd, ctx) -> payments.charge(cmd, ctx.messageId()))
                .on(RefundCard.class, (cmd, ctx) -> payments.refund(cmd, ctx.messageId()))
                .build();
    }

    @Service
    public static class PaymentService {
        private final JdbcTemplate jdbc;

        public PaymentService(JdbcTemplate jdbc) {
            this.jdbc = jdbc;
        }

        /** MANDATORY: throws unless the SDK's Spring transaction is active on this thread. */
        @Transactional(propagation = Propagation.MANDATORY)
        public Outcome charge(ChargeCard cmd, String messageId) {
            // The SDK inserted this step's guard row in its transaction and has not committed: only a statement in
            // that same transaction can see it.
            Integer guard = jdbc.queryForObject("SELECT COUNT(*) FROM baton_participant_step WHERE saga_id = ?",
                    Integer.class, messageId.substring(0, messageId.indexOf('/')));
            if (guard == null || guard != 1) {
                throw new IllegalStateException("JdbcTemplate is not in the SDK's transaction");
            }
            String status = cmd.amountCents() == DECLINED ? "DECLINED" : "CAPTURED";
            jdbc.update("INSERT INTO payment (message_id, order_id, amount_cents, status) VALUES (?, ?, ?, ?)",
                    messageId, cmd.orderId(), cmd.amountCents(), status);
            if (cmd.amountCents() == BUSY) {
                return Outcome.retryLater("card network busy");
            }
            if (cmd.amountCents() == BROKEN) {
                throw new IllegalStateException("card network answered garbage");
            }
            if (cmd.amountCents() == DECLINED) {
                return Outcome.failure("card declined"); // the DECLINED row is kept: failures commit
            }
            return Outcome.success(new CardCharged("pay-" + messageId));
        }

        @Transactional(propagation = Propagation.MANDATORY)
        public Outcome refund(RefundCard cmd, String messageId) {
            jdbc.update("UPDATE payment SET status = 'REFUNDED' WHERE order_id = ?", cmd.orderId());
            return Outcome.success();
        }
    }
}
