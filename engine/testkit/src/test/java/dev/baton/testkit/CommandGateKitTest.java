package dev.baton.testkit;

import static dev.baton.testkit.example.OrderSaga.DEFINITION;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.engine.HistoryKind;
import dev.baton.engine.OperatorAction;
import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.spi.CommandGate;
import dev.baton.engine.spi.HistoryRecord;
import dev.baton.engine.spi.OutboxRecord;
import dev.baton.testkit.example.OrderSaga.AuthorizePayment;
import dev.baton.testkit.example.OrderSaga.CreateOrder;
import dev.baton.testkit.example.OrderSaga.ItemsReserved;
import dev.baton.testkit.example.OrderSaga.OrderData;
import dev.baton.testkit.example.OrderSaga.PaymentAuthorized;
import dev.baton.testkit.example.OrderSaga.ReserveItems;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The engine's side of the CommandGate port, with a gate switched by hand (no breaker library). */
class CommandGateKitTest {
    /** Holds back commands to the participants in {@code blocked}; records what the engine reports. */
    static final class SwitchGate implements CommandGate {
        final Set<String> blocked = ConcurrentHashMap.newKeySet();
        final List<String> log = new CopyOnWriteArrayList<>();

        @Override
        public void prepare(Set<String> participants) {
            log.add("prepare " + participants);
        }

        @Override
        public boolean permit(String participant) {
            boolean ok = !blocked.contains(participant);
            log.add((ok ? "permit " : "deny ") + participant);
            return ok;
        }

        @Override
        public void release(String participant) {
            log.add("release " + participant);
        }

        @Override
        public void onOutcome(String participant, Outcome outcome) {
            log.add(participant + " " + outcome);
        }
    }

    private final SwitchGate gate = new SwitchGate();
    private final SagaTestKit kit = SagaTestKit.withGate(clock -> gate, DEFINITION);

    @AfterEach
    void close() {
        kit.close();
    }

    private List<HistoryKind> kinds(SagaId id) {
        return kit.history(id).stream().map(HistoryRecord::kind).toList();
    }

    @Test
    @DisplayName("the gate learns every participant, is asked before each command, and hears every answer and timeout")
    void gateSeesPermitsAndOutcomes() {
        assertThat(gate.log).containsExactly("prepare [inventory, logistics, order, payment]");
        SagaId id = kit.start(DEFINITION, OrderData.of("o-1", 100));
        kit.expectCommand(CreateOrder.class).replySuccess();
        SentCommand<ReserveItems> reserve = kit.expectCommand(ReserveItems.class);
        kit.advance(Duration.ofSeconds(5)); // reserve-inventory times out, re-sent after 500 ms
        kit.advance(Duration.ofMillis(500));
        reserve.replySuccess(new ItemsReserved("r-1"));
        kit.expectCommand(ReserveItems.class).replySuccess(new ItemsReserved("r-1")); // the re-sent copy: a duplicate answer
        kit.expectCommand(AuthorizePayment.class).replyBusy("overloaded");

        // the next command's permit is taken in the reply's transaction; the outcome is reported once it committed
        assertThat(gate.log.subList(1, gate.log.size())).containsExactly(
                "permit order", "permit inventory", "order ANSWERED",
                "inventory TIMED_OUT", "permit inventory", "permit payment", "inventory ANSWERED",
                "payment BUSY");
        assertThat(kit.status(id)).isEqualTo(SagaStatus.PENDING);
    }

    @Test
    @DisplayName("a held-back command on a step without whenBusy waits in line without using an attempt; it goes out when the gate permits")
    void heldBackStepWaitsInLine() {
        gate.blocked.add("inventory");
        SagaId id = kit.start(DEFINITION, OrderData.of("o-2", 100));
        kit.expectCommand(CreateOrder.class).replySuccess();

        kit.expectNoCommand();
        assertThat(kit.status(id)).isEqualTo(SagaStatus.RUNNING);
        assertThat(kinds(id).subList(kinds(id).size() - 2, kinds(id).size())).containsExactly(HistoryKind.STEP_COMPLETED,
                HistoryKind.NOT_SENT);
        assertThat(kit.sent().stream().map(OutboxRecord::destination)).containsExactly("order");

        gate.blocked.clear();
        kit.advance(Duration.ofMillis(500));
        SentCommand<ReserveItems> reserve = kit.expectCommand(ReserveItems.class);
        assertThat(reserve.attempt()).as("waiting in line is not an attempt").isEqualTo(1);
        assertThat(gate.log).doesNotContain("inventory BUSY"); // held back is not an answer
    }

    @Test
    @DisplayName("held back for long, a compensatable step keeps its retry budget: nothing is compensated, and it goes out once permitted")
    void heldBackKeepsRetryBudget() {
        gate.blocked.add("inventory");
        SagaId id = kit.start(DEFINITION, OrderData.of("o-3", 100));
        kit.expectCommand(CreateOrder.class).replySuccess();
        for (int i = 0; i < 20; i++) {
            kit.advance(Duration.ofMillis(500));
        }
        assertThat(kit.sent().stream().filter(r -> r.destination().equals("inventory"))).isEmpty();
        assertThat(kit.status(id)).isEqualTo(SagaStatus.RUNNING);
        assertThat(kinds(id)).filteredOn(k -> k == HistoryKind.NOT_SENT).as("one entry, not one per tick").hasSize(1);

        gate.blocked.clear();
        kit.advance(Duration.ofMillis(500));
        assertThat(kit.expectCommand(ReserveItems.class).attempt()).isEqualTo(1);
    }

    @Test
    @DisplayName("an operator's abort while a command awaits its answer gives that command's permit back")
    void abortReleasesPermit() {
        SagaId id = kit.start(DEFINITION, OrderData.of("o-5", 100));
        kit.expectCommand(CreateOrder.class).replySuccess();
        kit.expectCommand(ReserveItems.class); // sent, not answered
        gate.log.clear();

        kit.engine().act(id, OperatorAction.ABORT, "ops", "customer cancelled");

        assertThat(kit.status(id)).isEqualTo(SagaStatus.COMPENSATING);
        assertThat(gate.log).containsExactly("permit inventory", "release inventory"); // the ReleaseItems compensation
    }

    @Test
    @DisplayName("an operator's resume of a saga parked behind a held-back participant parks it again, with its timers")
    void resumeWhileHeldBack() {
        gate.blocked.add("payment");
        SagaId id = kit.start(DEFINITION, OrderData.of("o-4", 100));
        kit.expectCommand(CreateOrder.class).replySuccess();
        kit.expectCommand(ReserveItems.class).replySuccess(new ItemsReserved("r-4"));
        assertThat(kit.saga(id).pendingState()).isEqualTo("PENDING_PAYMENT");

        kit.engine().act(id, OperatorAction.RESUME, "ops", "payment is back?");

        assertThat(kit.status(id)).isEqualTo(SagaStatus.PENDING);
        kit.expectNoCommand();
        gate.blocked.clear();
        kit.advance(Duration.ofSeconds(10)); // the parking's retry timer survived the resume
        kit.expectCommand(AuthorizePayment.class).replySuccess(new PaymentAuthorized("p-4"));
        assertThat(kit.saga(id).completedSteps()).contains("authorize-payment");
    }
}
