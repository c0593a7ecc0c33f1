package dev.baton.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.dsl.Participant;
import dev.baton.dsl.Retry;
import dev.baton.dsl.Saga;
import dev.baton.dsl.SagaDefinition;
import dev.baton.engine.HistoryKind;
import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.spi.HistoryRecord;
import dev.baton.engine.spi.SagaListener;
import dev.baton.testkit.CommandGateKitTest.SwitchGate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Conditional steps and fallbacks through the whole engine (store, outbox, gate, listener), on virtual time. */
class ShapesKitTest {
    public record Cart(String id, boolean digital, String estimate) {
        Cart withEstimate(String e) {
            return new Cart(id, digital, e);
        }
    }

    public record Reserve(String id) {}

    public record Release(String id) {}

    public record Estimate(String id) {}

    public record Estimated(String days) {}

    public record Pay(String id) {}

    public record Ship(String id) {}

    static final Participant<Object> STOCK = Participant.named("stock", Object.class);
    static final Participant<Estimate> CARRIER = Participant.named("carrier", Estimate.class);
    static final Participant<Pay> PAYMENT = Participant.named("payment", Pay.class);
    static final Participant<Ship> LOGISTICS = Participant.named("logistics", Ship.class);

    static final SagaDefinition<Cart> CART = Saga.define("cart", Cart.class)
            .step("reserve")
                .invoke(STOCK, d -> new Reserve(d.id()))
                .compensate(STOCK, d -> new Release(d.id()))
            .step("estimate")
                .invoke(CARRIER, d -> new Estimate(d.id()))
                .onReply(Estimated.class, (d, r) -> d.withEstimate(r.days()))
                .noCompensation()
                .timeout(Duration.ofSeconds(2))
                .retry(Retry.fixed(2, Duration.ofSeconds(1)))
                .fallback(d -> d.withEstimate("standard delivery"))
            .step("pay")
                .invoke(PAYMENT, d -> new Pay(d.id()))
                .pivot()
            .step("ship")
                .invoke(LOGISTICS, d -> new Ship(d.id()))
                .when(d -> !d.digital())
                .retry(Retry.forever(Duration.ofSeconds(1), Duration.ofMinutes(1)))
            .build();

    /** What the engine told its listener about skipped and degraded steps. */
    static final class Shapes implements SagaListener {
        final List<String> events = new CopyOnWriteArrayList<>();

        @Override
        public void onStepSkipped(SagaId id, String sagaType, String step) {
            events.add("skipped " + step);
        }

        @Override
        public void onStepDegraded(SagaId id, String sagaType, String step, String why) {
            events.add("degraded " + step + ": " + why);
        }

        @Override
        public void onStepCompleted(SagaId id, String sagaType, String step, Duration took) {
            events.add("completed " + step);
        }
    }

    private static List<HistoryKind> kinds(SagaTestKit kit, SagaId id) {
        return kit.history(id).stream().map(HistoryRecord::kind).toList();
    }

    @Test
    void aDigitalOrderSkipsShippingAndCompletes() {
        Shapes shapes = new Shapes();
        try (SagaTestKit kit = SagaTestKit.with(shapes, CART)) {
            SagaId id = kit.start(CART, new Cart("c-1", true, null));
            kit.expectCommand(Reserve.class).replySuccess();
            kit.expectCommand(Estimate.class).replySuccess(new Estimated("2 days"));
            kit.expectCommand(Pay.class).replySuccess();
            kit.expectNoCommand();
            assertThat(kit.status(id)).isEqualTo(SagaStatus.COMPLETED);
            assertThat(kinds(kit, id)).containsSubsequence(HistoryKind.STEP_COMPLETED, HistoryKind.STEP_SKIPPED,
                    HistoryKind.COMPLETED);
            assertThat(kit.history(id)).filteredOn(h -> h.kind() == HistoryKind.STEP_SKIPPED)
                    .extracting(HistoryRecord::step).containsExactly("ship");
            assertThat(shapes.events).containsExactly("completed reserve", "completed estimate", "completed pay",
                    "skipped ship");
            assertThat(kit.saga(id).data()).isEqualTo(new Cart("c-1", true, "2 days"));
        }
    }

    @Test
    void aSilentCarrierIsReplacedByTheFallbackAfterItsAttempts() {
        Shapes shapes = new Shapes();
        try (SagaTestKit kit = SagaTestKit.with(shapes, CART)) {
            SagaId id = kit.start(CART, new Cart("c-2", false, null));
            kit.expectCommand(Reserve.class).replySuccess();
            SentCommand<Estimate> first = kit.expectCommand(Estimate.class);
            kit.advance(Duration.ofSeconds(2)); // timed out; re-sent after 1 s
            kit.advance(Duration.ofSeconds(1));
            kit.expectCommand(Estimate.class);
            kit.advance(Duration.ofSeconds(2)); // the second attempt times out: the fallback stands in
            kit.expectCommand(Pay.class).replySuccess();
            first.replySuccess(new Estimated("9 days")); // late: ignored
            kit.expectCommand(Ship.class).replySuccess();
            assertThat(kit.status(id)).isEqualTo(SagaStatus.COMPLETED);
            assertThat(kit.saga(id).data()).isEqualTo(new Cart("c-2", false, "standard delivery"));
            assertThat(shapes.events).contains("completed reserve", "completed pay", "completed ship")
                    .doesNotContain("completed estimate")
                    .anySatisfy(e -> assertThat(e).startsWith("degraded estimate: fallback used: gave up after 2 attempts"));
        }
    }

    @Test
    void anOpenBreakerDegradesTheStepAtOnceInsteadOfHoldingTheOrder() {
        SwitchGate gate = new SwitchGate();
        try (SagaTestKit kit = SagaTestKit.withGate(clock -> gate, CART)) {
            gate.blocked.add("carrier");
            SagaId id = kit.start(CART, new Cart("c-3", false, null));
            kit.expectCommand(Reserve.class).replySuccess();
            kit.expectCommand(Pay.class).replySuccess(); // no estimate was sent: the breaker held it, the fallback stood in
            kit.expectCommand(Ship.class).replySuccess();
            assertThat(kit.status(id)).isEqualTo(SagaStatus.COMPLETED);
            assertThat(kit.sent()).noneMatch(r -> r.destination().equals("carrier"));
            assertThat(kinds(kit, id)).containsSubsequence(HistoryKind.NOT_SENT, HistoryKind.STEP_DEGRADED,
                    HistoryKind.STEP_COMPLETED, HistoryKind.COMMAND_SENT);
            assertThat(kit.saga(id).data()).isEqualTo(new Cart("c-3", false, "standard delivery"));
            assertThat(gate.log).contains("deny carrier").doesNotContain("release carrier");
        }
    }
}
