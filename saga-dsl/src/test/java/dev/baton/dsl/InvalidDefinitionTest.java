package dev.baton.dsl;

import static dev.baton.dsl.Orders.INVENTORY;
import static dev.baton.dsl.Orders.LOGISTICS;
import static dev.baton.dsl.Orders.ORDERS;
import static dev.baton.dsl.Orders.PAYMENT;
import static dev.baton.dsl.Orders.SHIPMENT_RETRY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.baton.dsl.Orders.AuthorizePayment;
import dev.baton.dsl.Orders.CancelOrder;
import dev.baton.dsl.Orders.CreateOrder;
import dev.baton.dsl.Orders.ItemsReserved;
import dev.baton.dsl.Orders.OrderCommand;
import dev.baton.dsl.Orders.OrderData;
import dev.baton.dsl.Orders.ReleaseItems;
import dev.baton.dsl.Orders.ReserveItems;
import dev.baton.dsl.Orders.ScheduleShipment;
import java.time.Duration;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each invalid definition is reported by build() with the saga, the step (key and index) and the fix. The
 * texts are asserted exactly: they are the user interface of the DSL.
 */
class InvalidDefinitionTest {
    private static final Function<OrderData, CreateOrder> CREATE = d -> new CreateOrder(d.orderId(), d.customerId());
    private static final Function<OrderData, CancelOrder> CANCEL = d -> new CancelOrder(d.orderId());
    private static final Function<OrderData, ReserveItems> RESERVE = d -> new ReserveItems(d.orderId());
    private static final Function<OrderData, ReleaseItems> RELEASE = d -> new ReleaseItems(d.reservationId());
    private static final Function<OrderData, AuthorizePayment> AUTHORIZE = d -> new AuthorizePayment(d.orderId(), d.amountCents());
    private static final Function<OrderData, ScheduleShipment> SHIP = d -> new ScheduleShipment(d.orderId());
    private static final BiFunction<OrderData, ItemsReserved, OrderData> RESERVED = (d, r) -> d.withReservation(r.reservationId());

    private static final String FIX_COMPENSATION = "add .compensate(participant, data -> undoCommand) or, if it changes"
            + " nothing, .noCompensation()";
    private static final String FIX_RETRY = "add a retry policy such as"
            + " .retry(Retry.forever(Duration.ofSeconds(1), Duration.ofMinutes(1)))";

    private static SagaBuilder<OrderData> checkout() {
        return Saga.define("checkout", OrderData.class);
    }

    /** A valid, compensated first step to build invalid sagas on. */
    private static StepBuilder<OrderData> createOrder() {
        return checkout().step("create-order").invoke(ORDERS, CREATE).compensate(ORDERS, CANCEL);
    }

    private static InvalidSagaDefinitionException invalid(Supplier<? extends SagaDefinition<?>> build) {
        InvalidSagaDefinitionException e = catchThrowableOfType(InvalidSagaDefinitionException.class, build::get);
        assertThat(e).as("build() should have thrown InvalidSagaDefinitionException").isNotNull();
        return e;
    }

    /** Asserts that building fails with exactly this one problem, rendered under the saga's name. */
    private static void assertOnlyProblem(Supplier<? extends SagaDefinition<?>> build, String problem) {
        InvalidSagaDefinitionException e = invalid(build);
        assertThat(e.sagaType()).isEqualTo("checkout");
        assertThat(e.problems()).containsExactly(problem);
        assertThat(e).hasMessage("saga 'checkout' has 1 problem:\n  - " + problem);
    }

    // ---- compensations and the pivot ----

    @Test
    void aStepBeforeThePivotWithoutCompensation() {
        assertOnlyProblem(() -> checkout()
                        .step("create-order").invoke(ORDERS, CREATE)
                        .step("authorize-payment").invoke(PAYMENT, AUTHORIZE).pivot()
                        .build(),
                "step 'create-order' (steps[0]): runs before the pivot, so a later failure must undo it; " + FIX_COMPENSATION);
    }

    @Test
    void aStepWithoutCompensationInASagaWithoutPivot() {
        assertOnlyProblem(() -> createOrder()
                        .step("reserve-inventory").invoke(INVENTORY, RESERVE)
                        .build(),
                "step 'reserve-inventory' (steps[1]): runs before the pivot, so a later failure must undo it; " + FIX_COMPENSATION);
    }

