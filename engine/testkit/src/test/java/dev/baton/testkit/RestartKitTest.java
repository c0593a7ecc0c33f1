package dev.baton.testkit;

import static dev.baton.testkit.example.OrderSaga.DEFINITION;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.testkit.example.OrderSaga.AuthorizePayment;
import dev.baton.testkit.example.OrderSaga.CancelOrder;
import dev.baton.testkit.example.OrderSaga.CreateOrder;
import dev.baton.testkit.example.OrderSaga.ItemsReserved;
import dev.baton.testkit.example.OrderSaga.PaymentAuthorized;
import dev.baton.testkit.example.OrderSaga.ReleaseItems;
import dev.baton.testkit.example.OrderSaga.ReserveItems;
import dev.baton.testkit.example.OrderSaga.ScheduleShipment;
import java.time.Duration;
import dev.baton.testkit.example.OrderSaga.OrderData;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RestartKitTest {

    @Test
    @DisplayName("outbox rows the transport refused are re-sent by the next engine, with the same message id")
    void unsentOutboxSurvivesRestart() {
        try (SagaTestKit kit = SagaTestKit.with(DEFINITION)) {
            kit.failSends(true);
            SagaId id = kit.start(DEFINITION, OrderData.of("o-1", 1));
            kit.expectNoCommand();
            kit.restart();
            SentCommand<CreateOrder> create = kit.expectCommand(CreateOrder.class);
            assertThat(create.messageId()).startsWith(id.value() + "/create-order/do/");
            create.replySuccess();
            assertThat(kit.saga(id).completedSteps()).containsExactly("create-order");
            assertThat(kit.status(id)).isEqualTo(SagaStatus.RUNNING);
        }
    }

    @Test
    @DisplayName("restarting the engine mid-flight, with replies still travelling, finishes every saga once")
    void restartMidFlight() {
        try (SagaTestKit kit = SagaTestKit.with(DEFINITION)) {
            kit.withFaults(Faults.seeded(5).delayReplies(0.5, Duration.ofSeconds(3)))
                    .when(CreateOrder.class, c -> Answer.success())
                    .when(ReserveItems.class, c -> Answer.success(new ItemsReserved("r")))
                    .when(AuthorizePayment.class, c -> c.amountCents() % 4 == 0 ? Answer.failure("declined")
                            : Answer.success(new PaymentAuthorized("p")))
                    .when(ScheduleShipment.class, c -> Answer.success())
                    .when(ReleaseItems.class, c -> Answer.success())
                    .when(CancelOrder.class, c -> Answer.success());
            for (int i = 0; i < 40; i++) {
                kit.start(DEFINITION, OrderData.of("o-" + i, i));
            }
            kit.runFor(Duration.ofSeconds(1));
            assertThat(kit.statuses()).as("some sagas are mid-flight at the restart").containsKey(SagaStatus.RUNNING);
            kit.restart();
            kit.settle();

            kit.assertInvariants();
            assertThat(kit.statuses()).containsOnlyKeys(SagaStatus.COMPLETED, SagaStatus.COMPENSATED)
                    .containsEntry(SagaStatus.COMPENSATED, 10L);
        }
    }
}
