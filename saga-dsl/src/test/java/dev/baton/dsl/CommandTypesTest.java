package dev.baton.dsl;

import static dev.baton.dsl.Orders.INVENTORY;
import static dev.baton.dsl.Orders.LOGISTICS;
import static dev.baton.dsl.Orders.NEW_ORDER;
import static dev.baton.dsl.Orders.ORDERS;
import static dev.baton.dsl.Orders.PAYMENT;
import static dev.baton.dsl.Orders.SHIPMENT_RETRY;
import static org.assertj.core.api.Assertions.assertThat;
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
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * A step's command and compensation classes: declared with {@code invoke(participant, Type.class, command)} and
 * {@code compensate(participant, Type.class, command)}, else taken from the participant's sealed or record command type.
 */
class CommandTypesTest {

    /** A sealed command type with a sealed sub-interface, a plain class and a record declared in that order. */
    sealed interface ShippingCommand permits Book, Routing, Note {}

    record Book(String orderId) implements ShippingCommand {}

    sealed interface Routing extends ShippingCommand permits Reroute, Cancel {}

    record Reroute(String orderId, String depot) implements Routing {}

    @MessageType("shipping.cancel/v1")
    record Cancel(String orderId) implements Routing {}

    /** Not a record: no candidate, as it has no record components to describe. */
    static final class Note implements ShippingCommand {}

    static final Participant<ShippingCommand> SHIPPING = Participant.named("shipping", ShippingCommand.class);

    private static InvalidSagaDefinitionException invalid(Supplier<? extends SagaDefinition<?>> build) {
        InvalidSagaDefinitionException e = catchThrowableOfType(InvalidSagaDefinitionException.class, build::get);
        assertThat(e).as("build() should have thrown InvalidSagaDefinitionException").isNotNull();
        return e;
    }

    @Test
    void declaredClassesAreTheStepsCommandTypes() {
        SagaDefinition<OrderData> saga = Saga.define("order-flow", OrderData.class)
                .step("create-order")
                    .invoke(ORDERS, CreateOrder.class, d -> new CreateOrder(d.orderId(), d.customerId()))
                    .compensate(ORDERS, CancelOrder.class, d -> new CancelOrder(d.orderId()))
                .step("authorize-payment")
                    .invoke(PAYMENT, AuthorizePayment.class, d -> new AuthorizePayment(d.orderId(), d.amountCents()))
                    .pivot()
                .step("schedule-shipment")
                    .invoke(LOGISTICS, ScheduleShipment.class, d -> new ScheduleShipment(d.orderId()))
                    .retry(SHIPMENT_RETRY)
                .build();

        StepDefinition<OrderData> create = saga.firstStep();
        assertThat(create.commandType()).contains(CreateOrder.class);
        assertThat(create.commandTypes()).containsExactly(CreateOrder.class);
        assertThat(create.compensationType()).contains(CancelOrder.class);
        assertThat(create.compensationTypes()).containsExactly(CancelOrder.class);
        assertThat(create.command(NEW_ORDER)).isEqualTo(new CreateOrder("o-1", "c-7"));
        assertThat(create.compensationCommand(NEW_ORDER)).isEqualTo(new CancelOrder("o-1"));

        StepDefinition<OrderData> ship = saga.step("schedule-shipment").orElseThrow();
        assertThat(ship.commandType()).as("a Participant<Object> takes any class that is declared")
                .contains(ScheduleShipment.class);
        assertThat(ship.compensationType()).isEmpty();
        assertThat(ship.compensationTypes()).isEmpty();
    }

    @Test
    void withoutADeclarationTheRecordsASealedCommandTypePermitsAreTheCandidates() {
        StepDefinition<OrderData> create = Orders.ORDER.firstStep();
        assertThat(create.commandType()).isEmpty();
        assertThat(create.commandTypes()).containsExactly(CreateOrder.class, CancelOrder.class);
        assertThat(create.compensationType()).isEmpty();
        assertThat(create.compensationTypes()).containsExactly(CreateOrder.class, CancelOrder.class);

        StepDefinition<OrderData> ship = Saga.define("shipping", OrderData.class)
                .step("book").invoke(SHIPPING, d -> new Book(d.orderId()))
                .compensate(SHIPPING, d -> new Cancel(d.orderId()))
                .build().firstStep();
        assertThat(ship.commandTypes()).as("records only, through sealed sub-interfaces, in permits order")
                .containsExactly(Book.class, Reroute.class, Cancel.class);
        assertThat(ship.compensationTypes()).containsExactly(Book.class, Reroute.class, Cancel.class);
        assertThat(ship.commandTypes()).extracting(MessageType.Names::of)
                .containsExactly("Book", "Reroute", "shipping.cancel/v1");
    }

    @Test
    void aRecordCommandTypeIsTheOnlyCandidateAndObjectGivesNone() {
        SagaDefinition<OrderData> saga = Orders.ORDER;
        assertThat(saga.step("authorize-payment").orElseThrow().commandTypes())
                .as("Participant<AuthorizePayment>: a record is final").containsExactly(AuthorizePayment.class);
        StepDefinition<OrderData> ship = saga.step("schedule-shipment").orElseThrow();
        assertThat(ship.commandType()).isEmpty();
        assertThat(ship.commandTypes()).as("Participant<Object> says nothing").isEmpty();
    }