    @Test
    void compensationOnThePivot() {
        assertOnlyProblem(() -> createOrder()
                        .step("authorize-payment").invoke(PAYMENT, AUTHORIZE)
                                .compensate(PAYMENT, AUTHORIZE).pivot()
                        .build(),
                "step 'authorize-payment' (steps[1]): is the pivot, the point of no return, so its compensation would"
                        + " never run; remove .compensate(...) or move pivot() to a later step");
    }

    @Test
    void compensationAfterThePivot() {
        assertOnlyProblem(() -> createOrder()
                        .step("authorize-payment").invoke(PAYMENT, AUTHORIZE).pivot()
                        .step("schedule-shipment").invoke(LOGISTICS, SHIP).retry(SHIPMENT_RETRY)
                                .compensate(LOGISTICS, SHIP)
                        .build(),
                "step 'schedule-shipment' (steps[2]): comes after the pivot (authorize-payment), so it is never"
                        + " compensated; remove .compensate(...) or move pivot() to a step after this one");
    }

    @Test
    void noCompensationAfterThePivot() {
        assertOnlyProblem(() -> createOrder()
                        .step("authorize-payment").invoke(PAYMENT, AUTHORIZE).pivot()
                        .step("schedule-shipment").invoke(LOGISTICS, SHIP).retry(SHIPMENT_RETRY).noCompensation()
                        .build(),
                "step 'schedule-shipment' (steps[2]): comes after the pivot (authorize-payment), so it is never"
                        + " compensated; remove .noCompensation() or move pivot() to a step after this one");
    }

    @Test
    void aStepAfterThePivotWithoutRetry() {
        assertOnlyProblem(() -> createOrder()
                        .step("authorize-payment").invoke(PAYMENT, AUTHORIZE).pivot()
                        .step("schedule-shipment").invoke(LOGISTICS, SHIP)
                        .build(),
                "step 'schedule-shipment' (steps[2]): comes after the pivot, so it must eventually succeed, but it has"
                        + " no retry policy; " + FIX_RETRY);
    }

    @Test
    void aStepAfterThePivotWithRetryNone() {
        assertOnlyProblem(() -> createOrder()
                        .step("authorize-payment").invoke(PAYMENT, AUTHORIZE).pivot()
                        .step("schedule-shipment").invoke(LOGISTICS, SHIP).retry(Retry.none())
                        .build(),
                "step 'schedule-shipment' (steps[2]): comes after the pivot, so it must eventually succeed, but its"
                        + " retry Retry.none() never retries; " + FIX_RETRY);
    }

    @Test
    void aStepAfterThePivotWithASingleAttemptPolicy() {
        assertOnlyProblem(() -> createOrder()
                        .step("authorize-payment").invoke(PAYMENT, AUTHORIZE).pivot()
                        .step("schedule-shipment").invoke(LOGISTICS, SHIP).retry(Retry.fixed(1, Duration.ofSeconds(1)))
                        .build(),
                "step 'schedule-shipment' (steps[2]): comes after the pivot, so it must eventually succeed, but its"
                        + " retry Fixed[maxAttempts=1, delay=PT1S] never retries; " + FIX_RETRY);
    }

    @Test
    void twoPivots() {
        assertOnlyProblem(() -> createOrder()
                        .step("authorize-payment").invoke(PAYMENT, AUTHORIZE).pivot()
                        .step("schedule-shipment").invoke(LOGISTICS, SHIP).retry(SHIPMENT_RETRY).pivot()
                        .build(),
                "step 'schedule-shipment' (steps[2]): is marked pivot() but step 'authorize-payment' (steps[1]) already"
                        + " is; a saga has at most one pivot, so remove one of the pivot() calls");
    }

    @Test
    void pivotTwiceOnOneStep() {
        assertOnlyProblem(() -> createOrder()
                        .step("authorize-payment").invoke(PAYMENT, AUTHORIZE).pivot().pivot()
                        .build(),
                "step 'authorize-payment' (steps[1]): pivot() was called twice; call it once");
    }

