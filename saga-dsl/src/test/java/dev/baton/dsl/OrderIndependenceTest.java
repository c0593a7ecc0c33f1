package dev.baton.dsl;

import static dev.baton.dsl.Orders.INVENTORY;
import static dev.baton.dsl.Orders.NEW_ORDER;
import static dev.baton.dsl.Orders.ORDERS;
import static dev.baton.dsl.Orders.PAYMENT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.baton.dsl.Orders.AuthorizePayment;
import dev.baton.dsl.Orders.CancelOrder;
import dev.baton.dsl.Orders.CreateOrder;
import dev.baton.dsl.Orders.ItemsReserved;
import dev.baton.dsl.Orders.OrderData;
import dev.baton.dsl.Orders.PaymentAuthorized;
import dev.baton.dsl.Orders.ReleaseItems;
import dev.baton.dsl.Orders.ReserveItems;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The options of a step may come in any order (A3, S8): every permutation must build the same definition,
 * and an invalid combination must be reported the same way whatever the order.
 */
class OrderIndependenceTest {

    /** Everything build() decides about a step, in comparable form. */
    record StepSummary(String key, int index, StepKind kind, Participant<?> participant, Object command,
                       Duration timeout, Retry retry, Retry compensationRetry, Optional<Park> park,
                       boolean hasCompensation, Optional<Participant<?>> compensationParticipant, Object compensationCommand,
                       Map<String, Class<?>> replyTypes, List<OrderData> afterReplies) {

        static StepSummary of(StepDefinition<OrderData> s) {
            List<OrderData> after = new ArrayList<>();
            for (Object reply : List.of(new ItemsReserved("r-1"), new PaymentAuthorized("p-1"), "unrelated")) {
                after.add(s.applyReply(NEW_ORDER, reply));
            }
            return new StepSummary(s.key(), s.index(), s.kind(), s.participant(), s.command(NEW_ORDER), s.timeout(),
                    s.retry(), s.compensationRetry(), s.park(), s.hasCompensation(), s.compensationParticipant(),
                    s.hasCompensation() ? s.compensationCommand(NEW_ORDER) : null, s.replyTypes(), after);
        }
    }

    static List<StepSummary> summary(SagaDefinition<OrderData> def) {
        return def.steps().stream().map(StepSummary::of).toList();
    }

