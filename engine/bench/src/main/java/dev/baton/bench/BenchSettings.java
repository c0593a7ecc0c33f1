package dev.baton.bench;

import java.nio.file.Path;

/**
 * What the command line of {@link KafkaSagaBenchmark} set ({@link KafkaBenchCommand}).
 *
 * @param postgres null for the H2 file, "" for an embedded PostgreSQL, else the JDBC URL of an existing server
 */
record BenchSettings(int inflight, int warmupSeconds, int durationSeconds, int partitions, boolean participantFiles,
                     Path dir, String postgres, String postgresUser, String postgresPassword, int nodes,
                     int replyConsumers, int starters, int lingerMs, String h2Settings) {

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
