package dev.baton.engine.internal;

import static dev.baton.engine.internal.OrderSaga.BOOM;
import static dev.baton.engine.internal.OrderSaga.CREATE;
import static dev.baton.engine.internal.OrderSaga.PAY;
import static dev.baton.engine.internal.OrderSaga.PAY_GIVE_UP;
import static dev.baton.engine.internal.OrderSaga.PAY_RETRY_EVERY;
import static dev.baton.engine.internal.OrderSaga.PENDING_PAYMENT;
import static dev.baton.engine.internal.OrderSaga.RESERVE;
import static dev.baton.engine.internal.OrderSaga.SHIP;
import static dev.baton.engine.internal.OrderSaga.UNREADABLE;
import static dev.baton.engine.spi.TimerKind.GIVE_UP;
import static dev.baton.engine.spi.TimerKind.RETRY;
import static dev.baton.engine.spi.TimerKind.WAIT;
import static dev.baton.engine.spi.TimerKind.TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.engine.HistoryKind;
import dev.baton.dsl.Retry;
import dev.baton.engine.OperatorAction;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.internal.Execution.Direction;
import dev.baton.engine.internal.OrderSaga.AuthorizePayment;
import dev.baton.engine.internal.OrderSaga.CancelOrder;
import dev.baton.engine.internal.OrderSaga.CreateOrder;
import dev.baton.engine.internal.OrderSaga.ItemsReserved;
import dev.baton.engine.internal.OrderSaga.OrderData;
import dev.baton.engine.internal.OrderSaga.PaymentAuthorized;
import dev.baton.engine.internal.OrderSaga.ReleaseItems;
import dev.baton.engine.internal.OrderSaga.ReserveItems;
import dev.baton.engine.internal.OrderSaga.ScheduleShipment;
import dev.baton.engine.spi.ReplyOutcome;
import dev.baton.engine.spi.TimerKind;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("The state machine's rules, one by one, on the four-step order saga")
class StateMachineRulesTest {

    private static Driver<OrderData> started() {
        return Driver.start(OrderSaga.definition(), OrderSaga.order());
    }

    /** create-order and reserve-inventory succeeded; the payment command is out. */
    private static Driver<OrderData> atPayment() {
        Driver<OrderData> saga = started();
        saga.succeed();
        saga.succeed(new ItemsReserved("R-1"));
        assertThat(saga.lastCommand().step()).isEqualTo(PAY);
        return saga;
    }

    /** The payment succeeded; the shipment command is out. */
    private static Driver<OrderData> atShipment(Driver<OrderData> saga) {
        saga.succeed();
        saga.succeed(new ItemsReserved("R-1"));
        saga.succeed(new PaymentAuthorized("P-1"));
        assertThat(saga.lastCommand().step()).isEqualTo(SHIP);
        return saga;
    }

    private static void assertUnchanged(Decision d, SagaState before) {
        assertThat(d.changed()).isFalse();
        assertThat(d.state()).isEqualTo(before);
        assertThat(d.commands()).isEmpty();
        assertThat(d.timers()).isEmpty();
        assertThat(d.cancelTimers()).isEmpty();
        assertThat(d.history()).isEmpty();
    }

    /** Answers every compensation with SUCCESS until the saga stops compensating. */
    private static void compensateAll(Driver<OrderData> saga) {
        for (int i = 0; i < 10 && saga.status() == SagaStatus.COMPENSATING; i++) {
            saga.succeed();
        }
    }

    @Nested
    @DisplayName("Forward progress")
    class Forward {

        @Test
        @DisplayName("A saga whose every step succeeds ends COMPLETED, each reply folded into the data and used by later commands")
        void happyPath() {
            Driver<OrderData> saga = started();
            assertThat(saga.status()).isEqualTo(SagaStatus.RUNNING);
            Decision.Command create = saga.lastCommand();
            assertThat(create.step()).isEqualTo(CREATE);
            assertThat(create.direction()).isEqualTo(Direction.FORWARD);
            assertThat(create.attempt()).isEqualTo(1);
            assertThat(create.participant()).isEqualTo("order");
            assertThat(create.payload()).isEqualTo(new CreateOrder("o-1", "c-1"));
            assertThat(saga.timer(TIMEOUT)).hasValueSatisfying(t -> assertThat(t.fireAt()).isEqualTo(Driver.T0.plus(OrderSaga.DEFAULT_TIMEOUT)));

            saga.succeed();
            assertThat(saga.lastCommand().payload()).isEqualTo(new ReserveItems("o-1"));
            saga.succeed(new ItemsReserved("R-1"));
            assertThat(saga.data().reservationId()).isEqualTo("R-1");
            assertThat(saga.lastCommand().payload()).isEqualTo(new AuthorizePayment("o-1", 4200));
            saga.succeed(new PaymentAuthorized("P-1"));
            assertThat(saga.lastCommand().payload()).isEqualTo(new ScheduleShipment("o-1", "P-1"));
            saga.succeed();

            assertThat(saga.status()).isEqualTo(SagaStatus.COMPLETED);
            assertThat(saga.data()).isEqualTo(OrderSaga.order().withReservation("R-1").withPayment("P-1"));
            assertThat(saga.state.reason()).isNull();
            assertThat(saga.state.currentStep()).isNull();
            assertThat(saga.live).as("live timers").isEmpty();
            assertThat(saga.sent).extracting(Decision.Command::step).containsExactly(CREATE, RESERVE, PAY, SHIP);
            assertThat(saga.sent).extracting(Decision.Command::messageId).doesNotHaveDuplicates();
            assertThat(saga.history).filteredOn(e -> e.kind() == HistoryKind.STEP_COMPLETED).extracting(Decision.Entry::step)
                    .containsExactly(CREATE, RESERVE, PAY, SHIP);
            assertThat(saga.history.get(saga.history.size() - 1).kind()).isEqualTo(HistoryKind.COMPLETED);
        }

