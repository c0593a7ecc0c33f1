package dev.baton.jdbi;

import static dev.baton.testkit.example.OrderSaga.DEFINITION;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.engine.HistoryKind;
import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.testkit.Answer;
import dev.baton.testkit.Faults;
import dev.baton.testkit.SagaTestKit;
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
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The four-step order saga run by the real engine on a real database; subclasses say which (H2 file, PostgreSQL).
 */
abstract class OrderSagaOnStoreScenarios {
    /** A kit over the database under test; each store it opens (a restart opens another) is on the same database. */
    protected abstract SagaTestKit kit();

    @Test
    @DisplayName("all four steps succeed: COMPLETED")
    void completes() {
        try (SagaTestKit kit = kit()) {
            SagaId id = kit.start(DEFINITION, OrderData.of("o-1", 2500));
            kit.expectCommand(CreateOrder.class).replySuccess();
            kit.expectCommand(ReserveItems.class).replySuccess(new ItemsReserved("r-1"));
            kit.expectCommand(AuthorizePayment.class).replySuccess(new PaymentAuthorized("p-1"));
            kit.expectCommand(ScheduleShipment.class).replySuccess();
            assertThat(kit.status(id)).isEqualTo(SagaStatus.COMPLETED);
            assertThat(kit.data(id, OrderData.class).paymentId()).isEqualTo("p-1");
            assertThat(kit.history(id)).extracting(h -> h.kind()).startsWith(HistoryKind.STARTED, HistoryKind.COMMAND_SENT)
                    .endsWith(HistoryKind.COMPLETED);
        }
    }

    @Test
    @DisplayName("a declined payment: COMPENSATED, inventory released before the order is cancelled")
    void compensates() {
        try (SagaTestKit kit = kit()) {
            SagaId id = kit.start(DEFINITION, OrderData.of("o-2", 2500));
            kit.expectCommand(CreateOrder.class).replySuccess();
            kit.expectCommand(ReserveItems.class).replySuccess(new ItemsReserved("r-2"));
            kit.expectCommand(AuthorizePayment.class).replyFailure("card declined");
            kit.expectCommand(ReleaseItems.class).replySuccess();
            kit.expectCommand(CancelOrder.class).replySuccess();
            assertThat(kit.status(id)).isEqualTo(SagaStatus.COMPENSATED);
            assertThat(kit.compensatedSteps(id)).containsExactly("reserve-inventory", "create-order");
            kit.assertInvariants();
        }
    }

    @Test
    @DisplayName("a busy payment: PENDING_PAYMENT, then COMPLETED once the virtual clock passes the retry interval")
    void parksThenCompletes() {
        try (SagaTestKit kit = kit()) {
            SagaId id = kit.start(DEFINITION, OrderData.of("o-3", 2500));
            kit.expectCommand(CreateOrder.class).replySuccess();
            kit.expectCommand(ReserveItems.class).replySuccess(new ItemsReserved("r-3"));
            kit.expectCommand(AuthorizePayment.class).replyBusy("promotion");
            assertThat(kit.status(id)).isEqualTo(SagaStatus.PENDING);
            assertThat(kit.saga(id).pendingState()).isEqualTo("PENDING_PAYMENT");
            kit.advance(Duration.ofSeconds(10));
            kit.expectCommand(AuthorizePayment.class).replySuccess(new PaymentAuthorized("p-3"));
            kit.expectCommand(ScheduleShipment.class).replySuccess();
            assertThat(kit.status(id)).isEqualTo(SagaStatus.COMPLETED);
        }
    }

    @Test
    @DisplayName("the engine is stopped with sagas between command and reply; a new engine on the same database finishes every saga, none twice")
    void restartOnSameDatabase() {
        try (SagaTestKit kit = kit()) {
            kit.withFaults(Faults.seeded(11).delayReplies(0.6, Duration.ofSeconds(2)).duplicateReplies(0.2))
                    .when(CreateOrder.class, c -> Answer.success())
                    .when(ReserveItems.class, c -> Answer.success(new ItemsReserved("r-" + c.orderId())))
                    .when(AuthorizePayment.class, c -> c.amountCents() % 3 == 0 ? Answer.failure("declined")
                            : c.amountCents() % 3 == 1 ? Answer.busy("promotion") : Answer.success(new PaymentAuthorized("p")))
                    .when(ScheduleShipment.class, c -> Answer.success())
                    .when(ReleaseItems.class, c -> Answer.success())
                    .when(CancelOrder.class, c -> Answer.success());
            for (int i = 0; i < 60; i++) {
                kit.start(DEFINITION, OrderData.of("o-" + i, i), "order-" + i);
            }
            kit.runFor(Duration.ofMillis(1500));
            assertThat(kit.statuses()).as("sagas are in flight at the stop").containsKey(SagaStatus.RUNNING);
            kit.restart();
            kit.settle();

            kit.assertInvariants();
            assertThat(kit.statuses()).containsOnlyKeys(SagaStatus.COMPLETED, SagaStatus.COMPENSATED);
            // the busy payments (amount % 3 == 1) stay busy until the give-up deadline, then compensate
            assertThat(kit.statuses().get(SagaStatus.COMPENSATED)).isEqualTo(40L);
        }
    }
}
