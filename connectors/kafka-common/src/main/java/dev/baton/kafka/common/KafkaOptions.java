package dev.baton.kafka.common;

import dev.baton.protocol.Secrets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Settings of Baton's Kafka connector, shared by the engine's transport, the start-topic consumer and participant
 * bindings. An immutable value: each {@code with...} returns a copy. {@link #validate()} reports every bad
 * setting at once.
 *
 * <p>Topics: commands go to {@code <prefix><participant>.commands}, replies to {@code <prefix>replies}, starts to
 * {@code <prefix>starts}; a record that can never be processed goes to the same name plus {@code .dlq}. The
 * prefix defaults to {@code "baton."}.
 *
 * @param bootstrapServers Kafka's {@code bootstrap.servers}; required
 * @param topicPrefix prefix of every topic name; defaults to {@code "baton."}
 * @param partitions partitions of the topics Baton creates; defaults to 3
 * @param replicationFactor replication of the topics Baton creates; defaults to 1 (set 3 in production)
 * @param engineGroupId the consumer group of engine nodes; defaults to {@code "baton-engine"}
 * @param pollTimeout how long a consumer poll waits for records; defaults to 100 ms
 * @param maxPollRecords records per poll, applied by the engine in one transaction; defaults to 500
 * @param lingerMs producer {@code linger.ms}; defaults to 0 (Kafka 4's default of 5 ms costs a few ms per hop)
 * @param batchSize producer {@code batch.size}; defaults to 128 KiB (small batches stall deep pipelines)
 * @param retryBackoff how long a consumer waits before re-reading records whose processing failed (a database
 *                     outage, say); defaults to 1 s
 * @param clientProperties passed to every Kafka client as they are (TLS, SASL, client.id, ...); they win over
 *                         Baton's defaults except for serializers and offset commit mode
 * @param replyConsumers reply consumers (threads) per engine node, all in the engine group: each applies the
 *                       replies of its own partitions, so a node runs that many reply transactions at once. Worth
 *                       raising where a transaction waits on the network (PostgreSQL); at most the partitions the
 *                       node gets. Defaults to 1
 * @since 0.1
 */
public record KafkaOptions(String bootstrapServers, String topicPrefix, int partitions, short replicationFactor,
                           String engineGroupId, Duration pollTimeout, int maxPollRecords, int lingerMs, int batchSize,
                           Duration retryBackoff, Map<String, String> clientProperties, int replyConsumers) {
    private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9._-]*");

    public KafkaOptions {
        clientProperties = Map.copyOf(clientProperties);
    }

    /** Defaults, for the given bootstrap servers. */
    public static KafkaOptions defaults(String bootstrapServers) {
        return new KafkaOptions(bootstrapServers, "baton.", 3, (short) 1, "baton-engine", Duration.ofMillis(100), 500, 0,
                128 * 1024, Duration.ofSeconds(1), Map.of(), 1);
    }

    public KafkaOptions withTopicPrefix(String prefix) {
        return new KafkaOptions(bootstrapServers, prefix, partitions, replicationFactor, engineGroupId, pollTimeout,
                maxPollRecords, lingerMs, batchSize, retryBackoff, clientProperties, replyConsumers);
    }

    public KafkaOptions withPartitions(int n) {
        return new KafkaOptions(bootstrapServers, topicPrefix, n, replicationFactor, engineGroupId, pollTimeout,
                maxPollRecords, lingerMs, batchSize, retryBackoff, clientProperties, replyConsumers);
    }

    public KafkaOptions withReplicationFactor(short rf) {
        return new KafkaOptions(bootstrapServers, topicPrefix, partitions, rf, engineGroupId, pollTimeout,
                maxPollRecords, lingerMs, batchSize, retryBackoff, clientProperties, replyConsumers);
    }

    public KafkaOptions withEngineGroupId(String groupId) {
        return new KafkaOptions(bootstrapServers, topicPrefix, partitions, replicationFactor, groupId, pollTimeout,
                maxPollRecords, lingerMs, batchSize, retryBackoff, clientProperties, replyConsumers);
    }

    public KafkaOptions withPollTimeout(Duration timeout) {
        return new KafkaOptions(bootstrapServers, topicPrefix, partitions, replicationFactor, engineGroupId, timeout,
                maxPollRecords, lingerMs, batchSize, retryBackoff, clientProperties, replyConsumers);
    }

    public KafkaOptions withMaxPollRecords(int n) {
        return new KafkaOptions(bootstrapServers, topicPrefix, partitions, replicationFactor, engineGroupId, pollTimeout,
                n, lingerMs, batchSize, retryBackoff, clientProperties, replyConsumers);
    }

    public KafkaOptions withLingerMs(int ms) {
        return new KafkaOptions(bootstrapServers, topicPrefix, partitions, replicationFactor, engineGroupId, pollTimeout,
                maxPollRecords, ms, batchSize, retryBackoff, clientProperties, replyConsumers);
    }

    public KafkaOptions withBatchSize(int bytes) {
        return new KafkaOptions(bootstrapServers, topicPrefix, partitions, replicationFactor, engineGroupId, pollTimeout,
                maxPollRecords, lingerMs, bytes, retryBackoff, clientProperties, replyConsumers);
    }

    public KafkaOptions withRetryBackoff(Duration backoff) {
        return new KafkaOptions(bootstrapServers, topicPrefix, partitions, replicationFactor, engineGroupId, pollTimeout,
                maxPollRecords, lingerMs, batchSize, backoff, clientProperties, replyConsumers);
    }

    /** A copy with {@code n} reply consumers per engine node (see the record's description). */
    public KafkaOptions withReplyConsumers(int n) {
        return new KafkaOptions(bootstrapServers, topicPrefix, partitions, replicationFactor, engineGroupId, pollTimeout,
                maxPollRecords, lingerMs, batchSize, retryBackoff, clientProperties, n);
    }

    /** A copy with one more client property (for example {@code security.protocol=SSL}). */
    public KafkaOptions withClientProperty(String key, String value) {
        Map<String, String> m = new LinkedHashMap<>(clientProperties);
        m.put(key, value);
        return new KafkaOptions(bootstrapServers, topicPrefix, partitions, replicationFactor, engineGroupId, pollTimeout,
                maxPollRecords, lingerMs, batchSize, retryBackoff, m, replyConsumers);
    }

    /** The command topic of a participant. */
    public String commandTopic(String participant) {
        return topicPrefix + participant + ".commands";
    }

    /** The consumer group of a participant's service instances: {@code <prefix>participant.<participant>}. */
    public String participantGroupId(String participant) {
        return topicPrefix + "participant." + participant;
    }

    /** The topic replies go to. */
    public String replyTopic() {
        return topicPrefix + "replies";
    }

    /** The topic saga start requests go to. */
    public String startTopic() {
        return topicPrefix + "starts";
    }

    /** The consumer group of the engine nodes' start consumers: {@code <engineGroupId>-starts}. */
    public String startGroupId() {
        return engineGroupId + "-starts";
    }

    /** The dead-letter topic of a topic. */
    public static String deadLetterTopic(String topic) {
        return topic + ".dlq";
    }

    /**
     * Checks every setting.
     *
     * @throws IllegalArgumentException listing every problem, each naming the setting and what is expected
     */
    public KafkaOptions validate() {
        List<String> p = new ArrayList<>();
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            p.add("bootstrapServers is required (host:port[,host:port...])");
        }
        if (topicPrefix == null || !TOPIC.matcher(topicPrefix).matches()) {
            p.add("topicPrefix must be letters, digits, '.', '_' or '-', but was '" + topicPrefix + "'");
        }
        if (partitions < 1) {
            p.add("partitions must be >= 1, but was " + partitions);
        }
        if (replicationFactor < 1) {
            p.add("replicationFactor must be >= 1, but was " + replicationFactor);
        }
        if (engineGroupId == null || engineGroupId.isBlank()) {
            p.add("engineGroupId must not be blank");
        }
        if (pollTimeout == null || pollTimeout.isNegative() || pollTimeout.isZero()) {
            p.add("pollTimeout must be positive, but was " + pollTimeout);
        }
        if (maxPollRecords < 1) {
            p.add("maxPollRecords must be >= 1, but was " + maxPollRecords);
        }
        if (lingerMs < 0) {
            p.add("lingerMs must be >= 0, but was " + lingerMs);
        }
        if (batchSize < 1) {
            p.add("batchSize must be >= 1, but was " + batchSize);
        }
        if (retryBackoff == null || retryBackoff.isNegative()) {
            p.add("retryBackoff must be >= 0, but was " + retryBackoff);
        }
        if (replyConsumers < 1) {
            p.add("replyConsumers must be >= 1, but was " + replyConsumers);
        }
        if (!p.isEmpty()) {
            throw new IllegalArgumentException("invalid Kafka settings:\n  - " + String.join("\n  - ", p));
        }
        return this;
    }

    @Override
    public String toString() {
        Map<String, String> masked = Secrets.maskAll(clientProperties);
        return "KafkaOptions[bootstrapServers=" + bootstrapServers + ", topicPrefix=" + topicPrefix + ", partitions="
                + partitions + ", replicationFactor=" + replicationFactor + ", engineGroupId=" + engineGroupId
                + ", pollTimeout=" + pollTimeout + ", maxPollRecords=" + maxPollRecords + ", lingerMs=" + lingerMs
                + ", batchSize=" + batchSize + ", retryBackoff=" + retryBackoff + ", clientProperties=" + masked + "]";
    }

}
