package dev.baton.participant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.protocol.CommandKind;
import dev.baton.protocol.ErrorReports;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

/** A handler's exception: a reason with class and error id, the full exception in the log, like ones throttled. */
class HandlerErrorsTest {
    private final AtomicLong nanos = new AtomicLong();
    private final RecordingLogger logger = new RecordingLogger();
    private final AtomicInteger ids = new AtomicInteger();

    private HandlerErrors errors(boolean messages) {
        return new HandlerErrors(new ErrorReports(Duration.ofSeconds(10), nanos::get), logger,
                () -> String.format("%08x", ids.incrementAndGet()), messages);
    }

    private static CommandHeaders command(int i) {
        return new CommandHeaders("s-" + i + "/authorize-payment/do/1", "s-" + i, "authorize-payment", CommandKind.COMMAND,
                "AuthorizePayment", 1);
    }

    @Test
    @DisplayName("RETRY_LATER answered 50 times for one exception class: one WARN with the stack trace, no ERROR, 49 DEBUG lines; the next full report counts them")
    void retryLaterIsThrottledWarn() {
        HandlerErrors errors = errors(false);
        RuntimeException busy = new IllegalStateException("pool of jane.doe@example.com exhausted");
        for (int i = 0; i < 50; i++) {
            String reason = errors.report("payment", command(i), busy, ExceptionPolicy.RETRY_LATER);
            assertThat(reason).isEqualTo("the handler for AuthorizePayment threw IllegalStateException (error id "
                    + String.format("%08x", i + 1) + ")");
        }
        assertThat(logger.at(Level.ERROR)).isEmpty();
        assertThat(logger.at(Level.WARN)).singleElement().satisfies(e -> {
            assertThat(e.error()).isSameAs(busy);
            assertThat(e.message()).contains("error id 00000001", "RETRY_LATER", "s-0/authorize-payment/do/1");
        });
        assertThat(logger.at(Level.DEBUG)).hasSize(49).allSatisfy(e -> assertThat(e.error()).isNull());
        assertThat(logger.at(Level.DEBUG).get(0).message()).contains("error id 00000002", "jane.doe@example.com");

        nanos.addAndGet(Duration.ofSeconds(10).toNanos());
        errors.report("payment", command(99), busy, ExceptionPolicy.RETRY_LATER);
        assertThat(logger.at(Level.WARN)).hasSize(2);
        assertThat(logger.at(Level.WARN).get(1).message()).contains("49 more like it");
    }

    @Test
    @DisplayName("FAILURE: logged at ERROR with the stack trace and the id the reason carries; another class is its own report")
    void failureIsError() {
        HandlerErrors errors = errors(false);
        String reason = errors.report("payment", command(1), new IllegalArgumentException("iban DE44"), ExceptionPolicy.FAIL);
        errors.report("payment", command(2), new UnsupportedOperationException("x"), ExceptionPolicy.FAIL);
        assertThat(reason).doesNotContain("DE44");
        assertThat(logger.at(Level.ERROR)).hasSize(2);
        assertThat(logger.at(Level.ERROR).get(0).message()).contains("error id 00000001", "FAILURE");
        assertThat(reason).contains("error id 00000001");
    }

    @Test
    @DisplayName("opted in, the reason shows the message after the id")
    void messagesOnRequest() {
        assertThat(errors(true).report("payment", command(1), new IllegalArgumentException("iban DE44"), ExceptionPolicy.FAIL))
                .isEqualTo("the handler for AuthorizePayment threw IllegalArgumentException (error id 00000001): iban DE44");
    }
}
