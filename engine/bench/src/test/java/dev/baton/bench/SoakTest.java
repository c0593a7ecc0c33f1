package dev.baton.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The soak, short: sagas at a steady rate with a 5 s retention for 30 s (system property {@code baton.soak.seconds}
 * for longer); after the warm-up every table's row count stays flat. The long run and its figures are in
 * docs/operations.md.
 */
class SoakTest {
    private static final int RATE = 30;
    private static final Duration RETENTION = Duration.ofSeconds(5);
    /** Until the first ended sagas are older than the retention and purged, and the JIT settles a little. */
    private static final long WARM_UP_SECONDS = 12;

    @Test
    @DisplayName("30 sagas/s with a 5 s retention: after the warm-up every table's row count stays flat")
    void rowCountsStayFlat() throws Exception {
        long seconds = Long.getLong("baton.soak.seconds", 30);
        PrintWriter out = new PrintWriter(System.out, true);
        List<Soak.Sample> samples = Soak.run(new Soak.Settings(Duration.ofSeconds(seconds), RATE, RETENTION,
                Duration.ofSeconds(3), true, "", null), out);

        List<Soak.Sample> after = samples.stream().filter(s -> s.seconds() >= WARM_UP_SECONDS).toList();
        assertThat(after).as("reports after the warm-up").hasSizeGreaterThanOrEqualTo(4);
        Soak.Sample last = samples.getLast();
        assertThat(last.started()).as("sagas started at the steady rate").isGreaterThan(RATE * (seconds - 10));
        assertThat(last.ended()).as("sagas end as fast as they start").isGreaterThan(last.started() - RATE * 5L);

        List<Soak.Sample> early = after.subList(0, after.size() / 2);
        List<Soak.Sample> late = after.subList(after.size() / 2, after.size());
        List<String> tables = new ArrayList<>(Soak.ENGINE_TABLES);
        tables.addAll(Soak.PARTICIPANT_TABLES);
        for (String t : tables) {
            long earlyMax = early.stream().mapToLong(s -> s.rows().get(t)).max().orElseThrow();
            long lateMax = late.stream().mapToLong(s -> s.rows().get(t)).max().orElseThrow();
            assertThat(lateMax).as(t + ": flat after the warm-up (early max " + earlyMax + ")")
                    .isLessThanOrEqualTo(earlyMax * 3 / 2 + 100);
        }
        // without the purge every saga started would still be there
        long sagas = late.stream().mapToLong(s -> s.rows().get("baton_saga")).max().orElseThrow();
        assertThat(sagas).as("sagas kept: about the rate times the retention").isLessThan(RATE * 4 * RETENTION.toSeconds());
        assertThat(last.h2Bytes()).as("the H2 file").isPositive();
    }
}
