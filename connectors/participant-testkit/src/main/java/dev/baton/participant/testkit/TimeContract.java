package dev.baton.participant.testkit;

import static dev.baton.participant.testkit.KitMessages.charge;
import static dev.baton.participant.testkit.KitMessages.chargeId;
import static dev.baton.participant.testkit.KitMessages.reply;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.participant.RecordedReply;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The participant store contract, part 7 of 8: the time of an answer ({@code RecordedReply.handledAt}, from the
 * runtime's clock) is kept to the microsecond, and the purge's cut-off compares to the microsecond. The
 * {@link IdempotencyStoreCompatibilityKit} runs it as a {@code @Nested} group.
 */
abstract class TimeContract extends KitContract {

    @Test
    @DisplayName("handledAt comes back to the microsecond, from either instance, for instants across the years")
    void handledAtToTheMicrosecond() {
        List<Instant> instants = List.of(
                NOW,
                Instant.parse("2026-01-01T00:00:00.000001Z"),
                Instant.parse("1999-12-31T23:59:59.999999Z"),
                Instant.parse("2038-01-19T03:14:08.500000Z"), // past a signed 32-bit count of seconds
                Instant.parse("2024-02-29T12:00:00.000010Z"),
                Instant.parse("2199-07-04T18:30:45.654321Z"));
        for (int i = 0; i < instants.size(); i++) {
            reply(runtime(ledgerHandlers(), store(), instants.get(i)).handle(charge("s-" + i, 1)));
        }

        for (int i = 0; i < instants.size(); i++) {
            String id = chargeId("s-" + i, 1);
            assertThat(find(id)).map(RecordedReply::handledAt).as(id).contains(instants.get(i));
            assertThat(secondStore().find(PARTICIPANT, id)).map(RecordedReply::handledAt).as(id)
                    .contains(instants.get(i));
        }
    }

    @Test
    @DisplayName("digits finer than a microsecond are dropped by truncation, never rounded")
    void finerDigitsTruncated() {
        reply(runtime(ledgerHandlers(), store(), Instant.parse("2031-04-05T06:07:08.123456999Z"))
                .handle(charge("s-1", 1)));

        assertThat(find(chargeId("s-1", 1))).map(RecordedReply::handledAt)
                .contains(Instant.parse("2031-04-05T06:07:08.123456Z"));
    }

    @Test
    @DisplayName("the purge's cut-off compares to the microsecond: an answer at t is kept by purgeHandledBefore(t) and deleted by purgeHandledBefore(t + 1 µs)")
    void purgeCutOffToTheMicrosecond() {
        reply(runtime(ledgerHandlers()).handle(charge("s-1", 1))); // at NOW

        assertThat(store().purgeHandledBefore(NOW)).isZero();
        assertThat(store().purgeHandledBefore(NOW.minusNanos(1_000))).isZero();
        assertThat(find(chargeId("s-1", 1))).isPresent();
        assertThat(store().purgeHandledBefore(NOW.plusNanos(1_000))).isEqualTo(1);
        assertThat(find(chargeId("s-1", 1))).isEmpty();
    }
}
