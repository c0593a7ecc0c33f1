package dev.baton.bench;

import dev.baton.engine.SagaStatus;
import dev.baton.kafka.common.KafkaOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.HdrHistogram.Histogram;

/** The report {@link KafkaSagaBenchmark} prints at the end of each measured phase, and of the run. */
final class BenchReport {

    /**
     * The figures of one measured phase.
     *
     * @param spansPerSaga spans ended in the window per saga ended in it; 0 with tracing off
     * @param valid every saga started ended exactly once; no duplicate end, dead letter or FAILED saga
     */
    record Phase(boolean tracing, double sagasPerSecond, double cpuMsPerSaga, double p99Ms, double spansPerSaga,
                 boolean valid) {}

    private BenchReport() {}

    /**
     * Prints the settings, throughput, latency percentiles (from an HdrHistogram, 3 significant digits) and what the
     * engine did in the measured window.
     */
    static Phase print(BenchStats stats, BenchSettings s, KafkaOptions o, long started, boolean drained, long drainMs) {
        Histogram l = stats.latencies();
        double seconds = s.durationSeconds();
        long measured = l.getTotalCount();
        System.out.println();
        BenchPostgres pg = stats.postgres;
        System.out.println("Baton end to end: four-step order saga, " + (s.nodes() == 1 ? "engine" : s.nodes()
                + " engine nodes (one JVM; shared database and reply consumer group)")
                + " + 4 participant services + Kafka broker in one JVM");
        System.out.printf(Locale.ROOT, "settings: %s inflight=%d warmup=%ds duration=%ds partitions=%d linger.ms=%d batch.size=%d"
                        + " max.poll.records=%d nodes=%d reply-consumers=%d starters=%d engine-store=%s participant-db=%s tracing=%s;"
                        + " JDK %s, %d cores (%s)%n",
                s.openLoop() ? String.format(Locale.ROOT, "open-loop rate=%.1f/s", s.rate()) : "closed-loop",
                s.inflight(), s.warmupSeconds(), s.durationSeconds(), o.partitions(), o.lingerMs(), o.batchSize(),
                o.maxPollRecords(), s.nodes(), o.replyConsumers(), s.starters(), pg == null ? "H2 file" + (s.h2Settings().isEmpty() ? " (WRITE_DELAY=0)" : " " + s.h2Settings()) : pg.describe(),
                s.participantFiles() ? "H2 file (WRITE_DELAY=0)" : "H2 in memory", s.tracing().getFirst() ? "on" : "off",
                Runtime.version(), Runtime.getRuntime().availableProcessors(), cpuModel());
        if (!s.kafkaClient().isEmpty()) {
            System.out.println("kafka clients: " + s.kafkaClient());
        }
        System.out.printf(Locale.ROOT, "throughput: %,d sagas ended in the %d s window = %.1f sagas/s%n", measured,
                s.durationSeconds(), measured / seconds);
        if (measured > 0) {
            System.out.printf(Locale.ROOT, "latency (%s -> terminal): p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                    s.openLoop() ? "scheduled start" : "start", ms(l, 50), ms(l, 95), ms(l, 99), l.getMaxValue() / 1e6);
        }
        double cpuMsPerSaga = Double.NaN;
        if (stats.cpuNanosAtStart >= 0 && stats.cpuNanosAtEnd >= 0 && measured > 0) {
            double cpu = (stats.cpuNanosAtEnd - stats.cpuNanosAtStart) / 1e9;
            cpuMsPerSaga = 1000 * cpu / measured;
            System.out.printf(Locale.ROOT, "CPU in the window (the whole JVM: broker, engine, services): %.1f s of %.0f s x %d"
                    + " cores = %.0f %%, %.2f ms per saga%n", cpu, seconds, Runtime.getRuntime().availableProcessors(),
                    100 * cpu / (seconds * Runtime.getRuntime().availableProcessors()), 1000 * cpu / measured);
            if (stats.threadsAtStart != null && stats.threadsAtEnd != null) {
                ThreadCpu.print(stats.threadsAtEnd.since(stats.threadsAtStart), stats.cpuNanosAtEnd - stats.cpuNanosAtStart,
                        measured, 14);
                long jit = stats.threadsAtEnd.compileMsSince(stats.threadsAtStart);
                long gc = stats.threadsAtEnd.gcMsSince(stats.threadsAtStart);
                System.out.printf(Locale.ROOT, "  of the JVM's own work: JIT compilation %s, garbage collection %d ms (%.3f ms per"
                        + " saga); a JIT share that is still large means the warm-up was too short for a steady state%n",
                        jit < 0 ? "not reported" : jit + " ms (" + String.format(Locale.ROOT, "%.3f", jit / (double) measured)
                                + " ms per saga)", gc, gc / (double) measured);
            }
        }
        double spansPerSaga = 0;
        if (stats.tracing.isOn()) {
            long spans = stats.spansAtEnd - stats.spansAtStart;
            spansPerSaga = measured == 0 ? 0 : spans / (double) measured;
            System.out.printf(Locale.ROOT, "tracing on (an OpenTelemetry SDK per service, parent-based always-on sampler,"
                    + " batch span processor, exporter that counts and drops): %,d spans ended in the window = %.2f per saga%n",
                    spans, spansPerSaga);
        } else {
            System.out.println("tracing off (OpenTelemetry.noop() in the engine and the services)");
        }
        System.out.printf(Locale.ROOT, "outcomes in the window: COMPLETED %,d, COMPENSATED %,d%n",
                stats.outcomes.get(SagaStatus.COMPLETED).sum(), stats.outcomes.get(SagaStatus.COMPENSATED).sum());
        long tx = stats.transactions.sum();
        long deletes = stats.outboxDeletes.sum();
        System.out.printf(Locale.ROOT, "engine store in the window: %,d transactions = %.0f/s + %,d outbox deletions = %.0f/s"
                        + " (each a commit): %.2f commits per saga%n", tx, tx / seconds, deletes,
                deletes / seconds, measured == 0 ? 0.0 : (tx + deletes) / (double) measured);
        if (stats.databaseCommitsAtStart >= 0 && stats.databaseCommitsAtEnd >= 0) {
            long commits = stats.databaseCommitsAtEnd - stats.databaseCommitsAtStart;
            System.out.printf(Locale.ROOT, "PostgreSQL in the window (pg_stat_database.xact_commit, reads and polls included):"
                    + " %,d commits = %.0f/s%n", commits, commits / seconds);
        }
        long batches = stats.replyBatches.sum();
        long sent = stats.sends.sum();
        System.out.printf(Locale.ROOT, "engine in the window: %,d reply batches (one transaction each) = %.0f/s, %.1f replies"
                        + " per batch (max %d); %,d sends = %.0f/s, %.1f commands each%n",
                batches, batches / seconds, batches == 0 ? 0.0 : stats.replies.sum() / (double) batches, stats.maxBatch.get(),
                sent, sent / seconds, sent == 0 ? 0.0 : stats.sentMessages.sum() / (double) sent);
        boolean allEnded = drained && stats.endedTotal.sum() == started;
        System.out.printf(Locale.ROOT, "whole run: %,d started, %,d ended (%s, drained in %d ms), %d ended twice,"
                        + " %,d duplicate replies, %,d ignored replies, %d dead letters, %d times FAILED or PENDING (%d FAILED)%n",
                started, stats.endedTotal.sum(), allEnded ? "every saga ended once" : "NOT ALL ENDED",
                drainMs, stats.duplicateEnds.sum(), stats.duplicates.sum(), stats.ignored.sum(), stats.deadLetters.sum(), stats.failedOrPending.sum(),
                stats.failed.sum());
        return new Phase(s.tracing().getFirst(), measured / seconds, cpuMsPerSaga, measured > 0 ? ms(l, 99) : Double.NaN,
                spansPerSaga, allEnded && stats.duplicateEnds.sum() == 0 && stats.deadLetters.sum() == 0
                && stats.failed.sum() == 0);
    }

    /**
     * After the last phase: with several, a table of the phases in order and, per tracing mode, the median (the mean of
     * the middle two for an even count) and range; then, for every run, one {@code RESULT} line of {@code key=value}
     * pairs for scripts. Lists in it are in phase order.
     */
    static void printPhases(List<Phase> phases, BenchSettings s) {
        List<Phase> off = phases.stream().filter(p -> !p.tracing()).toList();
        List<Phase> on = phases.stream().filter(Phase::tracing).toList();
        if (phases.size() > 1) {
            System.out.println();
            System.out.printf(Locale.ROOT, "tracing off and on in one JVM and broker: shared warm-up %d s, then %d phases of"
                    + " %d s settle + %d s measured, engine and services rebuilt for each%n", s.warmupSeconds(), phases.size(),
                    s.settleSeconds(), s.durationSeconds());
            System.out.println("phase  tracing  sagas/s  CPU ms/saga  p99 ms  spans/saga  valid");
            for (int i = 0; i < phases.size(); i++) {
                Phase p = phases.get(i);
                System.out.printf(Locale.ROOT, "%5d  %-7s  %7.1f  %11.2f  %6.0f  %10.2f  %s%n", i + 1, p.tracing() ? "on" : "off",
                        p.sagasPerSecond(), p.cpuMsPerSaga(), p.p99Ms(), p.spansPerSaga(), p.valid());
            }
            for (List<Phase> mode : List.of(off, on)) {
                if (!mode.isEmpty()) {
                    System.out.printf(Locale.ROOT, "tracing %-3s median %.1f sagas/s (%.1f-%.1f), %.2f ms CPU per saga (%.2f-%.2f)%n",
                            mode.getFirst().tracing() ? "on" : "off",
                            median(mode, Phase::sagasPerSecond), min(mode, Phase::sagasPerSecond), max(mode, Phase::sagasPerSecond),
                            median(mode, Phase::cpuMsPerSaga), min(mode, Phase::cpuMsPerSaga), max(mode, Phase::cpuMsPerSaga));
                }
            }
            if (!off.isEmpty() && !on.isEmpty()) {
                System.out.printf(Locale.ROOT, "on against off (medians): %+.1f %% sagas/s, %+.1f %% CPU per saga%n",
                        100 * (median(on, Phase::sagasPerSecond) / median(off, Phase::sagasPerSecond) - 1),
                        100 * (median(on, Phase::cpuMsPerSaga) / median(off, Phase::cpuMsPerSaga) - 1));
            }
        }
        List<String> pairs = new ArrayList<>();
        pairs.add("phases=" + phases.stream().map(p -> p.tracing() ? "on" : "off").collect(Collectors.joining(",")));
        for (List<Phase> mode : List.of(off, on)) {
            if (mode.isEmpty()) {
                continue;
            }
            String m = mode.getFirst().tracing() ? "on" : "off";
            pairs.add(m + ".sagas_per_s=" + list(mode, Phase::sagasPerSecond, "%.1f"));
            pairs.add(m + ".cpu_ms_per_saga=" + list(mode, Phase::cpuMsPerSaga, "%.2f"));
            pairs.add(m + ".p99_ms=" + list(mode, Phase::p99Ms, "%.0f"));
            if (m.equals("on")) {
                pairs.add("on.spans_per_saga=" + list(mode, Phase::spansPerSaga, "%.2f"));
            }
            pairs.add(String.format(Locale.ROOT, "%s.median_sagas_per_s=%.1f", m, median(mode, Phase::sagasPerSecond)));
            pairs.add(String.format(Locale.ROOT, "%s.median_cpu_ms_per_saga=%.2f", m, median(mode, Phase::cpuMsPerSaga)));
        }
        pairs.add("valid=" + phases.stream().allMatch(Phase::valid));
        System.out.println("RESULT " + String.join(" ", pairs));
    }

    /** The median of {@code f} over {@code phases}: the middle value, or the mean of the middle two. */
    static double median(List<Phase> phases, java.util.function.ToDoubleFunction<Phase> f) {
        double[] v = phases.stream().mapToDouble(f).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static double min(List<Phase> phases, java.util.function.ToDoubleFunction<Phase> f) {
        return phases.stream().mapToDouble(f).min().orElse(Double.NaN);
    }

    private static double max(List<Phase> phases, java.util.function.ToDoubleFunction<Phase> f) {
        return phases.stream().mapToDouble(f).max().orElse(Double.NaN);
    }

    private static String list(List<Phase> phases, java.util.function.ToDoubleFunction<Phase> f, String format) {
        return phases.stream().map(p -> String.format(Locale.ROOT, format, f.applyAsDouble(p))).collect(Collectors.joining(","));
    }

    /** The percentile ({@code 0} to {@code 100}) of {@code nanos}, in milliseconds. */
    private static double ms(Histogram nanos, double percentile) {
        return nanos.getValueAtPercentile(percentile) / 1e6;
    }

    /** The CPU model as Linux names it ({@code /proc/cpuinfo}), or what the JVM says of the platform elsewhere. */
    static String cpuModel() {
        try (var lines = java.nio.file.Files.lines(java.nio.file.Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("model name")).findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 1).strip()).orElse(System.getProperty("os.arch"));
        } catch (java.io.IOException | RuntimeException e) {
            return System.getProperty("os.arch");
        }
    }
}
