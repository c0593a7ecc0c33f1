package dev.baton.jdbi.crash;

import dev.baton.engine.spi.InboundReply;
import dev.baton.engine.spi.OutboxRecord;
import dev.baton.engine.spi.ReplyOutcome;
import java.nio.file.Path;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * The four order-flow participants of the crash tests, with their state in their own H2 file: each command's
 * effect and answer are recorded under its message id in one transaction, so a redelivered command gets the
 * recorded answer and no second effect, even across a SIGKILL. A compensation that arrives before its command
 * is recorded and answered, and the late command refused. Orders whose amount is a multiple of 5 have their
 * payment declined.
 */
public final class DurableParticipants implements AutoCloseable {
    private final Jdbi jdbi;
    private final Handle keepOpen;

    public DurableParticipants(Path dir) {
        this.jdbi = Jdbi.create("jdbc:h2:file:" + dir.resolve("participants").toAbsolutePath() + ";WRITE_DELAY=0", "sa", "");
        this.keepOpen = jdbi.open();
        keepOpen.execute("""
                CREATE TABLE IF NOT EXISTS effect (
                  message_id VARCHAR(200) PRIMARY KEY, saga_id VARCHAR(64) NOT NULL, step VARCHAR(100) NOT NULL,
                  kind VARCHAR(20) NOT NULL, outcome VARCHAR(20) NOT NULL, without_forward BOOLEAN NOT NULL)""");
    }

    public Jdbi jdbi() {
        return jdbi;
    }

    /** Handles one command and returns the reply to send. */
    public InboundReply handle(OutboxRecord command) {
        String step = command.headers().get("baton-step");
        String kind = command.headers().get("baton-kind");
        String[] outcome = jdbi.inTransaction(h -> {
            Optional<String> recorded = h.createQuery("SELECT outcome FROM effect WHERE message_id = :id")
                    .bind("id", command.messageId()).mapTo(String.class).findOne();
            if (recorded.isPresent()) {
                return new String[] {recorded.get(), "recorded"};
            }
            boolean forwardDone = h.createQuery("SELECT COUNT(*) FROM effect WHERE saga_id = :s AND step = :st AND kind = 'command'"
                    + " AND outcome = 'SUCCESS'").bind("s", command.sagaId().value()).bind("st", step).mapTo(Integer.class).one() > 0;
            boolean compensated = h.createQuery("SELECT COUNT(*) FROM effect WHERE saga_id = :s AND step = :st AND kind = 'compensation'")
                    .bind("s", command.sagaId().value()).bind("st", step).mapTo(Integer.class).one() > 0;
            String result;
            boolean withoutForward = false;
            if ("compensation".equals(kind)) {
                result = "SUCCESS";
                withoutForward = !forwardDone;
            } else if (compensated) {
                result = "FAILURE";
            } else if (step.equals("authorize-payment") && command.payload().matches(".*\"amountCents\":\\d*[05][,}].*")) {
                result = "FAILURE";
            } else {
                result = "SUCCESS";
            }
            h.createUpdate("INSERT INTO effect (message_id, saga_id, step, kind, outcome, without_forward)"
                            + " VALUES (:id, :s, :st, :k, :o, :w)")
                    .bind("id", command.messageId()).bind("s", command.sagaId().value()).bind("st", step).bind("k", kind)
                    .bind("o", result).bind("w", withoutForward).execute();
            return new String[] {result, "new"};
        });
        String payloadType = null;
        String payload = null;
        if ("SUCCESS".equals(outcome[0]) && "command".equals(kind)) {
            if (step.equals("reserve-inventory")) {
                payloadType = "ItemsReserved";
                payload = "{\"reservationId\":\"r-" + command.sagaId().value() + "\"}";
            } else if (step.equals("authorize-payment")) {
                payloadType = "PaymentAuthorized";
                payload = "{\"paymentId\":\"p-" + command.sagaId().value() + "\"}";
            }
        }
        return new InboundReply(UUID.randomUUID().toString(), command.messageId(), command.sagaId(),
                ReplyOutcome.valueOf(outcome[0]), payloadType, payload, "FAILURE".equals(outcome[0]) ? "declined" : null);
    }

    @Override
    public void close() {
        keepOpen.close();
    }
}