    @Test
    void compensateAndNoCompensationBoth() {
        String problem = "step 'create-order' (steps[0]): has both compensate(...) and noCompensation(); keep one";
        assertOnlyProblem(() -> checkout().step("create-order").invoke(ORDERS, CREATE)
                .compensate(ORDERS, CANCEL).noCompensation().build(), problem);
        assertOnlyProblem(() -> checkout().step("create-order").invoke(ORDERS, CREATE)
                .noCompensation().compensate(ORDERS, CANCEL).build(), problem);
    }

    @Test
    void compensateTwice() {
        assertOnlyProblem(() -> createOrder().compensate(ORDERS, CANCEL).build(),
                "step 'create-order' (steps[0]): compensate(...) was declared twice; declare it once");
    }

    @Test
    void noCompensationTwice() {
        assertOnlyProblem(() -> checkout().step("create-order").invoke(ORDERS, CREATE)
                        .noCompensation().noCompensation().build(),
                "step 'create-order' (steps[0]): noCompensation() was called twice; call it once");
    }

    @Test
    void compensationRetryWithoutCompensation() {
        assertOnlyProblem(() -> checkout().step("create-order").invoke(ORDERS, CREATE).noCompensation()
                        .compensationRetry(Retry.fixed(3, Duration.ofSeconds(1)))
                        .build(),
                "step 'create-order' (steps[0]): has compensationRetry(...) but no compensation, so the policy would"
                        + " never be used; remove it or add .compensate(...)");
    }

    @Test
    void compensationRetryOnThePivotDoesNotSuggestAddingACompensation() {
        assertOnlyProblem(() -> createOrder()
                        .step("authorize-payment").invoke(PAYMENT, AUTHORIZE).pivot()
                                .compensationRetry(Retry.fixed(3, Duration.ofSeconds(1)))
                        .build(),
                "step 'authorize-payment' (steps[1]): has compensationRetry(...) but no compensation, so the policy"
                        + " would never be used; remove it (steps from the pivot on are never compensated)");
    }

    // ---- keys ----

