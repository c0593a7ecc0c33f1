package dev.baton.participant.spring;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The participant's settings under {@code baton.participant} in {@code application.yml}.
 *
 * <pre>{@code
 * baton:
 *   participant:
 *     bootstrap-servers: kafka-1:9092,kafka-2:9092
 *     topic-prefix: baton.            # the engine's prefix: commands on <prefix><participant>.commands
 *     retention: 30d                  # how long answers are kept for redeliveries; 0 keeps them forever
 *     batch-size: 100                 # commands of one poll committed together
 *     max-poll-records: 500
 *     migrate: true                   # create the SDK's tables with Flyway (default: when Flyway is present)
 *     exception-messages-in-reasons: false
 *     kafka:                          # any Kafka client property, for both consumer and producer
 *       security.protocol: SSL
 * }</pre>
 *
 * @since 0.6
 */
@ConfigurationProperties("baton.participant")
public class BatonParticipantProperties {

    /** False turns the starter off: no store, no Kafka binding. */
    private boolean enabled = true;
    /** The Kafka brokers the engine uses. */
    private String bootstrapServers = "localhost:9092";
    /** The engine's topic prefix. */
    private String topicPrefix = "baton.";
    /** Partitions of topics the participant creates when they are missing. */
    private int partitions = 3;
    /** Records fetched per poll, at most. */
    private int maxPollRecords = 500;
    /** Commands committed in one database transaction, at most; 1 turns batching off. */
    private int batchSize = 100;
    /** How often a transaction that lost to a concurrent one runs again before the command is retried later. */
    private int contentionAttempts = 5;
    /** How long answers are kept (they must outlive every redelivery and compensation); zero keeps them forever. */
    private Duration retention = Duration.ofDays(30);
    /** Whether the store creates its tables with Flyway; unset: when Flyway is on the classpath. */
    private Boolean migrate;
    /** Whether the reason answered for a handler's exception shows its message (it may hold personal data). */
    private boolean exceptionMessagesInReasons;
    /** How long shutdown waits for the command loop to finish the poll in hand. */
    private Duration shutdownTimeout = Duration.ofSeconds(30);
    /** Extra Kafka client properties. */
    private Map<String, String> kafka = new LinkedHashMap<>();

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public String getBootstrapServers() {
        return bootstrapServers;
    }

    public void setBootstrapServers(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
    }

    public String getTopicPrefix() {
        return topicPrefix;
    }

    public void setTopicPrefix(String topicPrefix) {
        this.topicPrefix = topicPrefix;
    }

    public int getPartitions() {
        return partitions;
    }

    public void setPartitions(int partitions) {
        this.partitions = partitions;
    }

    public int getMaxPollRecords() {
        return maxPollRecords;
    }

    public void setMaxPollRecords(int maxPollRecords) {
        this.maxPollRecords = maxPollRecords;
    }

    public int getBatchSize() {
        return batchSize;
    }

    public void setBatchSize(int batchSize) {
        this.batchSize = batchSize;
    }

    public int getContentionAttempts() {
        return contentionAttempts;
    }

    public void setContentionAttempts(int contentionAttempts) {
        this.contentionAttempts = contentionAttempts;
    }

    public Duration getRetention() {
        return retention;
    }

    public void setRetention(Duration retention) {
        this.retention = retention;
    }

    public Boolean getMigrate() {
        return migrate;
    }

    public void setMigrate(Boolean migrate) {
        this.migrate = migrate;
    }

    public boolean isExceptionMessagesInReasons() {
        return exceptionMessagesInReasons;
    }

    public void setExceptionMessagesInReasons(boolean exceptionMessagesInReasons) {
        this.exceptionMessagesInReasons = exceptionMessagesInReasons;
    }

    public Duration getShutdownTimeout() {
        return shutdownTimeout;
    }

    public void setShutdownTimeout(Duration shutdownTimeout) {
        this.shutdownTimeout = shutdownTimeout;
    }

    public Map<String, String> getKafka() {
        return kafka;
    }

    public void setKafka(Map<String, String> kafka) {
        this.kafka = kafka;
    }
}