        @Test
        @DisplayName("A timeout re-sends the same invocation after the retry delay: same message id, attempt + 1; a late reply to it still counts")
        void timeoutResendsSameInvocation() {
            Driver<OrderData> saga = started();
            saga.succeed();
            Decision.Command first = saga.lastCommand();
            Decision.Timer timeout = saga.timer(TIMEOUT).orElseThrow();
            assertThat(timeout.fireAt()).isEqualTo(saga.now.plus(OrderSaga.RESERVE_TIMEOUT));

            Decision onTimeout = saga.fire(TIMEOUT);
            assertThat(onTimeout.commands()).as("nothing is sent before the retry delay").isEmpty();
            assertThat(saga.timer(TIMEOUT)).isEmpty();
            assertThat(saga.timer(RETRY)).hasValueSatisfying(t -> assertThat(t.fireAt()).isEqualTo(saga.now.plus(OrderSaga.RESERVE_RETRY_DELAY)));
            assertThat(onTimeout.history()).extracting(Decision.Entry::kind).contains(HistoryKind.TIMED_OUT, HistoryKind.RETRY_SCHEDULED);

            saga.fire(RETRY);
            Decision.Command second = saga.lastCommand();
            assertThat(second).isNotSameAs(first);
            assertThat(second.messageId()).isEqualTo(first.messageId());
            assertThat(second.attempt()).isEqualTo(first.attempt() + 1);
            assertThat(second.payload()).isEqualTo(first.payload());
            assertThat(saga.timer(TIMEOUT)).hasValueSatisfying(t -> assertThat(t.token()).isNotEqualTo(timeout.token()));

            saga.reply(first, ReplyOutcome.SUCCESS, new ItemsReserved("R-1"), null);
            assertThat(saga.data().reservationId()).isEqualTo("R-1");
            assertThat(saga.lastCommand().step()).isEqualTo(PAY);
        }

        @Test
        @DisplayName("RETRY_LATER on the pivot parks in PENDING_PAYMENT (WAIT for payment from +200..250 ms, GIVE_UP timer +30 min); the released WAIT re-sends the same invocation and a later SUCCESS completes")
        void parkOnBusyPivot() {
            Driver<OrderData> saga = atPayment();
            Decision.Command pay = saga.lastCommand();
            Instant parkedAt = saga.now;

            saga.busy();
            assertThat(saga.status()).isEqualTo(SagaStatus.PENDING);
            assertThat(saga.state.pendingState()).isEqualTo(PENDING_PAYMENT);
            assertThat(saga.state.reason()).isNotNull();
            assertThat(saga.timer(RETRY)).isEmpty();
            assertThat(saga.timer(WAIT)).hasValueSatisfying(t -> {
                assertThat(t.participant()).isEqualTo(pay.participant());
                assertThat(t.fireAt()).isBetween(parkedAt.plusMillis(200), parkedAt.plusMillis(250));
            });
            assertThat(saga.timer(GIVE_UP)).hasValueSatisfying(t -> assertThat(t.fireAt()).isEqualTo(parkedAt.plus(PAY_GIVE_UP)));
            assertThat(saga.timer(TIMEOUT)).isEmpty();

            saga.fire(WAIT);
            assertThat(saga.status()).isEqualTo(SagaStatus.RUNNING);
            assertThat(saga.lastCommand().messageId()).isEqualTo(pay.messageId());
            assertThat(saga.lastCommand().attempt()).isEqualTo(2);
            assertThat(saga.timer(GIVE_UP)).as("the deadline still stands while the re-send is out").isPresent();

            saga.succeed(new PaymentAuthorized("P-1"));
            assertThat(saga.status()).isEqualTo(SagaStatus.RUNNING);
            assertThat(saga.state.pendingState()).isNull();
            assertThat(saga.timer(GIVE_UP)).isEmpty();
            saga.succeed();
            assertThat(saga.status()).isEqualTo(SagaStatus.COMPLETED);
            assertThat(saga.data().paymentId()).isEqualTo("P-1");
            assertThat(saga.compensationSends()).isEmpty();
        }

        @Test
        @DisplayName("RETRY_LATER with a retry-after: the park waits at least that long, never past the give-up deadline; a shorter wish changes nothing")
        void parkHonoursRetryAfter() {
            Driver<OrderData> longer = atPayment();
            Instant at = longer.now;
            longer.apply(new SagaEvent.Replied(longer.lastCommand().messageId(), ReplyOutcome.RETRY_LATER, null, "busy",
                    Duration.ofMinutes(2)));
            assertThat(longer.timer(WAIT)).hasValueSatisfying(t -> assertThat(t.fireAt()).isEqualTo(at.plus(Duration.ofMinutes(2))));

            Driver<OrderData> shorter = atPayment();
            shorter.apply(new SagaEvent.Replied(shorter.lastCommand().messageId(), ReplyOutcome.RETRY_LATER, null, "busy",
                    Duration.ofMillis(1)));
            assertThat(shorter.timer(WAIT)).hasValueSatisfying(t -> assertThat(t.fireAt())
                    .isBetween(at.plusMillis(200), at.plusMillis(250)));

            Driver<OrderData> beyond = atPayment();
            beyond.apply(new SagaEvent.Replied(beyond.lastCommand().messageId(), ReplyOutcome.RETRY_LATER, null, "busy",
                    PAY_GIVE_UP.multipliedBy(2)));
            assertThat(beyond.timer(WAIT)).hasValueSatisfying(t -> assertThat(t.fireAt()).isEqualTo(at.plus(PAY_GIVE_UP)));
        }

        @Test
        @DisplayName("RETRY_LATER with a retry-after on a step with a retry policy: the back-off is the longer of the two")
        void backoffHonoursRetryAfter() {
            Driver<OrderData> saga = started();
            saga.succeed();
            Decision.Command reserve = saga.lastCommand();
            saga.apply(new SagaEvent.Replied(reserve.messageId(), ReplyOutcome.RETRY_LATER, null, "busy", Duration.ofSeconds(7)));
            assertThat(saga.timer(RETRY)).hasValueSatisfying(t -> assertThat(t.fireAt()).isEqualTo(saga.now.plusSeconds(7)));
            saga.fire(RETRY);
            assertThat(saga.lastCommand().messageId()).as("the same invocation is sent again").isEqualTo(reserve.messageId());
            saga.apply(new SagaEvent.Replied(reserve.messageId(), ReplyOutcome.RETRY_LATER, null, "busy", Duration.ofMillis(1)));
            assertThat(saga.timer(RETRY)).hasValueSatisfying(t -> assertThat(t.fireAt())
                    .isEqualTo(saga.now.plus(OrderSaga.RESERVE_RETRY_DELAY)));
        }

