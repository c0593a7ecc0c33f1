package dev.baton.dsl;

import static dev.baton.dsl.Orders.NEW_ORDER;
import static dev.baton.dsl.Orders.ORDERS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.baton.dsl.Orders.CancelOrder;
import dev.baton.dsl.Orders.OrderData;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MessageTypeTest {

    @MessageType("inventory.reserved/v2")
    record Reserved(String reservationId) {}

    record Unannotated() {}

    static final class V1 {
        record Reserved(String reservationId) {}
    }

    static final class V2 {
        record Reserved(String reservationId) {}
    }

    /** Carries, by annotation, the simple name of another class. */
    @MessageType("Unannotated")
    record Disguised() {}

    @Test
    void namesComeFromTheAnnotationOrTheSimpleName() {
        assertThat(MessageType.Names.of(Reserved.class)).isEqualTo("inventory.reserved/v2");
        assertThat(MessageType.Names.of(Unannotated.class)).isEqualTo("Unannotated");
        assertThat(MessageType.Names.of(V1.Reserved.class)).as("never the binary name MessageTypeTest$V1$Reserved")
                .isEqualTo("Reserved");
        assertThat(MessageType.Names.of(String.class)).isEqualTo("String");
    }

    @Test
    void aStepListsAndAppliesRepliesByTheirWireName() {
        StepDefinition<OrderData> step = Saga.define("order-flow", OrderData.class)
                .step("reserve").invoke(ORDERS, d -> new CancelOrder(d.orderId())).noCompensation()
                .onReply(Reserved.class, (d, r) -> d.withReservation(r.reservationId()))
                .build().firstStep();

        assertThat(step.replyTypes()).isEqualTo(Map.of("inventory.reserved/v2", Reserved.class));
        assertThat(step.applyReply(NEW_ORDER, new Reserved("r-2")).reservationId()).isEqualTo("r-2");
        assertThat(step.applyReply(NEW_ORDER, new V1.Reserved("r-1"))).isSameAs(NEW_ORDER);
    }

    private static InvalidSagaDefinitionException twoReplies(Class<?> first, Class<?> second) {
        return catchThrowableOfType(InvalidSagaDefinitionException.class, () -> Saga.define("order-flow", OrderData.class)
                .step("reserve").invoke(ORDERS, d -> new CancelOrder(d.orderId())).noCompensation()
                .onReply(first, (d, r) -> d)
                .onReply(second, (d, r) -> d)
                .build());
    }

    @Test
    void twoReplyClassesWithTheSameSimpleNameInOneStepAreReported() {
        InvalidSagaDefinitionException e = twoReplies(V1.Reserved.class, V2.Reserved.class);
        assertThat(e).isNotNull();
        assertThat(e.problems()).containsExactly("step 'reserve' (steps[0]): reply types " + V1.Reserved.class.getName()
                + " and " + V2.Reserved.class.getName() + " share the wire name 'Reserved'; give one a distinct name"
                + " with @MessageType");
    }

    @Test
    void anAnnotatedNameThatClashesWithAnotherClassesSimpleNameIsReported() {
        InvalidSagaDefinitionException e = twoReplies(Unannotated.class, Disguised.class);
        assertThat(e).isNotNull();
        assertThat(e.problems()).singleElement().asString()
                .startsWith("step 'reserve' (steps[0]): reply types ")
                .contains(Unannotated.class.getName(), Disguised.class.getName(), "share the wire name 'Unannotated'");
    }

    @Test
    void theSameWireNameInDifferentStepsIsFine() {
        SagaDefinition<OrderData> def = Saga.define("order-flow", OrderData.class)
                .step("a").invoke(ORDERS, d -> new CancelOrder(d.orderId())).noCompensation()
                        .onReply(V1.Reserved.class, (d, r) -> d)
                .step("b").invoke(ORDERS, d -> new CancelOrder(d.orderId())).noCompensation()
                        .onReply(V2.Reserved.class, (d, r) -> d)
                .build();
        assertThat(def.steps()).<Object>extracting(s -> s.replyTypes().get("Reserved"))
                .containsExactly(V1.Reserved.class, V2.Reserved.class);
    }
}
