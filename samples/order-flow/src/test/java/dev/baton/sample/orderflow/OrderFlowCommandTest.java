package dev.baton.sample.orderflow;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The demo's command line as a user meets it: help, and what a mistake prints and returns. */
class OrderFlowCommandTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return OrderFlowCommand.execute(args, Map.of(), new PrintWriter(out, true), new PrintWriter(err, true));
    }

    @Test
    void helpListsEveryOptionWithItsDefaultAndExitsZero() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("Usage: order-flow.jar", "--orders=N", "default 2000", "--exit", "--rate=R",
                "--duration=S", "--max", "--inflight=K", "--warmup=S", "--chaos", "--data=DIR", "--keep", "--port=P", "--wait=S",
                "--payment-capacity=C", "--payment-hold-ms=H", "--decline-rate=D", "--payment-latency-ms=L",
                "--logistics-failure-rate=F", "--base-rate=R", "--postgres[=URL]", "--postgres-user=U",
                "--postgres-password=P");
    }

    @Test
    void aBadValueNamesTheOptionAndExitsTwo() {
        assertThat(run("--orders", "many")).isEqualTo(2);
        assertThat(err.toString()).contains("--orders", "'many'", "Usage: order-flow.jar");
    }

    @Test
    void anUnknownOptionAndANonsensicalValueExitTwo() {
        assertThat(run("--bogus")).isEqualTo(2);
        assertThat(err.toString()).contains("Unknown option: '--bogus'");
        assertThat(run("--orders", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("--orders must be >= 1, but was 0");
        assertThat(run("--postgres", "jdbc:h2:mem:x")).isEqualTo(2);
        assertThat(err.toString()).contains("jdbc:postgresql://");
    }

    @Test
    void defaultsAreTheDocumentedOnes() {
        OrderFlowDemo.Settings s = OrderFlowDemo.Settings.parse(new String[0], Map.of());
        assertThat(s.orders()).isEqualTo(2000);
        assertThat(s.mode()).isEqualTo(OrderFlowDemo.Mode.SPIKE);
        assertThat(s.rate()).isEqualTo(60.0);
        assertThat(s.inflight()).isEqualTo(100);
        assertThat(s.payment()).isEqualTo(new PaymentService.Settings(30, 300, 0.05, 0));
        assertThat(s.logisticsFailureRate()).isEqualTo(0.05);
        assertThat(s.data()).isEqualTo(java.nio.file.Path.of("data", "order-flow"));
        assertThat(s.port()).isEqualTo(8080);
        assertThat(s.waitSeconds()).isEqualTo(120);
        assertThat(s.engineDb()).isEqualTo(EngineDatabase.H2);
        assertThat(s.keep() || s.exit() || s.chaos()).isFalse();
        assertThat(s.warmupSeconds()).isZero();
    }

    @Test
    void aWarmUpBelongsToTheClosedLoop() {
        assertThat(OrderFlowDemo.Settings.parse(new String[] {"--max", "--warmup", "60"}, Map.of()).warmupSeconds())
                .isEqualTo(60);
        assertThat(run("--warmup", "60")).isEqualTo(2);
        assertThat(err.toString()).contains("--warmup measures the closed loop: add --max");
        assertThat(run("--max", "--warmup", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("--warmup must be >= 1, but was 0");
    }
}