    @Test
    void duplicateStepKeys() {
        assertOnlyProblem(() -> createOrder()
                        .step("reserve-inventory").invoke(INVENTORY, RESERVE).compensate(INVENTORY, RELEASE)
                        .step("create-order").invoke(ORDERS, CREATE).compensate(ORDERS, CANCEL)
                        .build(),
                "step 'create-order' (steps[2]): key duplicates steps[0]; step keys are the stable identity of a step"
                        + " and must be unique, so rename one of them");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "   ", "reserve inventory", " reserve", "-reserve", ".reserve", "reserve/items",
            "réserver", "tab\tkey"})
    void badStepKey(String key) {
        assertOnlyProblem(() -> createOrder().step(key).invoke(INVENTORY, RESERVE).compensate(INVENTORY, RELEASE).build(),
                "step '" + key + "' (steps[1]): key must be 1 to 100 letters, digits, '.', '_' or '-', starting with a"
                        + " letter or digit, so it can be stored and sent; use a key such as 'reserve-inventory'");
    }

    @Test
    void nullStepKey() {
        assertOnlyProblem(() -> checkout().step(null).invoke(ORDERS, CREATE).compensate(ORDERS, CANCEL).build(),
                "step 'null' (steps[0]): key must be 1 to 100 letters, digits, '.', '_' or '-', starting with a"
                        + " letter or digit, so it can be stored and sent; use a key such as 'reserve-inventory'");
    }

    @Test
    void stepKeysUpTo100CharactersOfTheAllowedAlphabetAreAccepted() {
        String longest = "a".repeat(100);
        assertThatCode(() -> checkout().step(longest).invoke(ORDERS, CREATE).noCompensation()
                .step("Step_2.v-1").invoke(ORDERS, CREATE).noCompensation().build())
                .doesNotThrowAnyException();
        assertThat(invalid(() -> checkout().step(longest + "a").invoke(ORDERS, CREATE).noCompensation().build())
                .problems()).singleElement().asString().contains("key must be 1 to 100");
    }

    // ---- timeouts ----

    @ParameterizedTest
    @ValueSource(longs = {0, -1})
    void nonPositiveStepTimeout(long seconds) {
        Duration timeout = Duration.ofSeconds(seconds);
        assertOnlyProblem(() -> createOrder().timeout(timeout).build(),
                "step 'create-order' (steps[0]): timeout must be positive, but was " + timeout
                        + "; give a positive duration, or leave it out to use the saga's default (PT30S)");
    }

    @Test
    void timeoutSetTwiceInOneStep() {
        assertOnlyProblem(() -> createOrder().timeout(Duration.ofSeconds(5)).timeout(Duration.ofSeconds(10)).build(),
                "step 'create-order' (steps[0]): timeout was set twice (PT5S, then PT10S); set it once");
    }

    @Test
    void nullStepTimeout() {
        assertOnlyProblem(() -> createOrder().timeout(null).build(),
                "step 'create-order' (steps[0]): timeout was null; give a positive duration");
    }

    @ParameterizedTest
    @ValueSource(longs = {0, -30})
    void nonPositiveDefaultTimeout(long seconds) {
        Duration timeout = Duration.ofSeconds(seconds);
        assertOnlyProblem(() -> checkout().defaultTimeout(timeout)
                        .step("create-order").invoke(ORDERS, CREATE).compensate(ORDERS, CANCEL).build(),
                "defaultTimeout must be positive, but was " + timeout + "; give a positive duration, or leave it out"
                        + " to use PT30S");
    }

    @Test
    void nullDefaultTimeoutIsReportedNotIgnored() {
        assertOnlyProblem(() -> checkout().defaultTimeout(null)
                        .step("create-order").invoke(ORDERS, CREATE).compensate(ORDERS, CANCEL).build(),
                "defaultTimeout was null; give a positive duration, or leave it out to use PT30S");
    }

    @Test
    void defaultTimeoutSetTwice() {
        assertOnlyProblem(() -> checkout().defaultTimeout(Duration.ofSeconds(1)).defaultTimeout(Duration.ofSeconds(2))
                        .step("create-order").invoke(ORDERS, CREATE).compensate(ORDERS, CANCEL).build(),
                "defaultTimeout was set twice (PT1S, then PT2S); set it once");
    }

    // ---- saga-level settings ----

    @ParameterizedTest
    @ValueSource(ints = {0, -1})
    void versionBelowOne(int version) {
        assertOnlyProblem(() -> checkout().version(version)
                        .step("create-order").invoke(ORDERS, CREATE).compensate(ORDERS, CANCEL).build(),
                "version must be >= 1, but was " + version + "; start at 1 and bump it on incompatible changes");
    }

    @Test
    void versionSetTwice() {
        assertOnlyProblem(() -> checkout().version(1).version(2)
                        .step("create-order").invoke(ORDERS, CREATE).compensate(ORDERS, CANCEL).build(),
                "version was set twice (1, then 2); set it once");
    }

    @Test
    void noSteps() {
        assertOnlyProblem(() -> checkout().build(),
                "the saga has no steps; add at least one with .step(\"key\").invoke(...)");
    }

    @Test
    void blankDataTypeName() {
        assertOnlyProblem(() -> checkout().dataTypeName(" ")
                        .step("create-order").invoke(ORDERS, CREATE).compensate(ORDERS, CANCEL).build(),
                "dataTypeName must not be blank; leave it out to use 'checkout.data'");
    }

    @Test
    void nullDataTypeNameIsReportedNotIgnored() {
        assertOnlyProblem(() -> checkout().dataTypeName(null)
                        .step("create-order").invoke(ORDERS, CREATE).compensate(ORDERS, CANCEL).build(),
                "dataTypeName was null; give a name, or leave it out to use 'checkout.data'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "check out", "-checkout"})
    void badSagaType(String type) {
        InvalidSagaDefinitionException e = invalid(() -> Saga.define(type, OrderData.class)
                .step("create-order").invoke(ORDERS, CREATE).compensate(ORDERS, CANCEL).build());
        assertThat(e.sagaType()).isEqualTo(type);
        assertThat(e.problems()).containsExactly("saga type must be 1 to 100 letters, digits, '.', '_' or '-', starting"
                + " with a letter or digit, but was '" + type + "'");
    }

    // ---- replies ----

    @Test
    void onReplyForTheSameTypeTwice() {
        assertOnlyProblem(() -> createOrder().onReply(ItemsReserved.class, RESERVED).onReply(ItemsReserved.class, RESERVED)
                        .build(),
                "step 'create-order' (steps[0]): onReply(ItemsReserved.class, ...) was declared twice; declare each"
                        + " reply type once");
    }

    sealed interface InventoryReply permits Reserved, OutOfStock {}

    record Reserved(String reservationId) implements InventoryReply {}

    record OutOfStock() implements InventoryReply {}

    @Test
    void onReplyForAnInterfaceWouldNeverRun() {
        assertThat(MessageType.Names.of(new Reserved("r").getClass())).isNotEqualTo(MessageType.Names.of(InventoryReply.class));
        assertOnlyProblem(() -> createOrder().onReply(InventoryReply.class, (d, r) -> d).build(),
                "step 'create-order' (steps[0]): onReply(InventoryReply.class, ...) names an interface or abstract class,"
                        + " but replies are matched by the wire name of their concrete class, so this handler would never"
                        + " run; declare one onReply per concrete reply class");
    }

    @Test
    void onReplyWithNulls() {
        assertOnlyProblem(() -> createOrder().onReply(null, RESERVED).build(),
                "step 'create-order' (steps[0]): onReply needs a reply type and a function, but got a null type");
        assertOnlyProblem(() -> createOrder().onReply(ItemsReserved.class, null).build(),
                "step 'create-order' (steps[0]): onReply needs a reply type and a function, but got a null function");
    }

    // ---- null arguments ----

    @Test
    void nullParticipantGivenToInvoke() {
        assertOnlyProblem(() -> checkout().step("create-order").invoke((Participant<OrderCommand>) null, CREATE)
                        .compensate(ORDERS, CANCEL).build(),
                "step 'create-order' (steps[0]): invoke(participant, command) was given a null participant; pass a"
                        + " Participant handle and a function that builds the command from the data");
    }

    @Test
    void nullFunctionGivenToInvoke() {
        assertOnlyProblem(() -> checkout().step("create-order").invoke(ORDERS, null)
                        .compensate(ORDERS, CANCEL).build(),
                "step 'create-order' (steps[0]): invoke(participant, command) was given a null command function; pass"
                        + " a Participant handle and a function that builds the command from the data");
    }

    @Test
    void nullParticipantAndFunctionGivenToInvoke() {
        assertOnlyProblem(() -> checkout().step("create-order").invoke(null, null)
                        .compensate(ORDERS, CANCEL).build(),
                "step 'create-order' (steps[0]): invoke(participant, command) was given a null participant and a null"
                        + " command function; pass a Participant handle and a function that builds the command from the data");
    }

    @Test
    void aStepWithANullInvokeIsStillCheckedForItsOtherProblems() {
        InvalidSagaDefinitionException e = invalid(() -> checkout().step("create-order").invoke(ORDERS, null)
                .timeout(Duration.ZERO).build());
        assertThat(e.problems()).hasSize(3).allSatisfy(p -> assertThat(p).startsWith("step 'create-order' (steps[0]): "));
        assertThat(e.problems().get(0)).contains("was given a null command function");
        assertThat(e.problems().get(1)).contains("runs before the pivot");
        assertThat(e.problems().get(2)).contains("timeout must be positive");
    }

    @Test
    void nullsGivenToCompensate() {
        assertOnlyProblem(() -> checkout().step("create-order").invoke(ORDERS, CREATE)
                        .compensate((Participant<OrderCommand>) null, CANCEL).noCompensation().build(),
                "step 'create-order' (steps[0]): compensate(participant, command) was given a null participant; pass a"
                        + " Participant handle and a function that builds the undo command from the data");
        assertOnlyProblem(() -> checkout().step("create-order").invoke(ORDERS, CREATE)
                        .compensate(ORDERS, null).noCompensation().build(),
                "step 'create-order' (steps[0]): compensate(participant, command) was given a null command function;"
                        + " pass a Participant handle and a function that builds the undo command from the data");
    }

    // ---- other options set twice or null ----

    @Test
    void retrySetTwiceOrNull() {
        assertOnlyProblem(() -> createOrder().retry(Retry.none()).retry(Retry.fixed(2, Duration.ofSeconds(1))).build(),
                "step 'create-order' (steps[0]): retry was set twice (Retry.none(), then Fixed[maxAttempts=2, delay=PT1S]);"
                        + " set it once");
        assertOnlyProblem(() -> createOrder().retry(null).build(),
                "step 'create-order' (steps[0]): retry was null; use Retry.none() for a single attempt");
    }

    @Test
    void whenBusySetTwiceOrNull() {
        assertOnlyProblem(() -> createOrder().whenBusy(Park.as("FIRST")).whenBusy(Park.as("SECOND")).build(),
                "step 'create-order' (steps[0]): whenBusy was set twice (FIRST, then SECOND); set it once");
        assertOnlyProblem(() -> createOrder().whenBusy(null).build(),
                "step 'create-order' (steps[0]): whenBusy was null; give a Park rule such as Park.as(\"PENDING_PAYMENT\")");
    }

    @Test
    void compensationRetrySetTwiceOrNull() {
        Retry r = Retry.fixed(2, Duration.ofSeconds(1));
        assertOnlyProblem(() -> createOrder().compensationRetry(r).compensationRetry(r).build(),
                "step 'create-order' (steps[0]): compensationRetry was set twice; set it once");
        assertOnlyProblem(() -> createOrder().compensationRetry(null).build(),
                "step 'create-order' (steps[0]): compensationRetry was null; give a policy");
    }

    // ---- everything at once ----

    @Test
    void everyProblemIsReportedAtOnceInStepOrder() {
        InvalidSagaDefinitionException e = invalid(() -> Saga.define("x", OrderData.class)
                .version(0)
                .defaultTimeout(Duration.ZERO)
                .step("create-order").invoke(ORDERS, CREATE)                                   // no compensation
                .step("create-order").invoke(ORDERS, CREATE).compensate(ORDERS, CANCEL)         // duplicate key
                        .timeout(Duration.ofSeconds(1)).timeout(Duration.ofSeconds(2))
                .step("authorize-payment").invoke(PAYMENT, AUTHORIZE).pivot().compensate(PAYMENT, AUTHORIZE)
                .step("schedule shipment").invoke(LOGISTICS, SHIP).pivot()                      // bad key, 2nd pivot, no retry
                .build());

        assertThat(e.sagaType()).isEqualTo("x");
        assertThat(e.problems()).containsExactly(
                "version must be >= 1, but was 0; start at 1 and bump it on incompatible changes",
                "defaultTimeout must be positive, but was PT0S; give a positive duration, or leave it out to use PT30S",
                "step 'create-order' (steps[0]): runs before the pivot, so a later failure must undo it; " + FIX_COMPENSATION,
                "step 'create-order' (steps[1]): timeout was set twice (PT1S, then PT2S); set it once",
                "step 'create-order' (steps[1]): key duplicates steps[0]; step keys are the stable identity of a step and"
                        + " must be unique, so rename one of them",
                "step 'authorize-payment' (steps[2]): is the pivot, the point of no return, so its compensation would"
                        + " never run; remove .compensate(...) or move pivot() to a later step",
                "step 'schedule shipment' (steps[3]): key must be 1 to 100 letters, digits, '.', '_' or '-', starting with"
                        + " a letter or digit, so it can be stored and sent; use a key such as 'reserve-inventory'",
                "step 'schedule shipment' (steps[3]): is marked pivot() but step 'authorize-payment' (steps[2]) already"
                        + " is; a saga has at most one pivot, so remove one of the pivot() calls",
                "step 'schedule shipment' (steps[3]): comes after the pivot, so it must eventually succeed, but it has no"
                        + " retry policy; " + FIX_RETRY);
        assertThat(e.getMessage())
                .startsWith("saga 'x' has 9 problems:\n  - version must be >= 1")
                .isEqualTo("saga 'x' has 9 problems:" + e.problems().stream().map(p -> "\n  - " + p)
                        .reduce("", String::concat));
    }

    @Test
    void theProblemsListIsImmutable() {
        InvalidSagaDefinitionException e = invalid(() -> checkout().build());
        assertThat(e).isInstanceOf(RuntimeException.class);
        assertThatThrownBy(() -> e.problems().add("more"))
                .isInstanceOf(UnsupportedOperationException.class);
    }
}
