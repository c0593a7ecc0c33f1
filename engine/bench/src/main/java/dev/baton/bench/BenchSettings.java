package dev.baton.bench;

import java.nio.file.Path;
import java.util.List;

/**
 * What the command line of {@link KafkaSagaBenchmark} set ({@link KafkaBenchCommand}).
 *
 * @param postgres null for the H2 file, "" for an embedded PostgreSQL, else the JDBC URL of an existing server
 * @param tracing the measured phases in order, each with tracing on ({@code true}) or off; one phase is one run as
 *                before, several alternate in this JVM ({@link KafkaSagaBenchmark})
 * @param settleSeconds with several phases, the seconds of load after each phase's engine and services are built
 *                      and before it measures
 * @param kafkaClient properties given to every Kafka client of the run ({@code KafkaOptions#withClientProperty})
 * @param rate 0 for a closed loop (a saga starts when one ends); else the sagas started per second whatever the
 *             engine does (open loop), {@code inflight} then being only a cap
 */
record BenchSettings(int inflight, int warmupSeconds, int durationSeconds, int partitions, boolean participantFiles,
                     Path dir, String postgres, String postgresUser, String postgresPassword, int nodes,
                     int replyConsumers, int starters, int lingerMs, String h2Settings, List<Boolean> tracing,
                     int settleSeconds, double rate, java.util.Map<String, String> kafkaClient) {

    BenchSettings {
        tracing = List.copyOf(tracing);
        kafkaClient = java.util.Map.copyOf(kafkaClient);
    }

    /** Closed loop. */
    BenchSettings(int inflight, int warmupSeconds, int durationSeconds, int partitions, boolean participantFiles,
                  Path dir, String postgres, String postgresUser, String postgresPassword, int nodes,
                  int replyConsumers, int starters, int lingerMs, String h2Settings, List<Boolean> tracing,
                  int settleSeconds) {
        this(inflight, warmupSeconds, durationSeconds, partitions, participantFiles, dir, postgres, postgresUser,
                postgresPassword, nodes, replyConsumers, starters, lingerMs, h2Settings, tracing, settleSeconds, 0,
                java.util.Map.of());
    }

    boolean openLoop() {
        return rate > 0;
    }

    /** These settings for one stage of a run: its warm-up and measured seconds, its tracing. */
    BenchSettings forStage(int warmup, int duration, boolean tracingOn) {
        return new BenchSettings(inflight, warmup, duration, partitions, participantFiles, dir, postgres, postgresUser,
                postgresPassword, nodes, replyConsumers, starters, lingerMs, h2Settings, List.of(tracingOn), settleSeconds, rate,
                kafkaClient);
    }

    /**
     * {@code url} with each {@code ;KEY=VALUE} of {@code settings} in place of the URL's own value for that key (H2
     * refuses a URL that names a setting twice), for comparing H2 settings of the engine's file.
     */
    static String withH2Settings(String url, String settings) {
        String result = url;
        for (String setting : settings.split(";")) {
            if (setting.isBlank()) {
                continue;
            }
            String key = setting.substring(0, setting.indexOf('=') < 0 ? setting.length() : setting.indexOf('='));
            result = result.replaceAll("(?i);" + java.util.regex.Pattern.quote(key) + "=[^;]*", "") + ";" + setting;
        }
        return result;
    }
}