    /** All orderings of {@code items}. */
    static <T> List<List<T>> permutations(List<T> items) {
        if (items.isEmpty()) {
            return List.of(List.of());
        }
        List<List<T>> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            List<T> rest = new ArrayList<>(items);
            T head = rest.remove(i);
            for (List<T> tail : permutations(rest)) {
                List<T> p = new ArrayList<>();
                p.add(head);
                p.addAll(tail);
                out.add(p);
            }
        }
        return out;
    }

    static StepBuilder<OrderData> apply(StepBuilder<OrderData> b, List<UnaryOperator<StepBuilder<OrderData>>> options) {
        for (UnaryOperator<StepBuilder<OrderData>> o : options) {
            b = o.apply(b);
        }
        return b;
    }

    /** The options of reserve-inventory, a compensatable step that sets everything a step can set but pivot(). */
    static final List<UnaryOperator<StepBuilder<OrderData>>> RESERVE_OPTIONS = List.of(
            b -> b.onReply(ItemsReserved.class, (d, r) -> d.withReservation(r.reservationId())),
            b -> b.compensate(INVENTORY, d -> new ReleaseItems(d.reservationId())),
            b -> b.timeout(Duration.ofSeconds(5)),
            b -> b.retry(Retry.exponential(3, Duration.ofMillis(200))),
            b -> b.compensationRetry(Retry.fixed(4, Duration.ofSeconds(2))),
            b -> b.whenBusy(Park.as("PENDING_STOCK")));

    /** The options of authorize-payment, the pivot. */
    static final List<UnaryOperator<StepBuilder<OrderData>>> PIVOT_OPTIONS = List.of(
            b -> b.onReply(PaymentAuthorized.class, (d, r) -> d.withPayment(r.paymentId())),
            b -> b.whenBusy(Orders.PENDING_PAYMENT),
            b -> b.timeout(Duration.ofSeconds(9)),
            StepBuilder::pivot);

    static SagaDefinition<OrderData> build(List<UnaryOperator<StepBuilder<OrderData>>> reserveOptions,
                                           List<UnaryOperator<StepBuilder<OrderData>>> pivotOptions) {
        StepBuilder<OrderData> b = Saga.define("order-flow", OrderData.class)
                .step("create-order").invoke(ORDERS, d -> new CreateOrder(d.orderId(), d.customerId()))
                        .compensate(ORDERS, d -> new CancelOrder(d.orderId()));
        b = apply(b.step("reserve-inventory").invoke(INVENTORY, d -> new ReserveItems(d.orderId())), reserveOptions);
        b = apply(b.step("authorize-payment").invoke(PAYMENT, d -> new AuthorizePayment(d.orderId(), d.amountCents())),
                pivotOptions);
        return b.build();
    }

    @Test
    void everyOrderOfTheStepOptionsBuildsTheSameDefinition() {
        List<StepSummary> reference = summary(build(RESERVE_OPTIONS, PIVOT_OPTIONS));
        // sanity: the reference really carries every option, so a dropped option would show as a difference
        StepSummary reserve = reference.get(1);
        assertThat(reserve.timeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(reserve.retry()).isEqualTo(Retry.exponential(3, Duration.ofMillis(200)));
        assertThat(reserve.compensationRetry()).isEqualTo(Retry.fixed(4, Duration.ofSeconds(2)));
        assertThat(reserve.park()).contains(Park.as("PENDING_STOCK"));
        assertThat(reserve.compensationCommand()).isEqualTo(new ReleaseItems(null));
        assertThat(reserve.afterReplies()).containsExactly(NEW_ORDER.withReservation("r-1"), NEW_ORDER, NEW_ORDER);
        assertThat(reference.get(2).kind()).isEqualTo(StepKind.PIVOT);
        assertThat(reference.get(2).afterReplies()).containsExactly(NEW_ORDER, NEW_ORDER.withPayment("p-1"), NEW_ORDER);

        List<List<UnaryOperator<StepBuilder<OrderData>>>> reserveOrders = permutations(RESERVE_OPTIONS);
        List<List<UnaryOperator<StepBuilder<OrderData>>>> pivotOrders = permutations(PIVOT_OPTIONS);
        assertThat(reserveOrders).hasSize(720);
        assertThat(pivotOrders).hasSize(24);

        for (int i = 0; i < reserveOrders.size(); i++) {
            // each reserve order meets a different pivot order, so both sets are covered in full
            SagaDefinition<OrderData> def = build(reserveOrders.get(i), pivotOrders.get(i % pivotOrders.size()));
            assertThat(summary(def)).as("permutation %d", i).isEqualTo(reference);
        }
    }

    @Test
    void onReplyAttachesToTheForwardCommandWhetherItComesBeforeOrAfterCompensate() {
        SagaDefinition<OrderData> before = build(List.of(RESERVE_OPTIONS.get(0), RESERVE_OPTIONS.get(1)), List.of(StepBuilder::pivot));
        SagaDefinition<OrderData> after = build(List.of(RESERVE_OPTIONS.get(1), RESERVE_OPTIONS.get(0)),
                List.of(StepBuilder::pivot));

        for (SagaDefinition<OrderData> def : List.of(before, after)) {
            StepDefinition<OrderData> s = def.step("reserve-inventory").orElseThrow();
            assertThat(s.replyTypes()).containsOnlyKeys("ItemsReserved");
            assertThat(s.applyReply(NEW_ORDER, new ItemsReserved("r-1")).reservationId()).isEqualTo("r-1");
        }
    }

    @Test
    void theSameProblemsAreReportedWhateverTheOrder() {
        // a pivot with a compensation and a non-positive timeout: two problems, in every order
        List<UnaryOperator<StepBuilder<OrderData>>> badPivot = List.of(
                StepBuilder::pivot,
                b -> b.compensate(PAYMENT, d -> new AuthorizePayment(d.orderId(), 0)),
                b -> b.timeout(Duration.ZERO),
                b -> b.whenBusy(Park.as("PENDING_PAYMENT")));
        Set<List<String>> reported = new HashSet<>();
        for (List<UnaryOperator<StepBuilder<OrderData>>> order : permutations(badPivot)) {
            InvalidSagaDefinitionException e = catchThrowableOfType(InvalidSagaDefinitionException.class,
                    () -> build(RESERVE_OPTIONS, order));
            assertThat(e).isNotNull();
            reported.add(e.problems());
        }
        assertThat(reported).singleElement().satisfies(problems -> assertThat(problems).hasSize(2));
    }
}
