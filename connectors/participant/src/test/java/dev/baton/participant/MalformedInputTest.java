package dev.baton.participant;

import static dev.baton.participant.TestMessages.command;
import static dev.baton.participant.TestMessages.compensation;
import static dev.baton.participant.TestMessages.rejected;
import static dev.baton.participant.TestMessages.withHeader;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.baton.participant.TestMessages.AuthorizePayment;
import dev.baton.participant.TestMessages.RefundPayment;
import dev.baton.protocol.Headers;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Commands that can never be handled come back as {@link Rejected} with a reason a person can act on. */
class MalformedInputTest extends H2Test {

    private final AtomicInteger runs = new AtomicInteger();
    private ParticipantRuntime runtime;

    @BeforeEach
    void runtime() {
        runtime = runtime(CommandHandlers.forParticipant("payment")
                .on(AuthorizePayment.class, cmd -> {
                    runs.incrementAndGet();
                    return Outcome.success();
                })
                .build());
    }

    private static IncomingCommand valid() {
        return command("s-1", "authorize-payment", 1, new AuthorizePayment("o-1", 2500));
    }

    private void assertNothingHappened() {
        assertThat(runs).hasValue(0);
        assertThat(count("baton_participant_inbox")).isZero();
    }

    @ParameterizedTest(name = "missing {0}")
    @ValueSource(strings = {Headers.MESSAGE_ID, Headers.SAGA_ID, Headers.STEP, Headers.MESSAGE_TYPE, Headers.KIND})
    @DisplayName("a missing required header is named")
    void missingHeader(String header) {
        Rejected r = rejected(runtime.handle(withHeader(valid(), header, null)));

        assertThat(r.reason()).isEqualTo("malformed command: missing header " + header);
        assertThat(r.command().header(header)).isNull();
        assertNothingHappened();
    }

    @Test
    @DisplayName("every header problem is listed at once")
    void everyProblemAtOnce() {
        Map<String, String> headers = new HashMap<>();
        headers.put(Headers.MESSAGE_ID, " ");
        headers.put(Headers.KIND, "undo");
        headers.put(Headers.ATTEMPT, "first");
        headers.put(Headers.STEP, "x".repeat(300));

        Rejected r = rejected(runtime.handle(IncomingCommand.of(headers, "{}")));

        assertThat(r.reason()).startsWith("malformed command: ").contains(
                "header baton-message-id is blank",
                "missing header baton-saga-id",
                "header baton-step is 300 characters long, at most 255 allowed",
                "missing header baton-message-type",
                "header baton-kind is 'undo', expected 'command' or 'compensation'",
                "header baton-attempt is 'first', expected a number");
        assertNothingHappened();
    }

    @Test
    @DisplayName("an attempt below 1 is malformed")
    void attemptBelowOne() {
        assertThat(rejected(runtime.handle(withHeader(valid(), Headers.ATTEMPT, "0"))).reason())
                .contains("header baton-attempt is 0, expected 1 or more");
    }

    @Test
    @DisplayName("an unknown message type names the type, the step and what the participant handles")
    void unknownMessageType() {
        Rejected r = rejected(runtime.handle(compensation("s-1", "authorize-payment", 1, new RefundPayment("o-1"))));

        assertThat(r.reason()).contains("participant 'payment' has no handler for message type 'RefundPayment'",
                "compensation of step 'authorize-payment'", "saga s-1", "it handles [AuthorizePayment]");
        assertNothingHappened();
    }

    @Test
    @DisplayName("a payload that is not JSON")
    void notJson() {
        Rejected r = rejected(runtime.handle(IncomingCommand.of(valid().headers(), "orderId=o-1")));

        assertThat(r.reason()).startsWith("the payload of message type 'AuthorizePayment' does not map onto "
                + AuthorizePayment.class.getName() + ": Unrecognized token 'orderId'");
        assertNothingHappened();
    }

    @Test
    @DisplayName("a field of the wrong type: the reason names the field")
    void wrongFieldType() {
        Rejected r = rejected(runtime.handle(IncomingCommand.of(valid().headers(),
                "{\"orderId\":\"o-1\",\"amountCents\":\"lots\"}")));

        assertThat(r.reason()).contains("does not map onto", "long", "amountCents");
        assertNothingHappened();
    }

    @Test
    @DisplayName("an empty payload, a JSON null, a JSON array and bytes that are not UTF-8")
    void emptyNullArrayAndBinary() {
        assertThat(rejected(runtime.handle(IncomingCommand.of(valid().headers(), (byte[]) null))).reason())
                .contains("does not map onto", "No content to map");
        assertThat(rejected(runtime.handle(IncomingCommand.of(valid().headers(), "null"))).reason())
                .isEqualTo("the payload of message type 'AuthorizePayment' is JSON null, not a "
                        + AuthorizePayment.class.getName());
        assertThat(rejected(runtime.handle(IncomingCommand.of(valid().headers(), "[1,2]"))).reason())
                .contains("does not map onto");
        assertThat(rejected(runtime.handle(IncomingCommand.of(valid().headers(),
                new byte[] {'{', '"', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}'}))).reason())
                .contains("does not map onto");
        assertNothingHappened();
    }

    @Test
    @DisplayName("a message id reused for another saga is rejected, not answered with the other saga's reply")
    void messageIdReused() {
        IncomingCommand first = valid();
        runtime.handle(first);
        IncomingCommand impostor = withHeader(first, Headers.SAGA_ID, "s-2");

        Rejected r = rejected(runtime.handle(impostor));

        assertThat(r.reason()).contains("message id 's-1/authorize-payment/do/1' was first handled as command"
                + " AuthorizePayment of step 'authorize-payment', saga s-1, and now arrives as command AuthorizePayment"
                + " of step 'authorize-payment', saga s-2");
        assertThat(runs).hasValue(1);
    }

    @Test
    @DisplayName("IncomingCommand never throws on content: null map, null names and values, null payload")
    void incomingCommandIsLenient() {
        Map<String, String> headers = new HashMap<>();
        headers.put(null, "x");
        headers.put(Headers.SAGA_ID, null);
        headers.put(Headers.STEP, "s");

        assertThatCode(() -> IncomingCommand.of(null, (String) null)).doesNotThrowAnyException();
        IncomingCommand c = IncomingCommand.of(headers, (byte[]) null);
        assertThat(c.headers()).containsOnlyKeys(Headers.STEP);
        assertThat(c.payload()).isEmpty();
        assertThat(c.toString()).isEqualTo("IncomingCommand[headers={baton-step=s}, payload=0 bytes]");
        assertThat(rejected(runtime.handle(IncomingCommand.of(null, (String) null))).reason())
                .contains("missing header baton-message-id", "missing header baton-kind");
    }

    @Test
    @DisplayName("the payload is never shown: not in IncomingCommand.toString, not in a rejection")
    void payloadNotShown() {
        IncomingCommand c = IncomingCommand.of(valid().headers(), "{\"orderId\":\"secret-card-4111\",\"amountCents\":[]}");

        assertThat(c.toString()).doesNotContain("secret-card-4111").contains("bytes");
        assertThat(rejected(runtime.handle(c)).reason()).doesNotContain("secret-card-4111");
    }
}
