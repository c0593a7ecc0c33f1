package dev.baton.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.dsl.Park;
import dev.baton.dsl.Participant;
import dev.baton.dsl.Retry;
import dev.baton.dsl.Saga;
import dev.baton.dsl.SagaDefinition;
import dev.baton.engine.HistoryKind;
import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.spi.HistoryRecord;
import dev.baton.engine.spi.OutboxRecord;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A parallel group through the whole engine (store, outbox, per-step timers), on virtual time. */
class ParallelKitTest {
    public record Order(String id, String reservation) {
        Order reserved(String r) {
            return new Order(id, r);
        }
    }

    public record CheckFraud(String id) {}

    public record Reserve(String id) {}

    public record Reserved(String reservation) {}

    public record Release(String id, String reservation) {}

    public record Pay(String id) {}

    public record Create(String id) {}

    public record Cancel(String id) {}

    static final Participant<Object> ORDERS = Participant.named("orders", Object.class);
    static final Participant<CheckFraud> FRAUD = Participant.named("fraud", CheckFraud.class);
    static final Participant<Object> STOCK = Participant.named("stock", Object.class);
    static final Participant<Pay> PAYMENT = Participant.named("payment", Pay.class);

    static final SagaDefinition<Order> ORDER = Saga.define("parallel-order", Order.class)
            .step("create").invoke(ORDERS, d -> new Create(d.id())).compensate(ORDERS, d -> new Cancel(d.id()))
            .step("check-fraud").invoke(FRAUD, d -> new CheckFraud(d.id())).noCompensation()
                .timeout(Duration.ofSeconds(5)).retry(Retry.none())
                .whenBusy(Park.as("PENDING_FRAUD").retryEvery(Duration.ofSeconds(10)).giveUpAfter(Duration.ofMinutes(5)))
                .parallel("checks")
            .step("reserve").invoke(STOCK, d -> new Reserve(d.id()))
                .onReply(Reserved.class, (d, r) -> d.reserved(r.reservation()))
                .compensate(STOCK, d -> new Release(d.id(), d.reservation()))
                .timeout(Duration.ofSeconds(5)).retry(Retry.none())
                .parallel("checks")
            .step("pay").invoke(PAYMENT, d -> new Pay(d.id())).pivot()
            .build();

    private static List<HistoryKind> kinds(SagaTestKit kit, SagaId id) {
        return kit.history(id).stream().map(HistoryRecord::kind).toList();
    }

    @Test
    void bothBranchesGoOutTogetherAndTheSagaMovesOnWhenBothAnswered() {
        try (SagaTestKit kit = SagaTestKit.with(ORDER)) {
            SagaId id = kit.start(ORDER, new Order("o-1", null));
            kit.expectCommand(Create.class).replySuccess();
            // both out before either answers, answered in the other order
            SentCommand<Reserve> reserve = kit.expectCommand(Reserve.class);
            SentCommand<CheckFraud> fraud = kit.expectCommand(CheckFraud.class);
            reserve.replySuccess(new Reserved("r-1"));
            assertThat(kit.status(id)).isEqualTo(SagaStatus.RUNNING);
            kit.expectNoCommand();
            fraud.replySuccess();
            kit.expectCommand(Pay.class).replySuccess();
            assertThat(kit.status(id)).isEqualTo(SagaStatus.COMPLETED);
            assertThat(kit.saga(id).data()).isEqualTo(new Order("o-1", "r-1"));
        }
    }

    @Test
    void aBusyBranchParksTheSagaWhileTheOtherRunsOn() {
        try (SagaTestKit kit = SagaTestKit.with(ORDER)) {
            SagaId id = kit.start(ORDER, new Order("o-2", null));
            kit.expectCommand(Create.class).replySuccess();
            kit.expectCommand(CheckFraud.class).replyBusy("scoring backlog");
            assertThat(kit.status(id)).isEqualTo(SagaStatus.PENDING);
            assertThat(kit.saga(id).pendingState()).isEqualTo("PENDING_FRAUD");
            kit.expectCommand(Reserve.class).replySuccess(new Reserved("r-2"));
            assertThat(kit.status(id)).as("still parked on the fraud check").isEqualTo(SagaStatus.PENDING);
            kit.advance(Duration.ofSeconds(10));
            kit.expectCommand(CheckFraud.class).replySuccess();
            kit.expectCommand(Pay.class).replySuccess();
            assertThat(kit.status(id)).isEqualTo(SagaStatus.COMPLETED);
        }
    }

    @Test
    void aFailingBranchWaitsForTheOtherInFlightThenCompensatesItsLateSuccess() {
        try (SagaTestKit kit = SagaTestKit.with(ORDER)) {
            SagaId id = kit.start(ORDER, new Order("o-3", null));
            kit.expectCommand(Create.class).replySuccess();
            SentCommand<Reserve> reserve = kit.expectCommand(Reserve.class);
            kit.expectCommand(CheckFraud.class).replyFailure("card used in three countries today");
            // the stock reservation is still in flight: nothing is compensated yet
            assertThat(kit.status(id)).isEqualTo(SagaStatus.COMPENSATING);
            kit.expectNoCommand();
            reserve.replySuccess(new Reserved("r-3")); // its late success
            SentCommand<Release> release = kit.expectCommand(Release.class);
            assertThat(release.command()).isEqualTo(new Release("o-3", "r-3"));
            release.replySuccess();
            kit.expectCommand(Cancel.class).replySuccess();
            assertThat(kit.status(id)).isEqualTo(SagaStatus.COMPENSATED);
            assertThat(kit.sent().stream().map(OutboxRecord::messageType).filter(t -> t.equals("Release")).count())
                    .isOne();
            assertThat(kinds(kit, id)).containsSubsequence(HistoryKind.COMPENSATION_STARTED, HistoryKind.STEP_COMPLETED,
                    HistoryKind.COMPENSATION_SENT, HistoryKind.STEP_COMPENSATED, HistoryKind.COMPENSATED);
        }
    }