        @Test
        @DisplayName("A failed step after the pivot is retried per its policy as a new invocation (new message id), and a later success completes")
        void retriableFailureIsNewInvocation() {
            Driver<OrderData> saga = atShipment(started());
            Decision.Command ship1 = saga.lastCommand();

            Decision refused = saga.refuse("no truck");
            assertThat(refused.commands()).isEmpty();
            assertThat(saga.status()).isEqualTo(SagaStatus.RUNNING);
            assertThat(saga.timer(RETRY)).hasValueSatisfying(t -> assertThat(t.fireAt()).isEqualTo(saga.now.plusSeconds(1)));
            saga.fire(RETRY);
            Decision.Command ship2 = saga.lastCommand();
            assertThat(ship2.step()).isEqualTo(SHIP);
            assertThat(ship2.messageId()).isNotEqualTo(ship1.messageId());

            saga.refuse("still no truck");
            assertThat(saga.timer(RETRY)).hasValueSatisfying(t -> assertThat(t.fireAt()).isEqualTo(saga.now.plusSeconds(2)));
            saga.fire(RETRY);
            assertThat(saga.lastCommand().messageId()).isNotIn(ship1.messageId(), ship2.messageId());

            saga.succeed();
            assertThat(saga.status()).isEqualTo(SagaStatus.COMPLETED);
            assertThat(saga.compensationSends()).isEmpty();
        }

        @Test
        @DisplayName("A step after the pivot whose limited retry policy runs out leaves the saga FAILED with a reason; nothing is compensated")
        void retriableExhaustedFails() {
            Driver<OrderData> saga = atShipment(Driver.start(OrderSaga.definition(Retry.exponential(3, Duration.ofSeconds(1))), OrderSaga.order()));
            saga.refuse("no truck");
            saga.fire(RETRY);
            saga.refuse("no truck");
            saga.fire(RETRY);
            saga.refuse("no truck");

            assertThat(saga.status()).isEqualTo(SagaStatus.FAILED);
            assertThat(saga.state.reason()).contains("'" + SHIP + "'", "3 attempts", "no truck");
            assertThat(saga.live).isEmpty();
            assertThat(saga.compensationSends()).isEmpty();
            assertThat(saga.sent).filteredOn(c -> c.step().equals(SHIP)).extracting(Decision.Command::messageId).doesNotHaveDuplicates().hasSize(3);
        }
    }

    @Nested
    @DisplayName("Compensation")
    class Compensation {

        @Test
        @DisplayName("When a compensatable step fails, the earlier steps are compensated and the saga ends COMPENSATED; the failed step is not compensated")
        void compensatableFailure() {
            Driver<OrderData> saga = started();
            saga.succeed();
            saga.refuse("out of stock");

            assertThat(saga.status()).isEqualTo(SagaStatus.COMPENSATING);
            assertThat(saga.lastCommand().direction()).isEqualTo(Direction.COMPENSATE);
            assertThat(saga.lastCommand().participant()).isEqualTo("order");
            assertThat(saga.lastCommand().payload()).isEqualTo(new CancelOrder("o-1"));
            saga.succeed();

            assertThat(saga.status()).isEqualTo(SagaStatus.COMPENSATED);
            assertThat(saga.compensationSends()).containsExactly(CREATE);
            assertThat(saga.count(HistoryKind.STEP_COMPENSATED, RESERVE)).isZero();
            assertThat(saga.state.reason()).contains(RESERVE, "out of stock");
            assertThat(saga.live).isEmpty();
        }

        @Test
        @DisplayName("When the pivot fails, the compensatable steps are compensated in reverse order: release the items, then cancel the order")
        void pivotFailure() {
            Driver<OrderData> saga = atPayment();
            saga.refuse("card declined");
            assertThat(saga.lastCommand().payload()).isEqualTo(new ReleaseItems("o-1", "R-1"));
            assertThat(saga.lastCommand().participant()).isEqualTo("inventory");
            saga.succeed();
            assertThat(saga.lastCommand().payload()).isEqualTo(new CancelOrder("o-1"));
            saga.succeed();

            assertThat(saga.status()).isEqualTo(SagaStatus.COMPENSATED);
            assertThat(saga.compensationSends()).containsExactly(RESERVE, CREATE);
            assertThat(saga.history).filteredOn(e -> e.kind() == HistoryKind.STEP_COMPENSATED).extracting(Decision.Entry::step)
                    .containsExactly(RESERVE, CREATE);
        }

        @Test
        @DisplayName("When every attempt of a compensatable step times out, that step is compensated too (it may have taken effect unseen), then the earlier ones")
        void timeoutsExhaustedCompensateTheStep() {
            Driver<OrderData> saga = started();
            saga.succeed();
            for (int attempt = 1; attempt < OrderSaga.RESERVE_ATTEMPTS; attempt++) {
                saga.fire(TIMEOUT);
                saga.fire(RETRY);
            }
            saga.fire(TIMEOUT);

            List<Decision.Command> reserves = saga.sent.stream()
                    .filter(c -> c.step().equals(RESERVE) && c.direction() == Direction.FORWARD).toList();
            assertThat(reserves).extracting(Decision.Command::attempt).containsExactly(1, 2, 3);
            assertThat(reserves).extracting(Decision.Command::messageId).containsOnly(reserves.get(0).messageId());
            assertThat(saga.status()).isEqualTo(SagaStatus.COMPENSATING);
            assertThat(saga.lastCommand().payload()).isEqualTo(new ReleaseItems("o-1", null));
            compensateAll(saga);
            assertThat(saga.status()).isEqualTo(SagaStatus.COMPENSATED);
            assertThat(saga.compensationSends()).containsExactly(RESERVE, CREATE);
            assertThat(saga.count(HistoryKind.STEP_COMPENSATED, RESERVE)).isOne();
        }

