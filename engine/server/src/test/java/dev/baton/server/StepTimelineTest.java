package dev.baton.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.engine.HistoryKind;
import dev.baton.engine.SagaId;
import dev.baton.engine.spi.HistoryRecord;
import dev.baton.server.api.StepTimeline;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The step timeline from a history, for the cases the end-to-end tests do not reach quickly. */
class StepTimelineTest {
    private static final Instant T0 = Instant.parse("2026-05-01T10:00:00Z");
    private final List<HistoryRecord> history = new ArrayList<>();

    private void at(int seconds, String kind, String step, String detail) {
        history.add(new HistoryRecord(history.size() + 1, SagaId.of("s-1"), T0.plusSeconds(seconds), HistoryKind.valueOf(kind), step,
                detail));
    }

    @Test
    @DisplayName("timeouts and re-sends count as attempts; a failed compensation shows; steps come from the history alone without a definition")
    void fromHistoryAlone() {
        at(0, "STARTED", null, "definition v2");
        at(0, "COMMAND_SENT", "reserve", "attempt 1 to inventory");
        at(10, "TIMED_OUT", "reserve", "attempt 1 after PT10S");
        at(11, "COMMAND_SENT", "reserve", "attempt 2 to inventory");
        at(12, "REPLY_RECEIVED", "reserve", "SUCCESS");
        at(12, "STEP_COMPLETED", "reserve", "reply");
        at(12, "COMMAND_SENT", "charge", "attempt 1 to payment");
        at(13, "REPLY_RECEIVED", "charge", "FAILURE: card declined");
        at(13, "STEP_FAILED", "charge", "card declined");
        at(13, "COMPENSATION_STARTED", "reserve", "step 'charge' failed: card declined");
        at(13, "COMPENSATION_SENT", "reserve", "attempt 1 to inventory");
        at(14, "REPLY_RECEIVED", "reserve", "FAILURE: already shipped");
        at(14, "COMPENSATION_FAILED", "reserve", "failed: already shipped");
        at(14, "FAILED", "reserve", "compensation of step 'reserve' failed after 1 attempts: already shipped");
        at(20, "OPERATOR_ACTION", "reserve", "RETRY by ops: fixed");

        List<StepTimeline.Step> steps = StepTimeline.of(null, history);
        assertThat(steps).extracting(StepTimeline.Step::key).containsExactly("reserve", "charge");
        StepTimeline.Step reserve = steps.get(0);
        assertThat(reserve.kind()).isNull();
        assertThat(reserve.status()).isEqualTo("COMPENSATION_FAILED");
        assertThat(reserve.command().attempts()).isEqualTo(2);
        assertThat(reserve.command().timeouts()).isEqualTo(1);
        assertThat(reserve.command().participant()).isEqualTo("inventory");
        assertThat(reserve.command().duration()).isEqualTo(Duration.ofSeconds(12));
        assertThat(reserve.compensation().attempts()).isEqualTo(1);
        assertThat(reserve.compensation().lastOutcome()).isEqualTo("FAILURE");
        assertThat(reserve.compensation().lastReason()).isEqualTo("already shipped");
        assertThat(reserve.compensation().doneAt()).isNull();
        assertThat(reserve.operatorActions()).extracting(StepTimeline.Note::detail).containsExactly("RETRY by ops: fixed");
        StepTimeline.Step charge = steps.get(1);
        assertThat(charge.status()).isEqualTo("FAILED");
        assertThat(charge.command().lastReason()).isEqualTo("card declined");
        assertThat(charge.compensation()).isNull();
    }

    @Test
    @DisplayName("a parked step is PENDING, RUNNING again once resumed")
    void parkedAndResumed() {
        at(0, "COMMAND_SENT", "pay", "attempt 1 to payment");
        at(1, "REPLY_RECEIVED", "pay", "RETRY_LATER: busy");
        at(1, "PARKED", "pay", "PENDING_PAYMENT (busy), next try at ...");
        assertThat(StepTimeline.of(null, history).getFirst().status()).isEqualTo("PENDING");
        at(5, "RESUMED", "pay", "from PENDING_PAYMENT");
        at(5, "COMMAND_SENT", "pay", "attempt 2 to payment");
        StepTimeline.Step pay = StepTimeline.of(null, history).getFirst();
        assertThat(pay.status()).isEqualTo("RUNNING");
        assertThat(pay.command().attempts()).isEqualTo(2);
        assertThat(pay.command().lastOutcome()).isEqualTo("RETRY_LATER");
    }

    @Test
    @DisplayName("a step whose condition failed is SKIPPED_BY_CONDITION; one whose fallback stood in is DEGRADED, with when and why")
    void skippedAndDegraded() {
        at(0, "COMMAND_SENT", "estimate", "attempt 1 to carrier");
        at(2, "TIMED_OUT", "estimate", "attempt 1 after PT2S");
        at(2, "STEP_DEGRADED", "estimate", "fallback used: gave up after 1 attempts (timed out)");
        at(2, "STEP_COMPLETED", "estimate", "fallback");
        at(2, "COMMAND_SENT", "pay", "attempt 1 to payment");
        at(3, "REPLY_RECEIVED", "pay", "SUCCESS");
        at(3, "STEP_COMPLETED", "pay", "reply");
        at(3, "STEP_SKIPPED", "ship", "its condition does not hold");
        at(3, "COMPLETED", null, null);
        List<StepTimeline.Step> steps = StepTimeline.of(null, history);
        assertThat(steps).extracting(StepTimeline.Step::status).containsExactly("DEGRADED", "COMPLETED",
                "SKIPPED_BY_CONDITION");
        assertThat(steps.get(0).degraded()).isEqualTo(new StepTimeline.Note(T0.plusSeconds(2),
                "fallback used: gave up after 1 attempts (timed out)"));
        assertThat(steps.get(1).degraded()).isNull();
        assertThat(steps.get(2).command()).isNull();
    }
}
