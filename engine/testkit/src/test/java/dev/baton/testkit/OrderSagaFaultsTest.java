package dev.baton.testkit;

import static dev.baton.testkit.example.OrderSaga.DEFINITION;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
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
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The test kit's automatic mode: many order sagas with participants that succeed, decline, are busy or stay
 * silent at random, while replies are duplicated, reordered, delayed and dropped. Whatever happens, the
 * invariants must hold and every saga must end.
 */
class OrderSagaFaultsTest {

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 42, 1234})
    void invariantsHoldUnderFaults(long seed) {
        Random answers = new Random(seed * 31);
        try (SagaTestKit kit = SagaTestKit.with(DEFINITION)) {
            kit.withFaults(Faults.seeded(seed).duplicateReplies(0.3).reorderReplies(0.3)
                            .delayReplies(0.2, Duration.ofSeconds(20)).dropReplies(0.1).duplicateCommands(0.2))
                    .when(CreateOrder.class, c -> Answer.success())
                    .when(ReserveItems.class, c -> pick(answers, 0.1, 0.0, 0.1, Answer.success(new ItemsReserved("r-" + c.orderId()))))
                    .when(AuthorizePayment.class, c -> pick(answers, 0.2, 0.3, 0.05, Answer.success(new PaymentAuthorized("p-" + c.orderId()))))
                    .when(ScheduleShipment.class, c -> pick(answers, 0.2, 0.0, 0.1, Answer.success()))
                    .when(ReleaseItems.class, c -> pick(answers, 0.1, 0.0, 0.05, Answer.success()))
                    .when(CancelOrder.class, c -> Answer.success());
            for (int i = 0; i < 60; i++) {
                kit.start(DEFINITION, OrderData.of("o-" + i, 100 + i));
            }
            kit.settle();

            kit.assertInvariants();
            Map<SagaStatus, Long> statuses = kit.statuses();
            assertThat(statuses.keySet()).as("every saga ends: %s", statuses)
                    .allMatch(s -> s.isTerminal() || s == SagaStatus.FAILED);
            assertThat(statuses.getOrDefault(SagaStatus.COMPLETED, 0L)).as("some complete: %s", statuses).isPositive();
            assertThat(statuses.getOrDefault(SagaStatus.COMPENSATED, 0L)).as("some compensate: %s", statuses).isPositive();
            for (SagaId id : kit.started()) {
                if (kit.status(id) == SagaStatus.FAILED) {
                    assertThat(kit.saga(id).reason()).isNotBlank();
                }
            }
        }
    }

    /** FAILURE with probability {@code fail}, RETRY_LATER with {@code busy}, silence with {@code silent}, else success. */
    private static Answer pick(Random r, double fail, double busy, double silent, Answer success) {
        double x = r.nextDouble();
        if (x < fail) {
            return Answer.failure("declined");
        }
        if (x < fail + busy) {
            return Answer.busy("overloaded");
        }
        if (x < fail + busy + silent) {
            return Answer.silence();
        }
        return success;
    }
}
