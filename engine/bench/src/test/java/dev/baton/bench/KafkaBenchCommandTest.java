package dev.baton.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The benchmark's command line: the options the docs use, help, and what a mistake prints and returns. */
class KafkaBenchCommandTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return KafkaBenchCommand.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    }

    @Test
    void defaults() {
        assertThat(KafkaBenchCommand.parse()).isEqualTo(new BenchSettings(100, 30, 30, 3, true, null, null, "postgres", "",
                1, 1, 1, 0, "", List.of(false), 10));
    }

    @Test
    void h2SettingsReplaceTheUrlsOwn() {
        assertThat(BenchSettings.withH2Settings("jdbc:h2:file:/d/baton;WRITE_DELAY=500;DB_CLOSE_ON_EXIT=FALSE",
                ";WRITE_DELAY=0;RETENTION_TIME=0"))
                .isEqualTo("jdbc:h2:file:/d/baton;DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0;RETENTION_TIME=0");
        assertThat(BenchSettings.withH2Settings("jdbc:h2:file:/d/baton;WRITE_DELAY=500", "")).isEqualTo(
                "jdbc:h2:file:/d/baton;WRITE_DELAY=500");
    }

    @Test
    void theCommandsOfTheDocsParse() {
        BenchSettings s = KafkaBenchCommand.parse("--inflight", "100", "--warmup", "30", "--partitions", "8", "--postgres",
                "--nodes", "2", "--reply-consumers", "4", "--starters", "2", "--linger-ms", "5", "--participant-db", "mem",
                "--dir", "/tmp/b", "--duration", "20");
        assertThat(s).isEqualTo(new BenchSettings(100, 30, 20, 8, false, Path.of("/tmp/b"), "", "postgres", "", 2, 4, 2, 5, "",
                List.of(false), 10));

        BenchSettings external = KafkaBenchCommand.parse("--postgres", "jdbc:postgresql://db/x", "--postgres-user", "u",
                "--postgres-password", "p");
        assertThat(external.postgres()).isEqualTo("jdbc:postgresql://db/x");
        assertThat(external.postgresUser()).isEqualTo("u");
        assertThat(external.postgresPassword()).isEqualTo("p");
    }

    @Test
    void tracingPhasesAlternateAfterASharedWarmUp() {
        BenchSettings s = KafkaBenchCommand.parse("--tracing", "off,on,off,on", "--warmup", "41", "--settle", "15",
                "--duration", "50");
        assertThat(s.tracing()).containsExactly(false, true, false, true);
        // the warm-up split among the modes, unmeasured; then each phase settles and measures
        assertThat(KafkaSagaBenchmark.stages(s)).extracting(BenchSettings::warmupSeconds, BenchSettings::durationSeconds,
                        st -> st.tracing().getFirst())
                .containsExactly(tuple(20, 0, false), tuple(21, 0, true), tuple(15, 50, false), tuple(15, 50, true),
                        tuple(15, 50, false), tuple(15, 50, true));

        BenchSettings one = KafkaBenchCommand.parse("--tracing", "on", "--warmup", "30");
        assertThat(KafkaSagaBenchmark.stages(one)).containsExactly(one);
    }

    @Test
    void theMedianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
        List<BenchReport.Phase> phases = List.of(new BenchReport.Phase(false, 100, 10, 0, 0, true),
                new BenchReport.Phase(false, 120, 12, 0, 0, true), new BenchReport.Phase(false, 90, 9, 0, 0, true));
        assertThat(BenchReport.median(phases, BenchReport.Phase::sagasPerSecond)).isEqualTo(100);
        assertThat(BenchReport.median(phases.subList(0, 2), BenchReport.Phase::cpuMsPerSaga)).isEqualTo(11);
    }

    @Test
    void helpListsTheOptionsAndExitsZero() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("Usage:", "--inflight=N", "--warmup=S", "--duration=S", "--partitions=N",
                "--participant-db=file|mem", "--dir=DIR", "--postgres[=URL]", "--postgres-user=U", "--postgres-password=P",
                "--nodes=N", "--reply-consumers=K", "--starters=N", "--linger-ms=MS", "--tracing=off|on[,...]", "--settle=S");
    }

    @Test
    void mistakesAreNamedAndExitTwo() {
        assertThat(run("--inflight", "lots")).isEqualTo(2);
        assertThat(err.toString()).contains("--inflight", "'lots'", "Usage:");
        assertThat(run("--nodes", "2")).isEqualTo(2);
        assertThat(err.toString()).contains("--nodes 2 needs --postgres");
        assertThat(run("--participant-db", "disk")).isEqualTo(2);
        assertThat(err.toString()).contains("--participant-db is file or mem, but was disk");
        assertThat(run("--postgres", "jdbc:h2:mem:x;PASSWORD=secret")).isEqualTo(2);
        assertThat(err.toString()).contains("jdbc:postgresql://").doesNotContain("secret");
        assertThat(run("--duration", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("--duration must be >= 1, but was 0");
        assertThat(run("--tracing", "off,maybe")).isEqualTo(2);
        assertThat(err.toString()).contains("--tracing is a list of off and on, such as off,on,off,on, but was 'off,maybe'");
        assertThat(run("--settle", "-1")).isEqualTo(2);
        assertThat(err.toString()).contains("--settle must be >= 0, but was -1");
    }

    @Test
    void openLoopRate() {
        BenchSettings s = KafkaBenchCommand.parse("--rate", "125.5", "--inflight", "2000");
        assertThat(s.openLoop()).isTrue();
        assertThat(s.rate()).isEqualTo(125.5);
        assertThat(s.forStage(10, 20, false).rate()).as("each stage keeps the rate").isEqualTo(125.5);
        assertThat(KafkaBenchCommand.parse().openLoop()).isFalse();
        assertThatThrownBy(() -> KafkaBenchCommand.parse("--rate", "-1"))
                .isInstanceOf(picocli.CommandLine.ParameterException.class)
                .hasMessage("--rate must be 0 (closed loop) or up to 100000 sagas/s, but was -1.0");
    }
}
