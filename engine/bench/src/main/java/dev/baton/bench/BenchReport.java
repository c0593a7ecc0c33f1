package dev.baton.bench;

import dev.baton.engine.SagaStatus;
import dev.baton.kafka.common.KafkaOptions;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/** The report {@link KafkaSagaBenchmark} prints at the end of a run. */
final class BenchReport {

    private BenchReport() {}

    /**
     * Prints the settings, throughput, latency percentiles (from an HdrHistogram, 3 significant digits) and what the
     * engine did in the measured window.
     */
    static void print(BenchStats stats, BenchSettings s, KafkaOptions o, long started, boolean drained, long drainMs) {
        Histogram l = stats.latencies();
        double seconds = s.durationSeconds();
        long measured = l.getTotalCount();
        System.out.println();
        BenchPostgres pg = stats.postgres;
        System.out.println("Baton end to end: four-step order saga, " + (s.nodes() == 1 ? "engine" : s.nodes()
                + " engine nodes (one JVM; shared database and reply consumer group)")
                + " + 4 participant services + Kafka broker in one JVM");
        System.out.printf(Locale.ROOT, "settings: inflight=%d warmup=%ds duration=%ds partitions=%d linger.ms=%d batch.size=%d"
                        + " max.poll.records=%d nodes=%d reply-consumers=%d starters=%d engine-store=%s participant-db=%s; JDK %s, %d cores%n",
                s.inflight(), s.warmupSeconds(), s.durationSeconds(), o.partitions(), o.lingerMs(), o.batchSize(),
                o.maxPollRecords(), s.nodes(), o.replyConsumers(), s.starters(), pg == null ? "H2 file" + (s.h2Settings().isEmpty() ? " (WRITE_DELAY=0)" : " " + s.h2Settings()) : pg.describe(),
                s.participantFiles() ? "H2 file (WRITE_DELAY=0)" : "H2 in memory",
                Runtime.version(), Runtime.getRuntime().availableProcessors());
        System.out.printf(Locale.ROOT, "throughput: %,d sagas ended in the %d s window = %.1f sagas/s%n", measured,
                s.durationSeconds(), measured / seconds);
        if (measured > 0) {
            System.out.printf(Locale.ROOT, "latency (start -> terminal): p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                    ms(l, 50), ms(l, 95), ms(l, 99), l.getMaxValue() / 1e6);
        }
        if (stats.cpuNanosAtStart >= 0 && stats.cpuNanosAtEnd >= 0 && measured > 0) {
            double cpu = (stats.cpuNanosAtEnd - stats.cpuNanosAtStart) / 1e9;
            System.out.printf(Locale.ROOT, "CPU in the window (the whole JVM: broker, engine, services): %.1f s of %.0f s x %d"
                    + " cores = %.0f %%, %.2f ms per saga%n", cpu, seconds, Runtime.getRuntime().availableProcessors(),
                    100 * cpu / (seconds * Runtime.getRuntime().availableProcessors()), 1000 * cpu / measured);
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
        System.out.printf(Locale.ROOT, "whole run: %,d started, %,d ended (%s, drained in %d ms), %d ended twice,"
                        + " %,d duplicate replies, %,d ignored replies, %d dead letters, %d times FAILED or PENDING%n",
                started, stats.endedTotal.sum(), drained && stats.endedTotal.sum() == started ? "every saga ended once" : "NOT ALL ENDED",
                drainMs, stats.duplicateEnds.sum(), stats.duplicates.sum(), stats.ignored.sum(), stats.deadLetters.sum(), stats.failedOrPending.sum());
    }

    /** The percentile ({@code 0} to {@code 100}) of {@code nanos}, in milliseconds. */
    private static double ms(Histogram nanos, double percentile) {
        return nanos.getValueAtPercentile(percentile) / 1e6;
    }
}
