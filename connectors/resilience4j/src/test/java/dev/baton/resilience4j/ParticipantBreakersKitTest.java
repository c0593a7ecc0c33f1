package dev.baton.resilience4j;

import static dev.baton.testkit.example.OrderSaga.DEFINITION;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.engine.HistoryKind;
import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.spi.HistoryRecord;
import dev.baton.engine.spi.OutboxRecord;
import dev.baton.testkit.Answer;
import dev.baton.testkit.SagaTestKit;
import dev.baton.testkit.SentCommand;
import dev.baton.testkit.example.OrderSaga.AuthorizePayment;
import dev.baton.testkit.example.OrderSaga.CancelOrder;
import dev.baton.testkit.example.OrderSaga.CreateOrder;
import dev.baton.testkit.example.OrderSaga.ItemsReserved;
import dev.baton.testkit.example.OrderSaga.OrderData;
import dev.baton.testkit.example.OrderSaga.PaymentAuthorized;
import dev.baton.testkit.example.OrderSaga.ReleaseItems;
import dev.baton.testkit.example.OrderSaga.ReserveItems;
import dev.baton.testkit.example.OrderSaga.ScheduleShipment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The payment service is overloaded during a promotion: its breaker opens, new sagas park instead of hammering it, and
 * the breaker closes again once probes succeed. Real engine, Resilience4j breakers, the kit's manual clock.
 */
class ParticipantBreakersKitTest {
    /** Opens at 50 % of the last 4 calls; open for 30 s; 2 probes. The order saga parks payment every 10 s. */
    static final BreakerSettings PAYMENT = new BreakerSettings(50, 4, 4, Duration.ofSeconds(30), 2);

    private final SagaTestKit kit = SagaTestKit.withGate(
            clock -> ParticipantBreakers.builder().clock(clock).participant("payment", PAYMENT).build(), DEFINITION);

    @AfterEach
    void close() {
        kit.close();
    }

    private ParticipantBreakers breakers() {
        return (ParticipantBreakers) kit.gate();
    }

    /** Every participant but payment answers at once; payment is answered by hand. */
    private void othersAnswer() {
        kit.when(CreateOrder.class, c -> Answer.success())
                .when(ReserveItems.class, c -> Answer.success(new ItemsReserved("r-" + c.orderId())))
                .when(ScheduleShipment.class, c -> Answer.success())
                .when(CancelOrder.class, c -> Answer.success())
                .when(ReleaseItems.class, c -> Answer.success());
    }

