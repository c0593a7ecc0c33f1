package dev.baton.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.dsl.Participant;
import dev.baton.dsl.Retry;
import dev.baton.dsl.Saga;
import dev.baton.dsl.SagaDefinition;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How a definition's conditional steps and fallbacks show in {@code GET /api/definitions/{type}}. */
class DefinitionShapesTest {
    record Cart(String id, boolean digital) {}

    record Reserve(String id) {}

    record Release(String id) {}

    record Estimate(String id) {}

    record Pay(String id) {}

    record Ship(String id) {}

    static final Participant<Object> STOCK = Participant.named("stock", Object.class);
    static final Participant<Estimate> CARRIER = Participant.named("carrier", Estimate.class);
    static final Participant<Pay> PAYMENT = Participant.named("payment", Pay.class);
    static final Participant<Ship> LOGISTICS = Participant.named("logistics", Ship.class);

    static final SagaDefinition<Cart> CART = Saga.define("cart", Cart.class)
            .sla(Duration.ofSeconds(3))
            .step("reserve").invoke(STOCK, d -> new Reserve(d.id())).compensate(STOCK, d -> new Release(d.id()))
            .step("estimate").invoke(CARRIER, d -> new Estimate(d.id())).noCompensation().fallback(d -> d)
            .step("pay").invoke(PAYMENT, d -> new Pay(d.id())).pivot().sla(Duration.ofMillis(200))
            .step("ship").invoke(LOGISTICS, d -> new Ship(d.id())).when(d -> !d.digital())
                .retry(Retry.forever(Duration.ofSeconds(1), Duration.ofMinutes(1)))
            .build();

    @Test
    void stepsSayWhetherTheyAreConditionalOrHaveAFallback() {
        DefinitionView view = DefinitionView.of(CART, List.of(1), java.util.Map.of());
        assertThat(view.steps()).extracting(DefinitionView.StepView::key, DefinitionView.StepView::conditional,
                DefinitionView.StepView::fallback).containsExactly(
                        org.assertj.core.groups.Tuple.tuple("reserve", false, false),
                        org.assertj.core.groups.Tuple.tuple("estimate", false, true),
                        org.assertj.core.groups.Tuple.tuple("pay", false, false),
                        org.assertj.core.groups.Tuple.tuple("ship", true, false));
        assertThat(view.sla()).isEqualTo(Duration.ofSeconds(3));
        assertThat(view.steps()).extracting(DefinitionView.StepView::sla)
                .containsExactly(null, null, Duration.ofMillis(200), null);
    }

    @Test
    void theFlowchartShowsTheSkipAndTheFallbackAsDottedEdges() {
        String m = DefinitionView.mermaid(CART);
        assertThat(m).contains("    s2 -.->|skip ship: condition false| completed\n")
                .contains("    s1 -.->|no answer: fallback| s2\n")
                .contains("    s0 -->|ok| s1\n")
                .doesNotContain("s0 -.->|no answer");
    }

    record Check(String id) {}

    static final Participant<Check> FRAUD = Participant.named("fraud", Check.class);

    static final SagaDefinition<Cart> GROUPED = Saga.define("grouped", Cart.class)
            .step("create").invoke(STOCK, d -> new Reserve(d.id())).compensate(STOCK, d -> new Release(d.id()))
            .step("fraud").invoke(FRAUD, d -> new Check(d.id())).noCompensation().parallel("checks")
            .step("reserve").invoke(STOCK, d -> new Reserve(d.id())).compensate(STOCK, d -> new Release(d.id()))
                .parallel("checks", "stock")
            .step("hold").invoke(STOCK, d -> new Reserve(d.id())).compensate(STOCK, d -> new Release(d.id()))
                .parallel("checks", "stock")
            .step("pay").invoke(PAYMENT, d -> new Pay(d.id())).pivot()
            .build();

    @Test
    void aGroupForksAfterTheStepBeforeItAndJoinsBeforeTheStepAfterIt() {
        DefinitionView view = DefinitionView.of(GROUPED, List.of(1), java.util.Map.of());
        assertThat(view.steps()).extracting(DefinitionView.StepView::group, DefinitionView.StepView::branch).containsExactly(
                org.assertj.core.groups.Tuple.tuple(null, null),
                org.assertj.core.groups.Tuple.tuple("checks", "fraud"),
                org.assertj.core.groups.Tuple.tuple("checks", "stock"),
                org.assertj.core.groups.Tuple.tuple("checks", "stock"),
                org.assertj.core.groups.Tuple.tuple(null, null));
        String m = DefinitionView.mermaid(GROUPED);
        assertThat(m).contains("    j1((\"all of checks done\"))\n", "    s0 -->|ok| s1\n", "    s0 -->|ok| s2\n",
                "    s2 -->|ok| s3\n", "    s1 -->|ok| j1\n", "    s3 -->|ok| j1\n", "    j1 --> s4\n",
                "    s4 -->|ok| completed\n").doesNotContain("s1 -->|ok| s2", "s0 -->|ok| s3");
    }
}
