package dev.baton.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.dsl.Park;
import dev.baton.dsl.Participant;
import dev.baton.dsl.Retry;
import dev.baton.dsl.Saga;
import dev.baton.dsl.SagaDefinition;
import dev.baton.engine.HistoryKind;
import dev.baton.engine.OperatorAction;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.spi.ReplyOutcome;
import dev.baton.engine.spi.TimerKind;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Conditional steps and fallbacks, rule by rule")
class ShapesRulesTest {
    record Cart(String id, boolean digital, String estimate, boolean conditionThrows, boolean fallbackThrows) {
        Cart withEstimate(String e) {
            return new Cart(id, digital, e, conditionThrows, fallbackThrows);
        }
    }

    record Reserve(String id) {}

    record Release(String id) {}

    record Estimate(String id) {}

    record Estimated(String days) {}

    record Ship(String id) {}

    record Pay(String id) {}

    static final Participant<Object> STOCK = Participant.named("stock", Object.class);
    static final Participant<Estimate> CARRIER = Participant.named("carrier", Estimate.class);
    static final Participant<Pay> PAYMENT = Participant.named("payment", Pay.class);
    static final Participant<Ship> LOGISTICS = Participant.named("logistics", Ship.class);

    /** reserve → estimate (a read that parks when busy, with a fallback) → pay (pivot) → ship (only when not digital). */
    static final SagaDefinition<Cart> DEF = Saga.define("cart", Cart.class)
            .step("reserve")
                .invoke(STOCK, d -> new Reserve(d.id()))
                .compensate(STOCK, d -> new Release(d.id()))
            .step("estimate")
                .invoke(CARRIER, d -> new Estimate(d.id()))
                .onReply(Estimated.class, (d, r) -> d.withEstimate(r.days()))
                .noCompensation()
                .timeout(Duration.ofSeconds(2))
                .retry(Retry.fixed(2, Duration.ofSeconds(1)))
                .whenBusy(Park.as("PENDING_ESTIMATE").retryEvery(Duration.ofSeconds(5)).giveUpAfter(Duration.ofMinutes(1)))
                .fallback(d -> {
                    if (d.fallbackThrows()) {
                        throw new IllegalStateException("no standard estimate");
                    }
                    return d.withEstimate("standard");
                })
            .step("pay")
                .invoke(PAYMENT, d -> new Pay(d.id()))
                .pivot()
            .step("ship")
                .invoke(LOGISTICS, d -> new Ship(d.id()))
                .when(d -> {
                    if (d.conditionThrows()) {
                        throw new IllegalArgumentException("cannot tell");
                    }
                    return !d.digital();
                })
                .retry(Retry.forever(Duration.ofSeconds(1), Duration.ofMinutes(1)))
            .build();

    private static Driver<Cart> at(Cart cart, String step) {
        Driver<Cart> saga = Driver.start(DEF, cart);
        while (!saga.lastCommand().step().equals(step)) {
            saga.succeed();
        }
        return saga;
    }

    private static Cart cart(boolean digital) {
        return new Cart("c-1", digital, null, false, false);
    }

    @Test
    void aStepWhoseConditionFailsIsSkippedAndTheSagaCompletesWithoutIt() {
        Driver<Cart> saga = at(cart(true), "pay");
        Decision d = saga.succeed();
        assertThat(d.commands()).isEmpty();
        assertThat(saga.status()).isEqualTo(SagaStatus.COMPLETED);
        assertThat(d.history()).extracting(Decision.Entry::kind)
                .containsExactly(HistoryKind.REPLY_RECEIVED, HistoryKind.STEP_COMPLETED, HistoryKind.STEP_SKIPPED,
                        HistoryKind.COMPLETED);
        assertThat(saga.live).isEmpty();
    }

    @Test
    void aStepWhoseConditionHoldsRuns() {
        Driver<Cart> saga = at(cart(false), "pay");
        saga.succeed();
        assertThat(saga.lastCommand().step()).isEqualTo("ship");
        assertThat(saga.historyKinds()).doesNotContain(HistoryKind.STEP_SKIPPED);
    }

    @Test
    void aConditionThatThrowsFailsTheSagaAtTheStepAndAnOperatorRetryAsksItAgain() {
        Driver<Cart> saga = at(new Cart("c-1", false, null, true, false), "pay");
        saga.succeed();
        assertThat(saga.status()).isEqualTo(SagaStatus.FAILED);
        assertThat(saga.state.reason()).contains("the condition of step 'ship' threw");
        assertThat(saga.state.currentStep()).isEqualTo("ship");
        assertThat(saga.last.errors()).hasSize(1);
        Decision again = saga.operator(OperatorAction.RETRY);
        assertThat(again.changed()).isTrue();
        assertThat(saga.status()).isEqualTo(SagaStatus.FAILED); // the condition throws again: asked, not bypassed
        assertThat(saga.sent).noneMatch(c -> c.step().equals("ship"));
    }

