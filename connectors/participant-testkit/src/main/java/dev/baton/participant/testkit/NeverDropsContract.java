package dev.baton.participant.testkit;

import static dev.baton.participant.testkit.KitMessages.charge;
import static dev.baton.participant.testkit.KitMessages.chargeId;
import static dev.baton.participant.testkit.KitMessages.rejected;
import static dev.baton.participant.testkit.KitMessages.reply;
import static dev.baton.participant.testkit.KitMessages.unavailable;
import static dev.baton.participant.testkit.KitMessages.withHeader;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.participant.CommandHandlers;
import dev.baton.participant.Disposition;
import dev.baton.participant.HandlingResult;
import dev.baton.participant.IncomingCommand;
import dev.baton.participant.ParticipantRuntime;
import dev.baton.participant.Outcome;
import dev.baton.participant.RecordedReply;
import dev.baton.participant.Reply;
import dev.baton.participant.testkit.KitMessages.Charge;
import dev.baton.participant.testkit.KitMessages.Refund;
import dev.baton.protocol.CommandKind;
import dev.baton.protocol.Headers;
import dev.baton.protocol.ReplyOutcome;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The participant store contract, part 8 of 8: {@code handle} never throws and never drops a command. What can never
 * be handled is {@code Rejected} without touching the records; a database that cannot be reached is
 * {@code Unavailable}, with nothing recorded, and the redelivery takes effect once. The
 * {@link IdempotencyStoreCompatibilityKit} runs it as a {@code @Nested} group.
 */
abstract class NeverDropsContract extends KitContract {

    @Test
    @DisplayName("a command missing a header, or with a payload that does not map, is Rejected without running or recording anything")
    void malformedIsRejected() {
        ParticipantRuntime runtime = runtime(ledgerHandlers());
        IncomingCommand good = charge("s-1", 1);

        assertThat(rejected(runtime.handle(withHeader(good, Headers.STEP, null))).reason()).contains(Headers.STEP);
        assertThat(rejected(runtime.handle(IncomingCommand.of(good.headers(), "{\"orderId\": [1, 2]}"))).reason())
                .contains("does not map");

        assertThat(runs).hasValue(0);
        assertThat(count("baton_participant_inbox") + count("baton_participant_step")).isZero();
        assertThat(reply(runtime.handle(good)).disposition()).as("the well-formed command is new")
                .isEqualTo(Disposition.HANDLED);
    }

    @Test
    @DisplayName("a redelivered command whose type is no longer handled is Rejected, not answered from its record")
    void typeNoLongerHandled() {
        reply(runtime(ledgerHandlers()).handle(charge("s-1", 1)));
        ParticipantRuntime redeployed = runtime(CommandHandlers.forParticipant(PARTICIPANT)
                .on(Refund.class, cmd -> Outcome.success())
                .build());

        assertThat(rejected(redeployed.handle(charge("s-1", 1))).reason()).contains("no handler", "Charge");
        assertThat(find(chargeId("s-1", 1))).isPresent();
    }

    @Test
    @DisplayName("a message id that arrives again as another step's command is Rejected, and the first answer's record stays as it was")
    void messageIdReusedForAnotherStep() {
        ParticipantRuntime runtime = runtime(ledgerHandlers());
        reply(runtime.handle(charge("s-1", 1)));
        Optional<RecordedReply> before = find(chargeId("s-1", 1));
        IncomingCommand impostor = withHeader(KitMessages.command(CommandKind.COMMAND, "s-1", "another-step", 1,
                new Charge("o-s-1", 1)), Headers.MESSAGE_ID, chargeId("s-1", 1));

        assertThat(rejected(runtime.handle(impostor)).reason()).contains("a message id must identify one invocation");

        assertThat(find(chargeId("s-1", 1))).isEqualTo(before);
        assertThat(runs).hasValue(1);
    }

    @Test
    @DisplayName("a database that cannot be reached: Unavailable, nothing recorded; once it is back, the redelivery takes effect once")
    void databaseUnreachable() {
        ParticipantRuntime runtime = runtime(ledgerHandlers());
        IncomingCommand cmd = charge("s-1", 1);

        database().down(true);
        HandlingResult result = runtime.handle(cmd);
        List<HandlingResult> batch = runtime.handleAll(List.of(charge("s-2", 1), charge("s-3", 1), charge("s-4", 1)));
        database().down(false);

        assertThat(unavailable(result).reason()).contains("unreachable");
        assertThat(unavailable(batch.get(0)).reason()).contains("unreachable");
        assertThat(unavailable(batch.get(1)).reason()).as("later commands of the batch are not attempted")
                .contains("not attempted");
        assertThat(unavailable(batch.get(2)).reason()).contains("not attempted");
        assertThat(runs).hasValue(0);
        assertThat(count("baton_participant_inbox") + count("baton_participant_step")).isZero();

        Reply redelivered = reply(runtime.handle(cmd));
        assertThat(redelivered.outcome()).isEqualTo(ReplyOutcome.SUCCESS);
        assertThat(redelivered.disposition()).isEqualTo(Disposition.HANDLED);
        assertThat(reply(runtime.handle(cmd)).disposition()).isEqualTo(Disposition.REPLAYED);
        assertThat(runs).hasValue(1);
    }

    @Test
    @DisplayName("a closed store: Unavailable, so the transport redelivers; another instance handles the redelivery")
    void closedStore() {
        ParticipantRuntime closing = runtime(ledgerHandlers());
        ParticipantRuntime other = runtime(ledgerHandlers(), secondStore(), NOW);
        store().close();

        assertThat(unavailable(closing.handle(charge("s-1", 1))).reason()).contains("closed");
        assertThat(reply(other.handle(charge("s-1", 1))).disposition()).isEqualTo(Disposition.HANDLED);
        assertThat(runs).hasValue(1);
    }
}
