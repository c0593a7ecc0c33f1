package dev.baton.sample.payment;

import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/** The {@code payment} table. Its statements run in whatever transaction the caller has. */
@Repository
public class PaymentRepository {
    private final JdbcTemplate jdbc;

    public PaymentRepository(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** Records a captured payment; returns its id. */
    public String capture(String orderId, long amountCents, String messageId) {
        String id = "pay-" + UUID.randomUUID();
        jdbc.update("INSERT INTO payment (payment_id, order_id, amount_cents, status, message_id)"
                + " VALUES (?, ?, ?, 'CAPTURED', ?)", id, orderId, amountCents, messageId);
        return id;
    }

    /** How many payments were captured for the order. */
    public int capturedFor(String orderId) {
        Integer n = jdbc.queryForObject("SELECT COUNT(*) FROM payment WHERE order_id = ? AND status = 'CAPTURED'",
                Integer.class, orderId);
        return n == null ? 0 : n;
    }
}