    @Test
    void aDeclarationNarrowsTheSealedCandidatesToOne() {
        StepDefinition<OrderData> step = Saga.define("inventory", OrderData.class)
                .step("reserve")
                    .invoke(INVENTORY, ReserveItems.class, d -> new ReserveItems(d.orderId()))
                    .onReply(ItemsReserved.class, (d, r) -> d.withReservation(r.reservationId()))
                    .compensate(INVENTORY, d -> new ReleaseItems(d.reservationId()))
                .build().firstStep();
        assertThat(step.commandTypes()).containsExactly(ReserveItems.class);
        assertThat(step.compensationType()).as("the plain compensate(...) declares nothing").isEmpty();
        assertThat(step.compensationTypes()).containsExactly(ReserveItems.class, ReleaseItems.class);
    }

    @Test
    void anInterfaceOrANullTypeIsReportedByBuild() {
        InvalidSagaDefinitionException e = invalid(() -> Saga.define("checkout", OrderData.class)
                .step("create-order")
                    .invoke(ORDERS, OrderCommand.class, d -> new CreateOrder(d.orderId(), d.customerId()))
                    .compensate(ORDERS, null, d -> new CancelOrder(d.orderId()))
                .build());
        assertThat(e.problems()).containsExactly(
                "step 'create-order' (steps[0]): invoke(order, OrderCommand.class, ...) names an interface or abstract"
                        + " class, but the command travels under the wire name of its concrete class; name the class the"
                        + " function builds (a record), or leave the type out",
                "step 'create-order' (steps[0]): compensate(participant, commandType, command) was given a null command"
                        + " type; pass a Participant handle, the undo command's class and a function that builds the undo"
                        + " command from the data",
                "step 'create-order' (steps[0]): runs before the pivot, so a later failure must undo it; add"
                        + " .compensate(participant, data -> undoCommand) or, if it changes nothing, .noCompensation()");
    }

    @Test
    void aCompensationDeclaredTwiceIsReportedWhateverTheForm() {
        InvalidSagaDefinitionException e = invalid(() -> Saga.define("checkout", OrderData.class)
                .step("create-order")
                    .invoke(ORDERS, d -> new CreateOrder(d.orderId(), d.customerId()))
                    .compensate(ORDERS, d -> new CancelOrder(d.orderId()))
                    .compensate(ORDERS, CancelOrder.class, d -> new CancelOrder(d.orderId()))
                .build());
        assertThat(e.problems()).containsExactly(
                "step 'create-order' (steps[0]): compensate(...) was declared twice; declare it once");
    }

    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void aClassTheParticipantDoesNotAcceptIsReportedWhenRawTypesGotItPast() {
        Participant raw = ORDERS;
        InvalidSagaDefinitionException e = invalid(() -> Saga.define("checkout", OrderData.class)
                .step("create-order")
                    .invoke(raw, ScheduleShipment.class, (Function<OrderData, ScheduleShipment>) d -> new ScheduleShipment(d.orderId()))
                    .noCompensation()
                .build());
        assertThat(e.problems()).containsExactly(
                "step 'create-order' (steps[0]): invoke(order, ScheduleShipment.class, ...) names a class that is not a"
                        + " OrderCommand, the command type of participant 'order'; name a class the participant accepts");
    }

    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void aCommandOfAnotherClassThanDeclaredFailsWhenBuiltNotWhenSent() {
        Function wrong = (Function<OrderData, CancelOrder>) d -> new CancelOrder(d.orderId());
        StepDefinition<OrderData> step = Saga.define("checkout", OrderData.class)
                .step("create-order")
                    .invoke(ORDERS, CreateOrder.class, (Function<OrderData, CreateOrder>) wrong)
                    .compensate(ORDERS, CancelOrder.class, (Function<OrderData, CancelOrder>) wrong)
                .build().firstStep();
        assertThatThrownBy(() -> step.command(NEW_ORDER)).isInstanceOf(IllegalStateException.class)
                .hasMessage("step 'create-order' declares its command as CreateOrder but built a CancelOrder");
        assertThat(step.compensationCommand(NEW_ORDER)).isEqualTo(new CancelOrder("o-1"));
    }

    @Test
    void theTypedFormsKeepTheBuildersImmutable() {
        StepStart<OrderData> start = Saga.define("checkout", OrderData.class).step("create-order");
        StepBuilder<OrderData> typed = start.invoke(ORDERS, CreateOrder.class, d -> new CreateOrder(d.orderId(), null));
        StepBuilder<OrderData> plain = start.invoke(ORDERS, d -> new CreateOrder(d.orderId(), null));
        assertThat(typed.noCompensation().build().firstStep().commandType()).contains(CreateOrder.class);
        assertThat(plain.noCompensation().build().firstStep().commandType()).isEmpty();
        assertThat(plain.noCompensation().build().firstStep().commandTypes())
                .as("the plain form falls back to the sealed OrderCommand's records").containsExactly(CreateOrder.class, CancelOrder.class);
    }
}