    @Test
    void timeoutsRunOutOnAStepWithAFallback_theFallbackStandsInAndTheSagaGoesOn() {
        Driver<Cart> saga = at(cart(false), "estimate");
        saga.fire(TimerKind.TIMEOUT);
        saga.fire(TimerKind.RETRY);
        Decision d = saga.fire(TimerKind.TIMEOUT);
        // timeouts run out on a step that parks: it parks first
        assertThat(saga.status()).isEqualTo(SagaStatus.PENDING);
        saga.advance(Duration.ofMinutes(2));
        assertThat(saga.historyKinds()).contains(HistoryKind.GAVE_UP, HistoryKind.STEP_DEGRADED);
        assertThat(saga.status()).isEqualTo(SagaStatus.RUNNING);
        assertThat(saga.lastCommand().step()).isEqualTo("pay");
        assertThat(saga.data().estimate()).isEqualTo("standard");
        assertThat(saga.live).doesNotContainKey(TimerKind.GIVE_UP);
        assertThat(d).isNotNull();
    }

    @Test
    void aLateSuccessOfADegradedStepChangesNothing() {
        Driver<Cart> saga = at(cart(false), "estimate");
        Decision.Command estimate = saga.lastCommand();
        saga.fire(TimerKind.TIMEOUT);
        saga.fire(TimerKind.RETRY);
        saga.fire(TimerKind.TIMEOUT);
        saga.advance(Duration.ofMinutes(2));
        SagaState before = saga.state;
        Decision late = saga.reply(estimate, ReplyOutcome.SUCCESS, new Estimated("2 days"), null);
        assertThat(late.changed()).isFalse();
        assertThat(saga.state).isEqualTo(before);
        assertThat(saga.data().estimate()).isEqualTo("standard");
    }

    @Test
    void aFailureBeforeThePivotIsAnAnswer_itCompensatesEvenWithAFallback() {
        Driver<Cart> saga = at(cart(false), "estimate");
        saga.refuse("no carrier serves this address");
        assertThat(saga.status()).isEqualTo(SagaStatus.COMPENSATING);
        assertThat(saga.historyKinds()).doesNotContain(HistoryKind.STEP_DEGRADED);
        assertThat(saga.lastCommand().step()).isEqualTo("reserve");
    }

    @Test
    void aFallbackThatThrowsFailsTheSagaAtTheStep() {
        Driver<Cart> saga = at(new Cart("c-1", false, null, false, true), "estimate");
        saga.fire(TimerKind.TIMEOUT);
        saga.fire(TimerKind.RETRY);
        saga.fire(TimerKind.TIMEOUT);
        saga.advance(Duration.ofMinutes(2));
        assertThat(saga.status()).isEqualTo(SagaStatus.FAILED);
        assertThat(saga.state.reason()).contains("the fallback of step 'estimate' threw");
    }

    @Test
    void anOpenBreakerDegradesAStepWithAFallbackAtOnce_andHoldsBackOneWithout() {
        Driver<Cart> saga = at(cart(false), "reserve");
        Decision toEstimate = StateMachine.decide(saga.state, new SagaEvent.Replied(saga.lastCommand().messageId(),
                ReplyOutcome.SUCCESS, null, null), DEF, saga.now);
        Decision.Command estimate = toEstimate.commands().get(0);
        assertThat(estimate.step()).isEqualTo("estimate");
        Decision degraded = Transitions.fallBack(toEstimate, DEF, estimate, saga.now, "circuit open for participant carrier");
        assertThat(degraded.commands()).extracting(Decision.Command::step).containsExactly("pay");
        assertThat(degraded.history()).extracting(Decision.Entry::kind).contains(HistoryKind.NOT_SENT,
                HistoryKind.STEP_DEGRADED, HistoryKind.STEP_COMPLETED, HistoryKind.COMMAND_SENT);
        assertThat(degraded.history()).filteredOn(e -> e.kind() == HistoryKind.COMMAND_SENT)
                .extracting(Decision.Entry::step).containsExactly("pay");
        assertThat(degraded.timers()).extracting(Decision.Timer::step).containsExactly("pay");
        assertThat(((Cart) degraded.state().data()).estimate()).isEqualTo("standard");
        assertThat(degraded.state().exec().completed()).containsExactly("reserve", "estimate");
    }

    @Test
    void definitionsThatMisuseTheShapesFailAtBuild() {
        var e = org.assertj.core.api.Assertions.catchThrowable(() -> Saga.define("bad", Cart.class)
                .step("reserve")
                    .invoke(STOCK, d -> new Reserve(d.id()))
                    .compensate(STOCK, d -> new Release(d.id()))
                    .fallback(d -> d)
                .step("pay")
                    .invoke(PAYMENT, d -> new Pay(d.id()))
                    .pivot()
                    .when(d -> true)
                    .fallback(d -> d)
                .build());
        assertThat(e).hasMessageContainingAll(
                "step 'reserve' (steps[0]): has both compensate(...) and fallback(...)",
                "step 'pay' (steps[1]): is the pivot, the point of no return, and a saga that may skip it has none",
                "step 'pay' (steps[1]): is the pivot, whose answer decides");
        assertThat(List.of(DEF.step("ship").orElseThrow().hasCondition(), DEF.step("estimate").orElseThrow().hasFallback()))
                .containsOnly(true);
    }
}
