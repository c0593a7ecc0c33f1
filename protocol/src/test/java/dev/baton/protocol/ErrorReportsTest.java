package dev.baton.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ErrorReportsTest {

    @Test
    @DisplayName("one full log per key and interval, with the count of those held back since; other keys are independent")
    void throttlesPerKeyOnAManualClock() {
        AtomicLong nanos = new AtomicLong();
        ErrorReports reports = new ErrorReports(Duration.ofSeconds(10), nanos::get);
        String a = ErrorReports.key(new IllegalStateException("x"), "handler A");
        String b = ErrorReports.key(new IllegalArgumentException("x"), "handler A");
        assertThat(reports.admit(a)).isZero();
        for (int i = 0; i < 99; i++) {
            assertThat(reports.admit(a)).isEqualTo(-1);
        }
        assertThat(reports.admit(b)).as("another class at the same place").isZero();
        nanos.addAndGet(Duration.ofSeconds(9).toNanos());
        assertThat(reports.admit(a)).isEqualTo(-1);
        nanos.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThat(reports.admit(a)).as("the interval passed: logged, with the 100 held back").isEqualTo(100);
        assertThat(reports.admit(a)).isEqualTo(-1);
    }

    @Test
    @DisplayName("a reason names the class and the id, and the message only on request")
    void describe() {
        RuntimeException e = new IllegalStateException("card of jane.doe@example.com declined");
        assertThat(ErrorReports.describe(e, "0a1b2c3d", false)).isEqualTo("IllegalStateException (error id 0a1b2c3d)");
        assertThat(ErrorReports.describe(e, "0a1b2c3d", true)).endsWith(": card of jane.doe@example.com declined");
        assertThat(ErrorReports.className(new Custom())).isEqualTo(Custom.class.getName());
        assertThat(ErrorReports.newId()).matches("[0-9a-f]{8}").isNotEqualTo(ErrorReports.newId());
    }

    static final class Custom extends RuntimeException {}
}
