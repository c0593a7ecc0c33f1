package dev.baton.dsl;

import static dev.baton.dsl.Orders.ORDER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Step policies changed at run time ({@link SagaDefinition#withPolicies}): what changes and what is refused. */
class StepPolicyTest {

    @Test
    void aPolicyChangesOnlyTheFieldsItSets() {
        SagaDefinition<Orders.OrderData> changed = ORDER.withPolicies(Map.of(
                "reserve-inventory", new StepPolicy(Duration.ofSeconds(2), null, Retry.fixed(9, Duration.ofSeconds(3)),
                        null, null),
                "authorize-payment", new StepPolicy(null, null, null, Duration.ofSeconds(30), Duration.ofHours(2))));

        StepDefinition<Orders.OrderData> reserve = changed.step("reserve-inventory").orElseThrow();
        assertThat(reserve.timeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(reserve.retry()).isEqualTo(ORDER.step("reserve-inventory").orElseThrow().retry());
        assertThat(reserve.compensationRetry()).isEqualTo(Retry.fixed(9, Duration.ofSeconds(3)));
        Park park = changed.step("authorize-payment").orElseThrow().park().orElseThrow();
        assertThat(park).isEqualTo(new Park("PENDING_PAYMENT", Duration.ofSeconds(30), Duration.ofHours(2)));
        // the rest is the same definition: type, version, steps, what the steps do
        assertThat(changed.type()).isEqualTo(ORDER.type());
        assertThat(changed.version()).isEqualTo(ORDER.version());
        assertThat(changed.steps()).extracting(StepDefinition::key)
                .containsExactlyElementsOf(ORDER.steps().stream().map(StepDefinition::key).toList());
        assertThat(changed.step("create-order")).containsSame(ORDER.step("create-order").orElseThrow());
        assertThat(reserve.replyTypes()).isEqualTo(ORDER.step("reserve-inventory").orElseThrow().replyTypes());
        assertThat(reserve.hasCompensation()).isTrue();
        // the original is unchanged
        assertThat(ORDER.step("reserve-inventory").orElseThrow().timeout()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void everyRefusalNamesTheStepAndTheFix() {
        InvalidSagaDefinitionException e = catchThrowableOfType(InvalidSagaDefinitionException.class,
                () -> ORDER.withPolicies(Map.of(
                        "reserve-inventory", new StepPolicy(Duration.ZERO, null, null, Duration.ofSeconds(1), null),
                        "create-order", new StepPolicy(null, null, null, null, null),
                        "schedule-shipment", new StepPolicy(null, Retry.none(), Retry.none(), null, null),
                        "authorize-payment", new StepPolicy(null, null, null, Duration.ofMinutes(10), Duration.ofMinutes(1)),
                        "refund", new StepPolicy(Duration.ofSeconds(1), null, null, null, null))));

        assertThat(e.sagaType()).isEqualTo("order-flow");
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("step 'reserve-inventory'")
                .contains("timeout must be positive"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("step 'reserve-inventory'")
                .contains("does not park"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("step 'schedule-shipment'")
                .contains("after the pivot").contains("never retries"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("step 'schedule-shipment'")
                .contains("no compensation"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("step 'authorize-payment'")
                .contains("giveUpAfter must be >= retryEvery"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("'refund' is not a step of this saga"));
        assertThat(e.problems()).hasSize(6);
    }
}
