package dev.baton.bench;

import java.nio.file.Path;

/**
 * What the command line of {@link KafkaSagaBenchmark} set ({@link KafkaBenchCommand}).
 *
 * @param postgres null for the H2 file, "" for an embedded PostgreSQL, else the JDBC URL of an existing server
 */
record BenchSettings(int inflight, int warmupSeconds, int durationSeconds, int partitions, boolean participantFiles,
                     Path dir, String postgres, String postgresUser, String postgresPassword, int nodes,
                     int replyConsumers, int starters, int lingerMs) {}