    private List<SagaId> startSagas(int n, String prefix) {
        List<SagaId> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(kit.start(DEFINITION, OrderData.of(prefix + i, 1000 + i)));
        }
        kit.runFor(Duration.ZERO);
        return ids;
    }

    private long paymentsSentTo(SagaId id) {
        return kit.sent().stream().filter(r -> r.sagaId().equals(id) && r.destination().equals("payment")).count();
    }

    private long paymentsSent() {
        return kit.sent().stream().map(OutboxRecord::destination).filter("payment"::equals).count();
    }

    /** Four payment commands that time out open the breaker (busy answers would not: a busy service works). */
    private List<SagaId> overloadPayment() {
        othersAnswer();
        List<SagaId> first = startSagas(4, "busy-");
        for (int i = 0; i < 4; i++) {
            kit.expectCommand(AuthorizePayment.class); // never answered
        }
        kit.advance(DEFINITION.step("authorize-payment").orElseThrow().timeout());
        assertThat(breakers().state("payment").state()).isEqualTo("OPEN");
        for (SagaId id : first) {
            assertThat(kit.saga(id).pendingState()).isEqualTo("PENDING_PAYMENT");
        }
        return first;
    }

    @Test
    @DisplayName("timeouts open payment's breaker; a new saga then waits in PENDING_PAYMENT without a command sent")
    void openBreakerParksWithoutSending() {
        overloadPayment();
        long sentBefore = paymentsSent();

        SagaId late = startSagas(1, "late-").get(0);

        assertThat(kit.status(late)).isEqualTo(SagaStatus.PENDING);
        assertThat(kit.saga(late).pendingState()).isEqualTo("PENDING_PAYMENT");
        assertThat(kit.saga(late).reason()).as("it waits behind the four parked ones").contains("participant payment");
        assertThat(kit.saga(late).completedSteps()).containsExactly("create-order", "reserve-inventory");
        assertThat(paymentsSentTo(late)).isZero();
        assertThat(paymentsSent()).isEqualTo(sentBefore);
        kit.expectNoCommand();
        List<HistoryRecord> history = kit.history(late);
        assertThat(history.get(history.size() - 1).kind()).isEqualTo(HistoryKind.NOT_SENT);
        assertThat(history.get(history.size() - 1).detail()).startsWith("attempt 1 to payment held back: ");
        long refused = breakers().state("payment").notPermittedCalls();
        assertThat(refused).isPositive();

        // the waiting sagas' turns come while the breaker is still open: still nothing goes to payment
        kit.advance(Duration.ofSeconds(10));
        kit.advance(Duration.ofSeconds(10));
        assertThat(paymentsSent()).isEqualTo(sentBefore);
        kit.expectNoCommand();
        assertThat(kit.statuses()).containsOnlyKeys(SagaStatus.PENDING);
        assertThat(breakers().state("payment").notPermittedCalls()).as("flow control asked again").isGreaterThan(refused);
        assertThat(kit.history(late)).filteredOn(h -> h.kind() == HistoryKind.NOT_SENT).as("no entry per try").hasSize(1);
    }

    @Test
    @DisplayName("after the open wait, probes go out; their successes close the breaker and every parked saga completes")
    void probesCloseTheBreaker() {
        List<SagaId> all = new ArrayList<>(overloadPayment());
        all.add(startSagas(1, "late-").get(0));
        long sentBefore = paymentsSent();

        // retries every 10 s; the breaker lets probes through once 30 s have passed since it opened
        int probes = 0;
        for (int i = 0; i < 5 && probes == 0; i++) {
            kit.advance(Duration.ofSeconds(10));
            probes = (int) (paymentsSent() - sentBefore);
        }
        assertThat(probes).as("half-open probes").isEqualTo(PAYMENT.halfOpenCalls());
        assertThat(breakers().state("payment").state()).isEqualTo("HALF_OPEN");
        for (int i = 0; i < probes; i++) {
            SentCommand<AuthorizePayment> probe = kit.expectCommand(AuthorizePayment.class);
            probe.replySuccess(new PaymentAuthorized("p-" + probe.command().orderId()));
        }
        assertThat(breakers().state("payment").state()).isEqualTo("CLOSED");

        // the payment service has recovered: the rest go out on their next retry
        kit.when(AuthorizePayment.class, c -> Answer.success(new PaymentAuthorized("p-" + c.orderId())));
        kit.settle();

        assertThat(kit.statuses()).containsOnlyKeys(SagaStatus.COMPLETED);
        for (SagaId id : all) {
            assertThat(kit.data(id, OrderData.class).paymentId()).startsWith("p-");
        }
        kit.assertInvariants();
    }

    @Test
    @DisplayName("probes that time out again open the breaker again; the sagas wait again, none fails")
    void failedProbesReopen() {
        List<SagaId> all = new ArrayList<>(overloadPayment());
        long sentBefore = paymentsSent();
        int probes = 0;
        for (int i = 0; i < 5 && probes == 0; i++) {
            kit.advance(Duration.ofSeconds(10));
            probes = (int) (paymentsSent() - sentBefore);
        }
        assertThat(probes).isEqualTo(PAYMENT.halfOpenCalls());
        for (int i = 0; i < probes; i++) {
            kit.expectCommand(AuthorizePayment.class); // still no answer
        }
        kit.advance(DEFINITION.step("authorize-payment").orElseThrow().timeout());

        assertThat(breakers().state("payment").state()).isEqualTo("OPEN");
        assertThat(kit.statuses()).containsOnlyKeys(SagaStatus.PENDING);
        long afterProbes = paymentsSent();
        kit.advance(Duration.ofSeconds(10));
        assertThat(paymentsSent()).as("open again: nothing goes out").isEqualTo(afterProbes);
        for (SagaId id : all) {
            assertThat(kit.saga(id).pendingState()).isEqualTo("PENDING_PAYMENT");
        }
    }

    @Test
    @DisplayName("other participants are unaffected: their breakers stay closed and their commands go out")
    void otherParticipantsUnaffected() {
        overloadPayment();
        SagaId late = startSagas(1, "late-").get(0);

        assertThat(kit.sent().stream().filter(r -> r.sagaId().equals(late)).map(OutboxRecord::destination))
                .containsExactly("order", "inventory");
        assertThat(breakers().states()).containsOnlyKeys("inventory", "logistics", "order", "payment");
        assertThat(breakers().state("order").state()).isEqualTo("CLOSED");
        assertThat(breakers().state("inventory").state()).isEqualTo("CLOSED");
        assertThat(breakers().state("logistics").state()).isEqualTo("CLOSED");
        assertThat(breakers().state("inventory").notPermittedCalls()).isZero();
    }

    @Test
    @DisplayName("timeouts count as failures too: a payment service that does not answer opens its breaker")
    void timeoutsOpenTheBreaker() {
        othersAnswer();
        kit.when(AuthorizePayment.class, c -> Answer.silence());
        startSagas(4, "silent-");
        kit.advance(DEFINITION.step("authorize-payment").orElseThrow().timeout());

        assertThat(breakers().state("payment").state()).isEqualTo("OPEN");
        assertThat(breakers().state("payment").failedCalls()).isEqualTo(4);
        assertThat(kit.statuses()).containsOnlyKeys(SagaStatus.PENDING);
    }

    @Test
    @DisplayName("business refusals are answers: declined payments never open the breaker")
    void failuresDoNotOpen() {
        othersAnswer();
        kit.when(AuthorizePayment.class, c -> Answer.failure("card declined"));
        startSagas(6, "declined-");
        kit.settle();

        assertThat(breakers().state("payment").state()).isEqualTo("CLOSED");
        assertThat(breakers().state("payment").failureRatePercent()).isZero();
        assertThat(kit.statuses()).containsOnlyKeys(SagaStatus.COMPENSATED);
        kit.assertInvariants();
    }

    @Test
    @DisplayName("a restart while the breaker is open loses and duplicates nothing; the new engine starts closed")
    void restartWhileOpen() {
        List<SagaId> all = new ArrayList<>(overloadPayment());
        all.add(startSagas(1, "late-").get(0));
        SagaId late = all.get(4);
        assertThat(paymentsSentTo(late)).isZero();

        kit.restart();

        // the held-back command left no outbox row for the new engine's sweep to send
        assertThat(paymentsSentTo(late)).isZero();
        assertThat(breakers().state("payment").state()).as("breakers are in memory").isEqualTo("CLOSED");
        kit.when(AuthorizePayment.class, c -> Answer.success(new PaymentAuthorized("p-" + c.orderId())));
        kit.settle();

        assertThat(kit.statuses()).containsOnlyKeys(SagaStatus.COMPLETED);
        assertThat(paymentsSentTo(late)).isEqualTo(1);
        for (SagaId id : all) {
            assertThat(kit.effects(id).stream().filter(e -> e.step().equals("authorize-payment")).count()).isEqualTo(1);
        }
        kit.assertInvariants();
    }

    @Test
    @DisplayName("one poison order whose payment handler throws parks and is re-sent for a minute without opening the"
            + " breaker; valid orders complete meanwhile; several orders failing open it")
    void poisonCommandDoesNotCloseTheDoor() {
        othersAnswer();
        kit.when(AuthorizePayment.class, c -> c.orderId().startsWith("poison")
                ? Answer.error("the handler for AuthorizePayment threw NullPointerException")
                : Answer.success(new PaymentAuthorized("p-" + c.orderId())));
        SagaId poison = startSagas(1, "poison-").get(0);
        kit.runFor(Duration.ofSeconds(60)); // the park re-sends it every 8-10 s; it fails again each time
        assertThat(paymentsSentTo(poison)).as("re-sent while parked").isGreaterThanOrEqualTo(5);
        assertThat(kit.status(poison)).isEqualTo(SagaStatus.PENDING);
        assertThat(kit.saga(poison).reason()).startsWith("error: ");
        assertThat(breakers().state("payment").state()).isEqualTo("CLOSED");
        assertThat(breakers().state("payment").failedCalls()).as("counted once").isEqualTo(1);

        List<SagaId> valid = startSagas(3, "valid-");
        kit.settle();
        valid.forEach(id -> assertThat(kit.status(id)).isEqualTo(SagaStatus.COMPLETED));

        startSagas(3, "poison-again-"); // three more commands fail: 4 of the last 7 calls, over 50 % of 4
        assertThat(breakers().state("payment").state()).isEqualTo("OPEN");
    }

    @Test
    @DisplayName("a command answered busy, then with an error, counts once: its first error is not a repeat")
    void errorAfterBusyCounts() {
        othersAnswer();
        java.util.Set<String> answeredBusy = java.util.concurrent.ConcurrentHashMap.newKeySet();
        kit.when(AuthorizePayment.class, c -> answeredBusy.add(c.orderId())
                ? Answer.busy("at capacity")
                : Answer.error("the handler for AuthorizePayment threw IllegalStateException"));
        List<SagaId> sagas = startSagas(2, "busy-then-failing-");
        kit.runFor(Duration.ofSeconds(20));
        assertThat(answeredBusy).hasSize(2);
        sagas.forEach(id -> assertThat(paymentsSentTo(id)).as("busy, then errors").isGreaterThanOrEqualTo(3));
        assertThat(breakers().state("payment").failedCalls()).as("one first error per command").isEqualTo(2);
    }
}