        @Test
        @DisplayName("When the give-up deadline passes while parked, the saga gives up at the deadline and compensates the steps before the pivot")
        void giveUpWhileParked() {
            Driver<OrderData> saga = atPayment();
            Instant parkedAt = saga.now;
            saga.busy();
            for (int i = 0; i < 1000 && (saga.status() == SagaStatus.PENDING || saga.status() == SagaStatus.RUNNING); i++) {
                saga.fire(saga.nextTimer().orElseThrow());
                if (saga.status() == SagaStatus.RUNNING) {
                    saga.busy(); // the re-send is answered: still busy
                }
            }
            assertThat(saga.now).isEqualTo(parkedAt.plus(PAY_GIVE_UP));
            assertThat(saga.historyKinds()).contains(HistoryKind.GAVE_UP);
            assertThat(saga.status()).isEqualTo(SagaStatus.COMPENSATING);
            compensateAll(saga);
            assertThat(saga.status()).isEqualTo(SagaStatus.COMPENSATED);
            assertThat(saga.compensationSends()).containsExactly(RESERVE, CREATE);
        }

        @Test
        @DisplayName("A failing compensation is retried with doubling backoff as new invocations, then the saga is FAILED for an operator")
        void compensationFailuresRetriedThenFailed() {
            Driver<OrderData> saga = atPayment();
            saga.refuse("card declined");
            List<Duration> delays = new java.util.ArrayList<>();
            for (int i = 0; i < 20 && saga.status() == SagaStatus.COMPENSATING; i++) {
                assertThat(saga.lastCommand().step()).isEqualTo(RESERVE);
                saga.refuse("inventory down");
                saga.timer(RETRY).ifPresent(t -> delays.add(Duration.between(saga.now, t.fireAt())));
                if (saga.status() == SagaStatus.COMPENSATING) {
                    saga.fire(RETRY);
                }
            }
            assertThat(delays).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4),
                    Duration.ofSeconds(8), Duration.ofSeconds(16), Duration.ofSeconds(32), Duration.ofSeconds(64));
            assertThat(saga.compensationSends()).hasSize(8).containsOnly(RESERVE);
            assertThat(saga.sent).filteredOn(c -> c.direction() == Direction.COMPENSATE).extracting(Decision.Command::messageId)
                    .doesNotHaveDuplicates();
            assertThat(saga.status()).isEqualTo(SagaStatus.FAILED);
            assertThat(saga.state.reason()).contains("compensation of step '" + RESERVE + "'", "inventory down");
            assertThat(saga.historyKinds()).contains(HistoryKind.COMPENSATION_FAILED);
            assertThat(saga.live).isEmpty();
        }

        @Test
        @DisplayName("When a compensatable step stays busy past its retry policy it is compensated too: a redelivered command may still take effect")
        void busyExhaustedCompensatesTheStep() {
            Driver<OrderData> saga = started();
            saga.succeed();
            for (int attempt = 1; attempt < OrderSaga.RESERVE_ATTEMPTS; attempt++) {
                saga.busy();
                saga.fire(RETRY);
            }
            saga.busy();
            assertThat(saga.status()).isEqualTo(SagaStatus.COMPENSATING);
            compensateAll(saga);
            assertThat(saga.status()).isEqualTo(SagaStatus.COMPENSATED);
            assertThat(saga.compensationSends()).containsExactly(RESERVE, CREATE);
        }
    }

    @Nested
    @DisplayName("Messages that change nothing")
    class Ignored {

        @Test
        @DisplayName("Duplicate replies and replies with a wrong correlation id are ignored and leave the state identical")
        void duplicatesAndStrangersIgnored() {
            Driver<OrderData> saga = started();
            Decision.Command create = saga.lastCommand();
            saga.succeed();
            SagaState before = saga.state;

            for (ReplyOutcome o : ReplyOutcome.values()) {
                Decision dup = saga.reply(create, o, null, "dup");
                assertThat(dup.ignored()).isNotNull();
                assertUnchanged(dup, before);
            }
            Decision stranger = saga.apply(new SagaEvent.Replied(Driver.ID.value() + "/" + RESERVE + "/do/7", ReplyOutcome.SUCCESS, null, null));
            assertThat(stranger.ignored()).isNotNull();
            assertUnchanged(stranger, before);
            Decision otherSaga = saga.apply(new SagaEvent.Replied("saga-2/" + RESERVE + "/do/1", ReplyOutcome.FAILURE, null, null));
            assertThat(otherSaga.ignored()).isNotNull();
            assertUnchanged(otherSaga, before);
        }

        @Test
        @DisplayName("A reply to an earlier invocation of a retried step is ignored")
        void earlierInvocationIgnored() {
            Driver<OrderData> saga = atShipment(started());
            Decision.Command ship1 = saga.lastCommand();
            saga.refuse("no truck");
            saga.fire(RETRY);
            SagaState before = saga.state;
            Decision late = saga.reply(ship1, ReplyOutcome.FAILURE, null, "no truck");
            assertThat(late.ignored()).isNotNull();
            assertUnchanged(late, before);
        }

        @Test
        @DisplayName("Replies, timers and operator actions after COMPLETED are ignored or rejected and change nothing")
        void afterTerminalIgnored() {
            Driver<OrderData> saga = started();
            saga.succeed();
            saga.fire(TIMEOUT); // leaves a stale timeout and retry behind
            saga.fire(RETRY);
            saga.succeed(new ItemsReserved("R-1"));
            saga.busy();
            saga.fire(WAIT);
            saga.succeed(new PaymentAuthorized("P-1"));
            saga.succeed();
            assertThat(saga.status()).isEqualTo(SagaStatus.COMPLETED);
            SagaState done = saga.state;

            for (Decision.Command c : List.copyOf(saga.sent)) {
                for (ReplyOutcome o : ReplyOutcome.values()) {
                    Decision d = saga.reply(c, o, null, "late");
                    assertThat(d.ignored()).isNotNull();
                    assertUnchanged(d, done);
                }
            }
            for (Decision.Timer t : List.copyOf(saga.timersSet)) {
                Decision d = saga.fire(t);
                assertThat(d.ignored()).isNotNull();
                assertUnchanged(d, done);
            }
            for (OperatorAction a : OperatorAction.values()) {
                Decision d = saga.operator(a);
                assertThat(d.rejected()).contains("COMPLETED");
                assertUnchanged(d, done);
            }
        }

        @Test
        @DisplayName("Replies and timers after COMPENSATED are ignored")
        void afterCompensatedIgnored() {
            Driver<OrderData> saga = atPayment();
            saga.refuse("declined");
            compensateAll(saga);
            assertThat(saga.status()).isEqualTo(SagaStatus.COMPENSATED);
            SagaState done = saga.state;
            for (Decision.Command c : List.copyOf(saga.sent)) {
                Decision d = saga.reply(c, ReplyOutcome.SUCCESS, null, null);
                assertThat(d.ignored()).isNotNull();
                assertUnchanged(d, done);
            }
            for (Decision.Timer t : List.copyOf(saga.timersSet)) {
                assertUnchanged(saga.fire(t), done);
            }
        }

        @Test
        @DisplayName("Stale timers (a token of an earlier attempt or step, or a timer that already fired) are ignored")
        void staleTimersIgnored() {
            Driver<OrderData> saga = started();
            Decision.Timer createTimeout = saga.timer(TIMEOUT).orElseThrow();
            saga.succeed();
            Decision.Timer timeout1 = saga.timer(TIMEOUT).orElseThrow();
            saga.fire(TIMEOUT);
            Decision.Timer retry2 = saga.timer(RETRY).orElseThrow();
            saga.fire(RETRY);
            SagaState before = saga.state;

            for (Decision.Timer stale : List.of(createTimeout, timeout1, retry2)) {
                Decision d = saga.fire(stale);
                assertThat(d.ignored()).as("%s", stale).isNotNull();
                assertUnchanged(d, before);
            }
            Decision otherKind = saga.apply(new SagaEvent.TimerFired(GIVE_UP, timeout1.token()));
            assertThat(otherKind.ignored()).isNotNull();
        }

        @Test
        @DisplayName("A GIVE_UP timer left from an earlier parking of the same step does not end a later parking early")
        void staleGiveUpFromEarlierParkingIgnored() {
            Driver<OrderData> saga = atPayment();
            saga.fire(TIMEOUT); // the pivot's outcome is now unknown; it parks
            assertThat(saga.status()).isEqualTo(SagaStatus.PENDING);
            Decision.Timer firstGiveUp = saga.timer(GIVE_UP).orElseThrow();
            for (int i = 0; i < 1000 && saga.status() != SagaStatus.FAILED; i++) {
                saga.fire(saga.nextTimer().orElseThrow()); // re-sends time out too
            }
            assertThat(saga.status()).isEqualTo(SagaStatus.FAILED);

            saga.operator(OperatorAction.RETRY);
            saga.busy();
            assertThat(saga.status()).isEqualTo(SagaStatus.PENDING);
            SagaState parked = saga.state;
            Decision stale = saga.fire(firstGiveUp);
            assertThat(stale.ignored()).isNotNull();
            assertUnchanged(stale, parked);
        }
    }

    @Nested
    @DisplayName("Operator actions")
    class Operators {

        private Driver<OrderData> failedShipment() {
            Driver<OrderData> saga = atShipment(Driver.start(OrderSaga.definition(Retry.exponential(2, Duration.ofSeconds(1))), OrderSaga.order()));
            saga.refuse("no truck");
            saga.fire(RETRY);
            saga.refuse("no truck");
            assertThat(saga.status()).isEqualTo(SagaStatus.FAILED);
            return saga;
        }

        @Test
        @DisplayName("Retry on a FAILED saga whose step was refused re-sends the command as a new invocation")
        void retryFailed() {
            Driver<OrderData> saga = failedShipment();
            Decision.Command refused = saga.lastCommand();
            Decision d = saga.operator(OperatorAction.RETRY);
            assertThat(d.changed()).isTrue();
            assertThat(saga.status()).isEqualTo(SagaStatus.RUNNING);
            assertThat(d.commands()).singleElement().satisfies(c -> {
                assertThat(c.step()).isEqualTo(SHIP);
                assertThat(c.messageId()).isNotEqualTo(refused.messageId());
            });
            assertThat(saga.timer(TIMEOUT)).isPresent();
            assertThat(d.history()).extracting(Decision.Entry::kind).contains(HistoryKind.OPERATOR_ACTION);
            saga.succeed();
            assertThat(saga.status()).isEqualTo(SagaStatus.COMPLETED);
        }

        @Test
        @DisplayName("Retry on a FAILED saga whose pivot's outcome is unknown re-sends the same invocation, so it cannot take effect twice")
        void retryUncertainPivotReusesMessageId() {
            Driver<OrderData> saga = atPayment();
            Decision.Command pay = saga.lastCommand();
            saga.fire(TIMEOUT);
            for (int i = 0; i < 1000 && saga.status() != SagaStatus.FAILED; i++) {
                saga.fire(saga.nextTimer().orElseThrow());
            }
            assertThat(saga.status()).isEqualTo(SagaStatus.FAILED);
            assertThat(saga.state.reason()).contains(PAY, "unknown");

            Decision d = saga.operator(OperatorAction.RETRY);
            assertThat(d.commands()).singleElement().satisfies(c -> assertThat(c.messageId()).isEqualTo(pay.messageId()));
            saga.succeed(new PaymentAuthorized("P-1"));
            saga.succeed();
            assertThat(saga.status()).isEqualTo(SagaStatus.COMPLETED);
        }

        @Test
        @DisplayName("Retry after a refusal that followed a timeout sends a new invocation: the refusal settled the unknown outcome")
        void retryAfterRefusalFollowingTimeout() {
            Driver<OrderData> saga = atShipment(Driver.start(OrderSaga.definition(Retry.exponential(2, Duration.ofSeconds(1))), OrderSaga.order()));
            Decision.Command ship = saga.lastCommand();
            saga.fire(TIMEOUT);
            saga.fire(RETRY);
            assertThat(saga.lastCommand().messageId()).isEqualTo(ship.messageId());
            saga.refuse("no truck");
            assertThat(saga.status()).isEqualTo(SagaStatus.FAILED);

            Decision d = saga.operator(OperatorAction.RETRY);
            assertThat(d.commands()).singleElement().satisfies(c -> assertThat(c.messageId()).isNotEqualTo(ship.messageId()));
        }

        @Test
        @DisplayName("A compensation whose retries timed out is retried by the operator as the same invocation")
        void retryTimedOutCompensationReusesMessageId() {
            Driver<OrderData> saga = atPayment();
            saga.refuse("declined");
            Decision.Command release = saga.lastCommand();
            for (int i = 0; i < 20 && saga.status() == SagaStatus.COMPENSATING; i++) {
                saga.fire(saga.nextTimer().orElseThrow());
            }
            assertThat(saga.status()).isEqualTo(SagaStatus.FAILED);
            assertThat(saga.state.reason()).contains("compensation of step '" + RESERVE + "'", "timed out");
            Decision d = saga.operator(OperatorAction.RETRY);
            assertThat(saga.status()).isEqualTo(SagaStatus.COMPENSATING);
            assertThat(d.commands()).singleElement().satisfies(c -> assertThat(c.messageId()).isEqualTo(release.messageId()));
        }

        @Test
        @DisplayName("The FAILED reason of a pivot with an unknown outcome offers only actions that apply: abort is rejected")
        void uncertainPivotReasonOffersOnlyApplicableActions() {
            Driver<OrderData> saga = atPayment();
            saga.fire(TIMEOUT);
            for (int i = 0; i < 1000 && saga.status() != SagaStatus.FAILED; i++) {
                saga.fire(saga.nextTimer().orElseThrow());
            }
            String reason = saga.state.reason();
            Decision abort = saga.operator(OperatorAction.ABORT);
            assertThat(abort.rejected()).contains(PAY);
            assertThat(reason).contains("retry", "skip").doesNotContain("abort");
        }

        @Test
        @DisplayName("Resume on a PENDING saga re-sends the same invocation now; the give-up deadline still stands")
        void resumePending() {
            Driver<OrderData> saga = atPayment();
            Decision.Command pay = saga.lastCommand();
            Instant parkedAt = saga.now;
            saga.busy();
            Decision.Timer giveUp = saga.timer(GIVE_UP).orElseThrow();
            saga.now = saga.now.plusSeconds(3);

            Decision d = saga.operator(OperatorAction.RESUME);
            assertThat(saga.status()).isEqualTo(SagaStatus.RUNNING);
            assertThat(d.commands()).singleElement().satisfies(c -> {
                assertThat(c.messageId()).isEqualTo(pay.messageId());
                assertThat(c.attempt()).isEqualTo(2);
            });
            assertThat(saga.timer(RETRY)).isEmpty();
            assertThat(saga.timer(TIMEOUT)).hasValueSatisfying(t -> assertThat(t.fireAt()).isEqualTo(saga.now.plus(OrderSaga.DEFAULT_TIMEOUT)));
            assertThat(saga.timer(GIVE_UP)).as("give-up timer after resume").contains(giveUp);

            saga.busy(); // parks again
            assertThat(saga.status()).isEqualTo(SagaStatus.PENDING);
            assertThat(saga.timer(GIVE_UP)).as("give-up timer after parking again").hasValueSatisfying(
                    t -> assertThat(t.fireAt()).isEqualTo(parkedAt.plus(PAY_GIVE_UP)));
        }

        @Test
        @DisplayName("Skip on a FAILED step moves on as if it had succeeded")
        void skipFailed() {
            Driver<OrderData> saga = failedShipment();
            Decision d = saga.operator(OperatorAction.SKIP);
            assertThat(d.changed()).isTrue();
            assertThat(saga.status()).isEqualTo(SagaStatus.COMPLETED);
            assertThat(saga.live).isEmpty();
        }

        @Test
        @DisplayName("Skip on a FAILED compensation moves on to the next compensation")
        void skipFailedCompensation() {
            Driver<OrderData> saga = atPayment();
            saga.refuse("declined");
            for (int i = 0; i < 20 && saga.status() == SagaStatus.COMPENSATING; i++) {
                saga.refuse("inventory down");
                if (saga.status() == SagaStatus.COMPENSATING) {
                    saga.fire(RETRY);
                }
            }
            assertThat(saga.status()).isEqualTo(SagaStatus.FAILED);
            saga.operator(OperatorAction.SKIP);
            assertThat(saga.status()).isEqualTo(SagaStatus.COMPENSATING);
            assertThat(saga.lastCommand().payload()).isEqualTo(new CancelOrder("o-1"));
            saga.succeed();
            assertThat(saga.status()).isEqualTo(SagaStatus.COMPENSATED);
        }

        @Test
        @DisplayName("Abort before the pivot compensates what was done, including the step whose command is in flight")
        void abortBeforePivot() {
            Driver<OrderData> saga = started();
            saga.succeed();
            Decision d = saga.operator(OperatorAction.ABORT);
            assertThat(d.changed()).isTrue();
            assertThat(saga.status()).isEqualTo(SagaStatus.COMPENSATING);
            assertThat(saga.state.reason()).contains("aborted by alice");
            compensateAll(saga);
            assertThat(saga.status()).isEqualTo(SagaStatus.COMPENSATED);
            assertThat(saga.compensationSends()).containsExactly(RESERVE, CREATE);
        }

        @Test
        @DisplayName("Abort of a saga parked on a busy pivot compensates the steps before it")
        void abortParkedPivot() {
            Driver<OrderData> saga = atPayment();
            saga.busy();
            saga.operator(OperatorAction.ABORT);
            assertThat(saga.live).doesNotContainKey(GIVE_UP);
            compensateAll(saga);
            assertThat(saga.status()).isEqualTo(SagaStatus.COMPENSATED);
            assertThat(saga.compensationSends()).containsExactly(RESERVE, CREATE);
        }

        @Test
        @DisplayName("Abort during a busy step's backoff compensates that step too: a redelivered command may still take effect")
        void abortDuringBackoffIncludesStep() {
            Driver<OrderData> saga = started();
            saga.succeed();
            saga.busy();
            assertThat(saga.timer(RETRY)).isPresent();
            saga.operator(OperatorAction.ABORT);
            compensateAll(saga);
            assertThat(saga.compensationSends()).containsExactly(RESERVE, CREATE);
        }

        @Test
        @DisplayName("Abort after the pivot, or while the pivot's command is out, is rejected with a readable reason")
        void abortAfterPivotRejected() {
            Driver<OrderData> saga = atPayment();
            SagaState before = saga.state;
            Decision inFlight = saga.operator(OperatorAction.ABORT);
            assertThat(inFlight.rejected()).contains("pivot", PAY);
            assertUnchanged(inFlight, before);

            saga.succeed(new PaymentAuthorized("P-1"));
            before = saga.state;
            Decision after = saga.operator(OperatorAction.ABORT);
            assertThat(after.rejected()).contains("pivot", SHIP);
            assertUnchanged(after, before);
        }

        @Test
        @DisplayName("Retry on a COMPLETED saga is rejected; retry and resume on a RUNNING saga are rejected")
        void inapplicableActionsRejected() {
            Driver<OrderData> saga = started();
            SagaState running = saga.state;
            Decision retry = saga.operator(OperatorAction.RETRY);
            assertThat(retry.rejected()).contains("FAILED", "RUNNING");
            assertUnchanged(retry, running);
            Decision resume = saga.operator(OperatorAction.RESUME);
            assertThat(resume.rejected()).contains("PENDING", "RUNNING");
            Decision skip = saga.operator(OperatorAction.SKIP);
            assertThat(skip.rejected()).contains("RUNNING");

            saga.succeed();
            saga.succeed(new ItemsReserved("R-1"));
            saga.succeed(new PaymentAuthorized("P-1"));
            saga.succeed();
            Decision late = saga.operator(OperatorAction.RETRY);
            assertThat(late.rejected()).contains("COMPLETED", "final");
            assertUnchanged(late, saga.state);
        }
    }

    @Nested
    @DisplayName("User code that throws")
    class Throwing {

        @Test
        @DisplayName("A command builder that throws makes the saga FAILED with a reason naming the step, and sends nothing")
        void builderThrows() {
            Driver<OrderData> saga = started();
            saga.succeed();
            saga.succeed(new ItemsReserved("R-1"));
            int sentBefore = saga.sent.size();
            Decision d = saga.succeed(new PaymentAuthorized(BOOM));
            assertThat(saga.status()).isEqualTo(SagaStatus.FAILED);
            assertThat(saga.state.reason()).contains("'" + SHIP + "'", "IllegalArgumentException", "(error id ")
                    .doesNotContain("no shipment for payment boom"); // a message may hold personal data: it is logged
            assertThat(d.errors()).singleElement().satisfies(e -> assertThat(saga.state.reason()).contains(e.id()));
            assertThat(d.commands()).isEmpty();
            assertThat(saga.sent).hasSize(sentBefore);
            assertThat(saga.live).isEmpty();
        }

        @Test
        @DisplayName("An onReply that throws makes the saga FAILED with a reason naming the step")
        void onReplyThrows() {
            Driver<OrderData> saga = started();
            saga.succeed();
            Decision d = saga.succeed(new ItemsReserved(UNREADABLE));
            assertThat(saga.status()).isEqualTo(SagaStatus.FAILED);
            assertThat(saga.state.reason()).contains("onReply of step '" + RESERVE + "'", "IllegalStateException");
            assertThat(d.commands()).isEmpty();
            assertThat(saga.live).isEmpty();
        }

        @Test
        @DisplayName("After an onReply threw, abort compensates that step (it took effect) and retry re-sends the same invocation (so it does not run twice)")
        void afterOnReplyThrew() {
            Driver<OrderData> saga = started();
            saga.succeed();
            Decision.Command reserve = saga.lastCommand();
            saga.succeed(new ItemsReserved(UNREADABLE));

            Decision retry = saga.operator(OperatorAction.RETRY);
            assertThat(retry.commands()).singleElement().satisfies(c -> assertThat(c.messageId()).isEqualTo(reserve.messageId()));
            saga.succeed(new ItemsReserved(UNREADABLE)); // the participant answers from its record; the handler still throws
            assertThat(saga.status()).isEqualTo(SagaStatus.FAILED);

            saga.operator(OperatorAction.ABORT);
            compensateAll(saga);
            assertThat(saga.status()).isEqualTo(SagaStatus.COMPENSATED);
            assertThat(saga.compensationSends()).containsExactly(RESERVE, CREATE);
        }
    }

    @Nested
    @DisplayName("ERROR: the participant's handler failed (nothing took effect)")
    class Errors {

        @Test
        @DisplayName("on a step with a retry policy: the same invocation is re-sent after the back-off, then attempts run out and the saga compensates")
        void retriedThenCompensated() {
            Driver<OrderData> saga = started();
            saga.succeed();
            Decision.Command reserve = saga.lastCommand();
            for (int attempt = 1; attempt < OrderSaga.RESERVE_ATTEMPTS; attempt++) {
                saga.reply(saga.lastCommand(), ReplyOutcome.ERROR, null, "NullPointerException (error id e-1)");
                assertThat(saga.status()).isEqualTo(SagaStatus.RUNNING);
                assertThat(saga.timer(RETRY)).hasValueSatisfying(t -> assertThat(t.fireAt())
                        .isEqualTo(saga.now.plus(OrderSaga.RESERVE_RETRY_DELAY)));
                assertThat(saga.history).last().satisfies(e -> {
                    assertThat(e.kind()).isEqualTo(HistoryKind.RETRY_SCHEDULED);
                    assertThat(e.detail()).startsWith("error: NullPointerException");
                });
                saga.fire(RETRY);
                assertThat(saga.lastCommand().messageId()).as("the same invocation").isEqualTo(reserve.messageId());
                assertThat(saga.lastCommand().attempt()).isEqualTo(attempt + 1);
            }
            saga.reply(saga.lastCommand(), ReplyOutcome.ERROR, null, "NullPointerException (error id e-1)");
            assertThat(saga.status()).isEqualTo(SagaStatus.COMPENSATING);
            assertThat(saga.state.reason()).contains("step '" + RESERVE + "' gave up after " + OrderSaga.RESERVE_ATTEMPTS
                    + " attempts (error: NullPointerException");
            compensateAll(saga);
            assertThat(saga.status()).isEqualTo(SagaStatus.COMPENSATED);
            assertThat(saga.compensationSends()).as("the step itself too: a redelivery may still take effect")
                    .containsExactly(RESERVE, CREATE);
        }

        @Test
        @DisplayName("on the pivot with whenBusy: parks in its pending state as a busy answer would, and the re-send goes out after the park interval")
        void pivotParks() {
            Driver<OrderData> saga = atPayment();
            Decision.Command pay = saga.lastCommand();
            saga.reply(pay, ReplyOutcome.ERROR, null, "card processor client threw");
            assertThat(saga.status()).isEqualTo(SagaStatus.PENDING);
            assertThat(saga.state.pendingState()).isEqualTo(PENDING_PAYMENT);
            assertThat(saga.state.reason()).isEqualTo("error: card processor client threw");
            assertThat(saga.timer(GIVE_UP)).isPresent();
            saga.fire(WAIT);
            assertThat(saga.lastCommand().messageId()).isEqualTo(pay.messageId());
            assertThat(saga.status()).isEqualTo(SagaStatus.RUNNING);
        }

        @Test
        @DisplayName("a late ERROR while parked changes nothing (the park's own schedule re-sends)")
        void ignoredWhileParked() {
            Driver<OrderData> saga = atPayment();
            Decision.Command pay = saga.lastCommand();
            saga.busy();
            SagaState parked = saga.state;
            assertUnchanged(saga.reply(pay, ReplyOutcome.ERROR, null, "late"), parked);
        }

        @Test
        @DisplayName("on the first step (no retry policy, no whenBusy): compensates at once, that step included")
        void firstStepCompensates() {
            Driver<OrderData> saga = started();
            saga.reply(saga.lastCommand(), ReplyOutcome.ERROR, null, "boom");
            assertThat(saga.status()).isEqualTo(SagaStatus.COMPENSATING);
            assertThat(saga.lastCommand().payload()).isEqualTo(new CancelOrder("o-1"));
            saga.succeed();
            assertThat(saga.status()).isEqualTo(SagaStatus.COMPENSATED);
        }

        @Test
        @DisplayName("on a compensation: the same undo is re-sent per the compensation's retry policy, the reason says error")
        void compensationRetried() {
            Driver<OrderData> later = started();
            later.succeed();
            later.refuse("out of stock");
            assertThat(later.status()).isEqualTo(SagaStatus.COMPENSATING);
            Decision.Command undo = later.lastCommand();
            later.reply(undo, ReplyOutcome.ERROR, null, "db constraint");
            assertThat(later.status()).isEqualTo(SagaStatus.COMPENSATING);
            assertThat(later.history).last().satisfies(e -> assertThat(e.detail()).startsWith("error: db constraint"));
            later.fire(RETRY);
            assertThat(later.lastCommand().messageId()).isEqualTo(undo.messageId());
        }
    }

    @Test
    @DisplayName("A single RETRY_LATER on the first step (no retry policy, no whenBusy) gives up and compensates that step")
    void busyFirstStepCompensatesIt() {
        Driver<OrderData> saga = started();
        saga.busy();
        assertThat(saga.status()).isEqualTo(SagaStatus.COMPENSATING);
        assertThat(saga.lastCommand().payload()).isEqualTo(new CancelOrder("o-1"));
        saga.succeed();
        assertThat(saga.status()).isEqualTo(SagaStatus.COMPENSATED);
    }

    @Test
    @DisplayName("After the pivot's onReply threw, abort is rejected: the payment took effect")
    void afterPivotOnReplyThrewAbortRejected() {
        Driver<OrderData> saga = atPayment();
        saga.succeed(new PaymentAuthorized(UNREADABLE));
        assertThat(saga.status()).isEqualTo(SagaStatus.FAILED);
        assertThat(saga.state.reason()).contains("onReply of step '" + PAY + "'");
        assertThat(saga.operator(OperatorAction.ABORT).rejected()).contains(PAY);
    }

    @Test
    @DisplayName("The message id is stable per invocation and the timer token per attempt")
    void idsAndTokens() {
        Execution.Cursor c = Execution.Cursor.first(RESERVE, Direction.FORWARD);
        assertThat(StateMachine.messageId(Driver.ID, c)).isEqualTo("saga-1/reserve-inventory/do/1");
        assertThat(StateMachine.messageId(Driver.ID, c.nextAttempt())).isEqualTo(StateMachine.messageId(Driver.ID, c));
        assertThat(StateMachine.messageId(Driver.ID, c.newExecution())).isEqualTo("saga-1/reserve-inventory/do/2");
        assertThat(StateMachine.token(Driver.ID, c.nextAttempt())).isNotEqualTo(StateMachine.token(Driver.ID, c));
        assertThat(StateMachine.messageId(Driver.ID, Execution.Cursor.first(RESERVE, Direction.COMPENSATE))).isEqualTo("saga-1/reserve-inventory/undo/1");
        assertThat(TimerKind.values()).hasSize(4);
    }
}