    @Test
    void aBranchThatTimesOutWhileTheGroupFailsIsCompensatedToo() {
        try (SagaTestKit kit = SagaTestKit.with(ORDER)) {
            SagaId id = kit.start(ORDER, new Order("o-4", null));
            kit.expectCommand(Create.class).replySuccess();
            kit.expectCommand(Reserve.class); // never answered
            kit.expectCommand(CheckFraud.class).replyFailure("blocked");
            kit.expectNoCommand();
            kit.advance(Duration.ofSeconds(5)); // the reservation times out: it may have taken effect
            kit.expectCommand(Release.class).replySuccess();
            kit.expectCommand(Cancel.class).replySuccess();
            assertThat(kit.status(id)).isEqualTo(SagaStatus.COMPENSATED);
        }
    }

    @Test
    void aRestartInTheMiddleOfAGroupKeepsEveryBranchsTimer() {
        try (SagaTestKit kit = SagaTestKit.with(ORDER)) {
            SagaId id = kit.start(ORDER, new Order("o-5", null));
            kit.expectCommand(Create.class).replySuccess();
            kit.expectCommand(Reserve.class);
            kit.expectCommand(CheckFraud.class);
            kit.restart();
            kit.advance(Duration.ofSeconds(5)); // both branches time out (Retry.none): the reservation may have taken effect
            kit.expectCommand(Release.class).replySuccess();
            kit.expectCommand(Cancel.class).replySuccess();
            assertThat(kit.status(id)).isEqualTo(SagaStatus.COMPENSATED);
            assertThat(kinds(kit, id).stream().filter(k -> k == HistoryKind.TIMED_OUT).count()).isEqualTo(2);
        }
    }

    @Test
    void aBranchHeldBackByItsParticipantsBreakerWaitsInLineWhileTheOtherGoesOn() {
        CommandGateKitTest.SwitchGate gate = new CommandGateKitTest.SwitchGate();
        try (SagaTestKit kit = SagaTestKit.withGate(clock -> gate, ORDER)) {
            gate.blocked.add("stock");
            SagaId id = kit.start(ORDER, new Order("o-6", null));
            kit.expectCommand(Create.class).replySuccess();
            kit.expectCommand(CheckFraud.class).replySuccess();
            kit.expectNoCommand(); // the reservation waits in line for its participant
            assertThat(kit.status(id)).isEqualTo(SagaStatus.RUNNING);
            assertThat(kinds(kit, id)).contains(HistoryKind.NOT_SENT);
            gate.blocked.clear();
            kit.advance(Duration.ofMillis(500));
            SentCommand<Reserve> reserve = kit.expectCommand(Reserve.class);
            assertThat(reserve.attempt()).as("waiting in line is not an attempt").isEqualTo(1);
            reserve.replySuccess(new Reserved("r-6"));
            kit.expectCommand(Pay.class).replySuccess();
            assertThat(kit.status(id)).isEqualTo(SagaStatus.COMPLETED);
        }
    }

    static final SagaDefinition<Order> WITH_FALLBACK = Saga.define("parallel-fallback", Order.class)
            .step("create").invoke(ORDERS, d -> new Create(d.id())).compensate(ORDERS, d -> new Cancel(d.id()))
            .step("check-fraud").invoke(FRAUD, d -> new CheckFraud(d.id())).noCompensation()
                .fallback(d -> d).parallel("checks")
            .step("reserve").invoke(STOCK, d -> new Reserve(d.id()))
                .onReply(Reserved.class, (d, r) -> d.reserved(r.reservation()))
                .compensate(STOCK, d -> new Release(d.id(), d.reservation())).parallel("checks")
            .step("pay").invoke(PAYMENT, d -> new Pay(d.id())).pivot()
            .build();

    @Test
    void aBranchWithAFallbackWhoseBreakerIsOpenIsDegradedAtOnce() {
        CommandGateKitTest.SwitchGate gate = new CommandGateKitTest.SwitchGate();
        try (SagaTestKit kit = SagaTestKit.withGate(clock -> gate, WITH_FALLBACK)) {
            gate.blocked.add("fraud");
            SagaId id = kit.start(WITH_FALLBACK, new Order("o-7", null));
            kit.expectCommand(Create.class).replySuccess();
            kit.expectCommand(Reserve.class).replySuccess(new Reserved("r-7"));
            kit.expectCommand(Pay.class).replySuccess(); // the fraud check degraded, never sent
            assertThat(kit.status(id)).isEqualTo(SagaStatus.COMPLETED);
            assertThat(kit.sent()).noneMatch(r -> r.destination().equals("fraud"));
            assertThat(kinds(kit, id)).contains(HistoryKind.STEP_DEGRADED);
        }
    }
}
