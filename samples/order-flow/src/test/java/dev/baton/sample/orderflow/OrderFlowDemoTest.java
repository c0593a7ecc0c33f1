package dev.baton.sample.orderflow;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo, short: 100 orders through the broker, the engine and the four services, with a spike over the payment
 * service's capacity, then the consistency check across the four databases.
 */
class OrderFlowDemoTest {
    @TempDir
    Path data;

    /** What a run returned and printed. */
    private record Run(OrderFlowDemo.Result result, String output) {}

    private static Run run(OrderFlowDemo.Settings s) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        OrderFlowDemo.Result r;
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            r = OrderFlowDemo.runOnce(s, out);
        }
        return new Run(r, bytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void a_short_run_ends_every_saga_consistently() throws Exception {
        OrderFlowDemo.Settings s = new OrderFlowDemo.Settings(100, OrderFlowDemo.Mode.SPIKE, 50, 0, 100, 0.3,
                new PaymentService.Settings(5, 300, 0.05, 0), 0.1, data, false, true, 0, 120, false, false, 7);
        Run run = run(s);
        OrderFlowDemo.Result r = run.result();
        String output = run.output();

        assertThat(r.inconsistent()).as(output).isZero();
        assertThat(r.duplicates()).as(output).isZero();
        assertThat(r.pending()).as(output).isZero();
        assertThat(r.failed()).as(output).isZero();
        assertThat(r.completed() + r.compensated()).as(output).isEqualTo(100);
        assertThat(r.compensated()).as("out of stock or declined: " + output).isPositive();
        assertThat(r.parked()).as("parked in PENDING_PAYMENT during the spike: " + output).isPositive();
        assertThat(output.strip().lines().reduce((a, b) -> b).orElseThrow())
                .isEqualTo(r.resultLine())
                .startsWith("RESULT orders=100 completed=" + r.completed() + " compensated=" + r.compensated()
                        + " degraded=" + r.degraded() + " skipped=" + r.skipped()
                        + " pending=0 failed=0 inconsistent=0 duplicates=0 sagas_per_s=");
        assertThat(r.skipped()).as("gift cards skip shipping: " + output).isPositive();
    }

    @Test
    void a_spike_twice_as_large_parks_and_drains_and_compensates_only_declined_or_out_of_stock_orders() throws Exception {
        // 60 % of the orders at once, twice the share of the run above, at a payment service taking ~17 a second
        OrderFlowDemo.Settings s = new OrderFlowDemo.Settings(150, OrderFlowDemo.Mode.SPIKE, 50, 0, 100, 0.6,
                new PaymentService.Settings(5, 300, 0.05, 0), 0.05, data, false, true, 0, 180, false, false, 13);
        Run run = run(s);
        OrderFlowDemo.Result r = run.result();
        String output = run.output();

        assertThat(r.ok()).as(output).isTrue();
        assertThat(r.completed() + r.compensated()).as(output).isEqualTo(150);
        assertThat(r.parked()).as("parked in PENDING_PAYMENT during the spike: " + output).isPositive();
        assertThat(r.gaveUp()).as("compensated for waiting: " + output).isZero();
        assertThat(output).contains("(out of stock, flagged by screening or card declined)");
    }

    @Test
    void the_closed_loop_measures_its_second_half_as_the_steady_state() throws Exception {
        OrderFlowDemo.Settings s = new OrderFlowDemo.Settings(200, OrderFlowDemo.Mode.MAX, 50, 0, 20, 0.2,
                new PaymentService.Settings(100, 1, 0.05, 0), 0.05, data, false, true, 0, 120, false, false, 5);
        Run run = run(s);
        OrderFlowDemo.Result r = run.result();
        String output = run.output();

        assertThat(r.ok()).as(output).isTrue();
        assertThat(output).contains("order-flow: machine: " + Runtime.getRuntime().availableProcessors() + " cores");
        // the window opens when the 101st order is sent, with at most 20 in flight: at least 80 of them end in it
        assertThat(r.steady()).as(output).isNotNull();
        assertThat(r.steady().sagas()).as(output).isBetween(80L, 120L);
        assertThat(r.steady().cpuSeconds()).as(output).isPositive();
        assertThat(output).contains("order-flow: steady state, ");
        assertThat(output).contains("order-flow: steady-state CPU per saga by component: engine ");
        assertThat(r.steady().byComponent()).as(output).containsKeys(SteadyState.ENGINE, SteadyState.STARTS, SteadyState.SERVICES,
                SteadyState.BROKER);
        assertThat(r.steady().byComponent().get(SteadyState.ENGINE)).as(output).isPositive();
        assertThat(r.steady().byComponent().get(SteadyState.SERVICES)).as(output).isPositive();
        // every saga commits on the engine's H2 file at least once in the window (its start), and writes its pages
        assertThat(r.steady().h2Versions()).as(output).isPositive();
        assertThat(r.steady().h2WriteBytes()).as(output).isPositive();
        assertThat(output).contains("order-flow: the engine's H2 file in the steady state: ");
        assertThat(r.resultLine()).contains(String.format(java.util.Locale.ROOT, " steady_sagas_per_s=%.1f",
                r.steady().sagasPerSecond()), " peak_heap_mib=");
    }

    @Test
    void threads_are_told_apart_by_their_names() {
        assertThat(SteadyState.component("baton-kafka-replies")).isEqualTo(SteadyState.ENGINE);
        assertThat(SteadyState.component("kafka-producer-network-thread | baton-engine-producer")).isEqualTo(SteadyState.ENGINE);
        assertThat(SteadyState.component("baton-participant-payment")).isEqualTo(SteadyState.SERVICES);
        assertThat(SteadyState.component("kafka-producer-network-thread | baton-participant-order")).isEqualTo(SteadyState.SERVICES);
        assertThat(SteadyState.component("main")).isEqualTo(SteadyState.STARTS);
        assertThat(SteadyState.component("data-plane-kafka-request-handler-0")).isEqualTo(SteadyState.BROKER);
    }

    @Test
    void killing_the_payment_service_mid_run_leaves_the_databases_consistent() throws Exception {
        OrderFlowDemo.Settings s = new OrderFlowDemo.Settings(100, OrderFlowDemo.Mode.SPIKE, 50, 0, 100, 0.2,
                new PaymentService.Settings(30, 300, 0.05, 0), 0.05, data, false, true, 0, 120, true, false, 11);
        Run run = run(s);
        OrderFlowDemo.Result r = run.result();
        String output = run.output();

        assertThat(output).contains("chaos: killing the payment service");
        assertThat(r.ok()).as(output).isTrue();
        assertThat(r.completed() + r.compensated()).as(output).isEqualTo(100);
    }

    @Test
    void the_command_line_is_parsed_and_rejected_with_a_reason() {
        OrderFlowDemo.Settings s = OrderFlowDemo.Settings.parse(new String[] {"--orders", "50", "--exit", "--data", "x"});
        assertThat(s.orders()).isEqualTo(50);
        assertThat(s.exit()).isTrue();
        assertThat(s.port()).isZero();
        assertThat(s.mode()).isEqualTo(OrderFlowDemo.Mode.SPIKE);
        OrderFlowDemo.Settings open = OrderFlowDemo.Settings.parse(new String[] {"--rate", "20", "--duration", "3"});
        assertThat(open.orders()).isEqualTo(60);
        assertThat(open.port()).isEqualTo(8080);
        assertThat(OrderFlowDemo.Settings.parse(new String[] {"--max", "--inflight", "7"}).inflight()).isEqualTo(7);
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> OrderFlowDemo.Settings.parse(new String[] {"--rate", "20"}))
                .withMessageContaining("--duration");
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> OrderFlowDemo.Settings.parse(new String[] {"--bogus"}))
                .withMessageContaining("--bogus");
    }
}
