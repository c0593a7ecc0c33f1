package dev.baton.participant.example;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.participant.HandlingResult;
import dev.baton.participant.ParticipantRuntime;
import dev.baton.participant.Rejected;
import dev.baton.participant.Reply;
import dev.baton.participant.Unavailable;
import dev.baton.participant.example.PaymentService.AuthorizePayment;
import dev.baton.participant.example.PaymentService.RefundPayment;
import dev.baton.protocol.Headers;
import dev.baton.protocol.ReplyOutcome;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.h2.jdbcx.JdbcDataSource;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The example payment service, driven the way a transport binding drives it. */
class PaymentServiceExampleTest {
    private static final ObjectMapper JSON = ParticipantRuntime.defaultObjectMapper();

    private PaymentService service;
    private Jdbi db;
    /** What the binding sent back to the engine and to its dead-letter channel. */
    private final List<Reply> toEngine = new ArrayList<>();
    private final List<Rejected> deadLetters = new ArrayList<>();

    @BeforeEach
    void start() {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:payment-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        ds.setUser("sa");
        service = new PaymentService(ds);
        db = Jdbi.create(ds);
    }

    /** A transport binding's loop body for one delivered message: nothing escapes, nothing is lost. */
    private boolean deliver(String sagaId, String kind, int invocation, Object command) throws JsonProcessingException {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(Headers.MESSAGE_ID, sagaId + "/authorize-payment/" + (kind.equals("command") ? "do" : "undo") + "/" + invocation);
        headers.put(Headers.SAGA_ID, sagaId);
        headers.put(Headers.STEP, "authorize-payment");
        headers.put(Headers.MESSAGE_TYPE, command.getClass().getSimpleName());
        headers.put(Headers.KIND, kind);
        byte[] payload = JSON.writeValueAsBytes(command);

        HandlingResult result = service.onMessage(headers, payload);
        return switch (result) {
            case Reply reply -> toEngine.add(reply);            // produce to baton.replies, then commit the offset
            case Rejected rejected -> deadLetters.add(rejected); // produce to <topic>.dlq, then commit the offset
            case Unavailable unavailable -> false;               // do not commit: seek back, back off, redeliver
        };
    }

    private Reply last() {
        return toEngine.get(toEngine.size() - 1);
    }

    private List<String> payments() {
        return db.withHandle(h -> h.createQuery("SELECT order_id || ':' || status FROM payment ORDER BY order_id")
                .mapTo(String.class).list());
    }

    @Test
    @DisplayName("authorize, redelivered three times: one payment row, four identical answers")
    void authorizeOnce() throws Exception {
        for (int i = 0; i < 4; i++) {
            deliver("s-1", "command", 1, new AuthorizePayment("o-1", 2500));
        }

        assertThat(payments()).containsExactly("o-1:AUTHORIZED");
        assertThat(toEngine).extracting(Reply::outcome).containsOnly(ReplyOutcome.SUCCESS);
        assertThat(toEngine).extracting(Reply::payload).containsOnly(toEngine.get(0).payload());
        assertThat(new String(toEngine.get(0).payloadBytes(), StandardCharsets.UTF_8)).startsWith("{\"paymentId\":\"pay-");
    }

    @Test
    @DisplayName("a declined card (domain exception with the FAIL policy): FAILURE, no row")
    void declined() throws Exception {
        deliver("s-1", "command", 1, new AuthorizePayment("o-1", 500_000));

        assertThat(last().outcome()).isEqualTo(ReplyOutcome.FAILURE);
        assertThat(last().reason()).contains("CardDeclinedException (error id ").doesNotContain("500000"); // the message is logged here
        assertThat(payments()).isEmpty();
    }

    @Test
    @DisplayName("processor down: RETRY_LATER with a hint; the engine's re-send after it recovers charges once")
    void busyThenCharged() throws Exception {
        service.processorUp(false);
        deliver("s-1", "command", 1, new AuthorizePayment("o-1", 2500));
        assertThat(last().outcome()).isEqualTo(ReplyOutcome.RETRY_LATER);
        assertThat(last().headers()).containsEntry(Headers.RETRY_AFTER_MS, "30000");

        service.processorUp(true);
        deliver("s-1", "command", 1, new AuthorizePayment("o-1", 2500));
        deliver("s-1", "command", 1, new AuthorizePayment("o-1", 2500));

        assertThat(toEngine).extracting(Reply::outcome)
                .containsExactly(ReplyOutcome.RETRY_LATER, ReplyOutcome.SUCCESS, ReplyOutcome.SUCCESS);
        assertThat(payments()).containsExactly("o-1:AUTHORIZED");
    }

    @Test
    @DisplayName("authorize then refund: the row is refunded once, however often the refund arrives")
    void refund() throws Exception {
        deliver("s-1", "command", 1, new AuthorizePayment("o-1", 2500));
        deliver("s-1", "compensation", 1, new RefundPayment("o-1"));
        deliver("s-1", "compensation", 1, new RefundPayment("o-1"));

        assertThat(payments()).containsExactly("o-1:REFUNDED");
        assertThat(toEngine).extracting(Reply::outcome).containsOnly(ReplyOutcome.SUCCESS);
    }

    @Test
    @DisplayName("the refund overtakes the authorization: answered as done, and the late authorization never charges")
    void refundOvertakesAuthorization() throws Exception {
        deliver("s-1", "compensation", 1, new RefundPayment("o-1"));
        deliver("s-1", "command", 1, new AuthorizePayment("o-1", 2500));

        assertThat(toEngine).extracting(Reply::outcome).containsExactly(ReplyOutcome.SUCCESS, ReplyOutcome.FAILURE);
        assertThat(payments()).isEmpty();
    }

    @Test
    @DisplayName("a command for another service ends in the dead-letter list with the reason")
    void deadLetter() throws Exception {
        record ScheduleShipment(String orderId) {}
        deliver("s-1", "command", 1, new ScheduleShipment("o-1"));

        assertThat(deadLetters).singleElement().satisfies(r ->
                assertThat(r.reason()).contains("no handler for message type 'ScheduleShipment'"));
        assertThat(toEngine).isEmpty();
    }
}
