package dev.baton.testkit;

import static dev.baton.testkit.example.OrderSaga.DEFINITION;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.spi.SagaListener;
import dev.baton.testkit.example.OrderSaga.AuthorizePayment;
import dev.baton.testkit.example.OrderSaga.CreateOrder;
import dev.baton.testkit.example.OrderSaga.ItemsReserved;
import dev.baton.testkit.example.OrderSaga.OrderData;
import dev.baton.testkit.example.OrderSaga.PaymentAuthorized;
import dev.baton.testkit.example.OrderSaga.ReserveItems;
import dev.baton.testkit.example.OrderSaga.ScheduleShipment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A kit whose engine reports to a listener. */
class ListenerKitTest {

    @Test
    @DisplayName("the kit's engine reports to the given listener, before and after a restart")
    void listenerSeesTheEngine() {
        List<String> events = new ArrayList<>();
        SagaListener recording = new SagaListener() {
            @Override
            public void onStarted(SagaId id, String sagaType) {
                events.add("started " + sagaType);
            }

            @Override
            public void onStepCompleted(SagaId id, String sagaType, String step, Duration took) {
                events.add("step " + step + " " + took.toSeconds() + "s");
            }

            @Override
            public void onEnded(SagaId id, String sagaType, SagaStatus outcome, Duration took) {
                events.add("ended " + outcome);
            }
        };
        try (SagaTestKit kit = SagaTestKit.with(recording, DEFINITION)) {
            SagaId id = kit.start(DEFINITION, OrderData.of("o-1", 100));
            SentCommand<CreateOrder> create = kit.expectCommand(CreateOrder.class);
            kit.advance(Duration.ofSeconds(2));
            create.replySuccess();
            kit.restart();
            kit.expectCommand(ReserveItems.class).replySuccess(new ItemsReserved("r-1"));
            kit.expectCommand(AuthorizePayment.class).replySuccess(new PaymentAuthorized("p-1"));
            kit.expectCommand(ScheduleShipment.class).replySuccess();

            assertThat(kit.status(id)).isEqualTo(SagaStatus.COMPLETED);
            assertThat(events).containsExactly("started order-flow", "step create-order 2s", "step reserve-inventory 0s",
                    "step authorize-payment 0s", "step schedule-shipment 0s", "ended COMPLETED");
        }
    }
}
