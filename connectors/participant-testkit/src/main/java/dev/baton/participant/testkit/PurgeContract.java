package dev.baton.participant.testkit;

import static dev.baton.participant.testkit.KitMessages.charge;
import static dev.baton.participant.testkit.KitMessages.chargeId;
import static dev.baton.participant.testkit.KitMessages.refund;
import static dev.baton.participant.testkit.KitMessages.refundId;
import static dev.baton.participant.testkit.KitMessages.reply;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.participant.CommandHandlers;
import dev.baton.participant.Disposition;
import dev.baton.participant.Outcome;
import dev.baton.participant.ParticipantRuntime;
import dev.baton.participant.Reply;
import dev.baton.participant.testkit.KitMessages.Charge;
import dev.baton.protocol.ReplyOutcome;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The participant store contract, part 6 of 8: {@code purgeHandledBefore} deletes the answers given before the cut-off
 * and the step rows last written before it, and keeps the rest; what happens to a message that arrives after its
 * record was purged. The {@link IdempotencyStoreCompatibilityKit} runs it as a {@code @Nested} group.
 */
abstract class PurgeContract extends KitContract {

    /** The cut-off of the kit's purges. */
    static final Instant CUT = NOW;

    private static final Duration SECOND = Duration.ofSeconds(1);

    private ParticipantRuntime at(Instant now) {
        return runtime(ledgerHandlers(), store(), now);
    }

    @Test
    @DisplayName("purgeHandledBefore(t) deletes the answers given before t, keeps the one given exactly at t and later ones, and returns how many it deleted")
    void purgeBoundary() {
        reply(at(CUT.minus(Duration.ofDays(40))).handle(charge("s-older", 1)));
        reply(at(CUT.minus(SECOND)).handle(charge("s-old", 1)));
        reply(at(CUT).handle(charge("s-at", 1)));
        reply(at(CUT.plus(SECOND)).handle(charge("s-new", 1)));

        assertThat(store().purgeHandledBefore(CUT)).isEqualTo(2);

        assertThat(find(chargeId("s-older", 1))).isEmpty();
        assertThat(find(chargeId("s-old", 1))).isEmpty();
        assertThat(find(chargeId("s-at", 1))).as("given exactly at the cut-off: kept").isPresent();
        assertThat(find(chargeId("s-new", 1))).isPresent();
        assertThat(count("baton_participant_inbox")).isEqualTo(2);
        assertThat(count("baton_participant_step")).as("the step rows last written before the cut-off are gone")
                .isEqualTo(2);
        assertThat(store().purgeHandledBefore(CUT)).as("nothing left to purge").isZero();
        assertThat(ledgerRows()).as("the service's own rows are the service's business").isEqualTo(4);
    }

    @Test
    @DisplayName("a redelivery after its record was purged runs the handler again (keep records longer than any redelivery)")
    void redeliveryAfterPurgeRunsAgain() {
        Reply first = reply(at(CUT.minus(SECOND)).handle(charge("s-1", 1)));
        assertThat(store().purgeHandledBefore(CUT)).isEqualTo(1);

        Reply again = reply(at(CUT.plus(SECOND)).handle(charge("s-1", 1)));

        assertThat(first.disposition()).isEqualTo(Disposition.HANDLED);
        assertThat(again.disposition()).isEqualTo(Disposition.HANDLED);
        assertThat(again.payload()).isNotEqualTo(first.payload());
        assertThat(ledgerRows(chargeId("s-1", 1))).isEqualTo(2);
        assertThat(runs).hasValue(2);
    }

    @Test
    @DisplayName("a compensation after its step's row was purged is answered SUCCESS without running; a step row written later is kept and its compensation runs")
    void compensationAfterPurge() {
        reply(at(CUT.minus(SECOND)).handle(charge("s-old", 1)));
        reply(at(CUT).handle(charge("s-kept", 1)));
        assertThat(store().purgeHandledBefore(CUT)).isEqualTo(1);

        ParticipantRuntime later = at(CUT.plus(SECOND));
        Reply purged = reply(later.handle(refund("s-old", 1)));
        Reply kept = reply(later.handle(refund("s-kept", 1)));

        assertThat(purged.outcome()).isEqualTo(ReplyOutcome.SUCCESS);
        assertThat(purged.disposition()).as("the guard no longer knows the charge took effect")
                .isEqualTo(Disposition.NOTHING_TO_COMPENSATE);
        assertThat(kept.disposition()).isEqualTo(Disposition.HANDLED);
        assertThat(ledgerRows(refundId("s-old", 1))).isZero();
        assertThat(ledgerRows(refundId("s-kept", 1))).isEqualTo(1);
    }

    @Test
    @DisplayName("a step row is purged by when it was last written: a compensation after the cut-off keeps it, and the guard still refuses the old command")
    void stepRowLastWrittenAfterTheCutOff() {
        reply(at(CUT.minus(SECOND)).handle(charge("s-1", 1)));
        reply(at(CUT.plus(SECOND)).handle(refund("s-1", 1)));

        assertThat(store().purgeHandledBefore(CUT)).as("the charge's answer only").isEqualTo(1);
        assertThat(find(chargeId("s-1", 1))).isEmpty();
        assertThat(find(refundId("s-1", 1))).isPresent();
        assertThat(count("baton_participant_step")).isEqualTo(1);

        Reply late = reply(at(CUT.plus(SECOND.multipliedBy(2))).handle(charge("s-1", 1)));
        assertThat(late.disposition()).as("the redelivered charge, its record purged, meets the guard")
                .isEqualTo(Disposition.REFUSED_AFTER_COMPENSATION);
        assertThat(runs).as("the charge and the refund, once each").hasValue(2);
    }

    @Test
    @DisplayName("a purge deletes the old answers of every participant in the database, whichever instance gave them")
    void purgeCoversEveryParticipant() {
        reply(at(CUT.minus(SECOND)).handle(charge("s-1", 1)));
        ParticipantRuntime payout = runtime(CommandHandlers.forParticipant("payout")
                .on(Charge.class, cmd -> Outcome.failure("payouts closed"))
                .build(), secondStore(), CUT.minus(SECOND));
        reply(payout.handle(charge("s-2", 1)));

        assertThat(store().purgeHandledBefore(CUT)).isEqualTo(2);

        assertThat(find(chargeId("s-1", 1))).isEmpty();
        assertThat(secondStore().find("payout", chargeId("s-2", 1))).isEmpty();
        assertThat(count("baton_participant_inbox") + count("baton_participant_step")).isZero();
    }
}
