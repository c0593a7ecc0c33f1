package dev.baton.participant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.dsl.MessageType;
import dev.baton.dsl.Participant;
import dev.baton.participant.TestMessages.AuthorizePayment;
import dev.baton.participant.TestMessages.CapturePayment;
import dev.baton.participant.TestMessages.RefundPayment;
import dev.baton.protocol.ReplyOutcome;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Registering handlers: lookups by wire name, and every mistake reported at build(). */
class CommandHandlersTest {

    sealed interface PaymentCommand permits Authorize, Refund {}

    record Authorize(String orderId) implements PaymentCommand {}

    record Refund(String orderId) implements PaymentCommand {}

    static final Participant<PaymentCommand> PAYMENT = Participant.named("payment", PaymentCommand.class);

    /** Another class with the simple name of a registered one. */
    static final class Other {
        @MessageType("AuthorizePayment")
        record Clash(String orderId) {}
    }

    @Test
    @DisplayName("handlers are found by wire name: @MessageType, else the simple name")
    void lookupByWireName() {
        CommandHandlers handlers = CommandHandlers.forParticipant("payment")
                .on(AuthorizePayment.class, c -> Outcome.success())
                .on(CapturePayment.class, (c, ctx) -> Outcome.success())
                .build();

        assertThat(handlers.participant()).isEqualTo("payment");
        assertThat(handlers.messageTypes()).containsExactly("AuthorizePayment", "payment.capture/v2");
        assertThat(handlers.commandType("payment.capture/v2")).contains(CapturePayment.class);
        assertThat(handlers.commandType("CapturePayment")).isEmpty();
        assertThat(handlers.exceptionPolicy()).isEqualTo(ExceptionPolicy.RETRY_LATER);
        assertThat(handlers.toString()).contains("payment", "AuthorizePayment");
    }

    @Test
    @DisplayName("a typed participant handle: the name comes from it, and only its command types compile")
    void typedParticipant() {
        CommandHandlers handlers = CommandHandlers.forParticipant(PAYMENT)
                .on(Authorize.class, c -> Outcome.success(c.orderId()))
                .on(Refund.class, CommandHandlersTest::refund) // a method reference with the context
                .build();
        // .on(AuthorizePayment.class, ...) would not compile: not a PaymentCommand

        assertThat(handlers.participant()).isEqualTo("payment");
        assertThat(handlers.messageTypes()).containsExactly("Authorize", "Refund");
    }

    private static Outcome refund(Refund command, HandlerContext context) {
        return Outcome.success();
    }

    @Test
    @DisplayName("every registration problem is reported at once, naming the registration and the fix")
    void everyProblemAtOnce() {
        CommandHandlers.Builder<Object> builder = CommandHandlers.forParticipant("payment")
                .on(AuthorizePayment.class, c -> Outcome.success())
                .on(RefundPayment.class, c -> Outcome.success())
                .on(AuthorizePayment.class, (c, ctx) -> Outcome.success())
                .on(Other.Clash.class, c -> Outcome.success())
                .on(Runnable.class, c -> Outcome.success())
                .on(CapturePayment.class, (CommandHandler<CapturePayment>) null)
                .onException(ExceptionPolicy.FAIL)
                .onException(ExceptionPolicy.RETRY_LATER);

        assertThatThrownBy(builder::build)
                .isInstanceOfSatisfying(InvalidHandlersException.class, e -> {
                    assertThat(e.participant()).isEqualTo("payment");
                    assertThat(e.problems()).hasSize(5);
                })
                .hasMessageStartingWith("participant 'payment' has 5 problems:")
                .hasMessageContaining("handlers[2]: AuthorizePayment (" + AuthorizePayment.class.getName()
                        + ") is registered twice (also handlers[0]); keep one handler per command type")
                .hasMessageContaining("handlers[3]: wire name 'AuthorizePayment' of " + Other.Clash.class.getName()
                        + " is already taken by " + AuthorizePayment.class.getName()
                        + " (handlers[0]); give one of them a distinct @MessageType")
                .hasMessageContaining("handlers[4]: java.lang.Runnable is an interface; register each concrete command class")
                .hasMessageContaining("handlers[5]: the handler for CapturePayment is null")
                .hasMessageContaining("onException: the participant-wide policy is set twice (FAIL, then RETRY_LATER)");
    }

    @Test
    @DisplayName("no handlers at all is a mistake too")
    void noHandlers() {
        assertThatThrownBy(() -> CommandHandlers.forParticipant("payment").build())
                .isInstanceOf(InvalidHandlersException.class)
                .hasMessage("participant 'payment' has 1 problem:\n  no handlers: register at least one with"
                        + " .on(CommandType.class, cmd -> Outcome.success())");
    }

    @Test
    @DisplayName("null arguments and a type-specific policy set twice")
    void nullsAndTwice() {
        assertThatThrownBy(() -> CommandHandlers.forParticipant("payment")
                .on(null, (CommandHandler<Object>) c -> Outcome.success())
                .onException(null)
                .onException(IllegalStateException.class, ExceptionPolicy.FAIL)
                .onException(IllegalStateException.class, ExceptionPolicy.RETRY_LATER)
                .onException(null, ExceptionPolicy.FAIL)
                .build())
                .isInstanceOf(InvalidHandlersException.class)
                .hasMessageContaining("handlers[0]: the command type is null")
                .hasMessageContaining("onException: the policy is null")
                .hasMessageContaining("java.lang.IllegalStateException has a policy twice (FAIL, then RETRY_LATER)")
                .hasMessageContaining("onException(null, FAIL): neither the exception type nor the policy may be null");
    }

    @Test
    @DisplayName("the participant name follows the DSL's rule")
    void participantName() {
        assertThatThrownBy(() -> CommandHandlers.forParticipant("Payment Service"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("participant name must match");
    }

    @Test
    @DisplayName("outcomes check their arguments")
    void outcomes() {
        assertThat(Outcome.success().outcome()).isEqualTo(ReplyOutcome.SUCCESS);
        assertThat(Outcome.success(new Refund("o")))
                .isEqualTo(new Outcome.Success(new Refund("o")));
        assertThat(Outcome.failure("no").outcome()).isEqualTo(ReplyOutcome.FAILURE);
        assertThat(Outcome.retryLater("busy")).isEqualTo(new Outcome.RetryLater("busy", null));
        assertThat(Outcome.retryLater("busy", Duration.ofSeconds(1)).outcome()).isEqualTo(ReplyOutcome.RETRY_LATER);
        assertThatThrownBy(() -> Outcome.failure(" ")).hasMessageContaining("must not be blank");
        assertThatThrownBy(() -> Outcome.failure(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Outcome.retryLater("busy", Duration.ZERO))
                .hasMessage("retryLater 'after' must be positive, but was PT0S");
    }

    @Test
    @DisplayName("the runtime builder lists every missing setting")
    void runtimeBuilder() {
        assertThatThrownBy(() -> ParticipantRuntime.builder().objectMapper(null).contentionAttempts(0).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("requires CommandHandlers; none was set")
                .hasMessageContaining("requires an idempotency store; none was set")
                .hasMessageContaining("objectMapper, clock and replyIds must not be null")
                .hasMessageContaining("contentionAttempts must be >= 1, but was 0");
    }
}
