package dev.baton.kafka.common.internal;

import static dev.baton.protocol.Headers.DEAD_LETTER_OFFSET;
import static dev.baton.protocol.Headers.DEAD_LETTER_PARTITION;
import static dev.baton.protocol.Headers.DEAD_LETTER_REASON;
import static dev.baton.protocol.Headers.DEAD_LETTER_TOPIC;

import dev.baton.kafka.common.KafkaOptions;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Kafka client settings, topic creation, header conversion and dead-lettering shared by the connector. */
public final class Clients {
    private static final Logger log = LoggerFactory.getLogger(Clients.class);

    private Clients() {}

    private static Properties base(KafkaOptions o) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, o.bootstrapServers());
        return p;
    }

    /** How long a producer's {@code send} may wait for metadata or buffer space (unless the options say otherwise). */
    public static final java.time.Duration MAX_BLOCK = java.time.Duration.ofSeconds(5);

    /**
     * An idempotent producer with {@code linger.ms} and {@code batch.size} from the options, whose {@code send} blocks
     * for at most {@link #MAX_BLOCK}.
     */
    public static KafkaProducer<String, byte[]> producer(KafkaOptions o, String clientId) {
        Properties p = base(o);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, Integer.toString(o.lingerMs()));
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(o.batchSize()));
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        // send() waits for topic metadata on the caller's thread (the engine's reply loop, a participant's loop);
        // with Kafka's 60 s default a broker outage froze those loops for a minute at a time
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(MAX_BLOCK.toMillis()));
        p.putAll(o.clientProperties());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return new KafkaProducer<>(p);
    }

    /** A consumer with manual offset commits, reading from the earliest offset when its group has none. */
    public static Properties consumer(KafkaOptions o, String groupId, String clientId) {
        Properties p = base(o);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(o.maxPollRecords()));
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        // a dead member's partitions move after the session timeout: Kafka's 45 s default stalls sagas too long
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "10000");
        p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "3000");
        // Incremental rebalancing: a member joining or leaving moves only the partitions that change owner. With the
        // eager default every member gave up all its partitions in every rebalance, stopped reading, and (the engine)
        // held its reply timeouts as if it had taken over; now only members that gain partitions do.
        p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        p.putAll(o.clientProperties());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return p;
    }

    /** An admin client with the options' bootstrap servers and client properties; the caller closes it. */
    public static Admin admin(KafkaOptions o, String clientId) {
        Properties p = base(o);
        p.putAll(o.clientProperties());
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
        return Admin.create(p);
    }

    /** Creates the topics that do not exist yet, with the options' partitions and replication. */
    public static void createTopics(KafkaOptions o, Collection<String> topics) {
        Properties p = base(o);
        p.putAll(o.clientProperties());
        try (Admin admin = Admin.create(p)) {
            List<NewTopic> wanted = new ArrayList<>();
            for (String t : topics) {
                wanted.add(new NewTopic(t, o.partitions(), o.replicationFactor()));
            }
            for (Map.Entry<String, org.apache.kafka.common.KafkaFuture<Void>> e : admin.createTopics(wanted).values().entrySet()) {
                try {
                    e.getValue().get(30, TimeUnit.SECONDS);
                    log.info("created topic {} ({} partitions, replication {})", e.getKey(), o.partitions(), o.replicationFactor());
                } catch (ExecutionException ex) {
                    if (!(ex.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create Kafka topic " + e.getKey() + ": " + ex.getCause().getMessage(), ex.getCause());
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating Kafka topics", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka did not answer within 30 s while creating topics " + topics
                    + " at " + o.bootstrapServers(), e);
        }
    }

    /** A record's headers as text (UTF-8); of repeated keys the last wins. */
    public static Map<String, String> headers(Headers headers) {
        Map<String, String> m = new LinkedHashMap<>();
        for (Header h : headers) {
            m.put(h.key(), h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8));
        }
        return m;
    }

    /** Kafka headers from text. */
    public static RecordHeaders headers(Map<String, String> headers) {
        RecordHeaders out = new RecordHeaders();
        headers.forEach((k, v) -> {
            if (v != null) {
                out.add(k, v.getBytes(StandardCharsets.UTF_8));
            }
        });
        return out;
    }

    /**
     * Sends a record that can never be processed to {@code <topic>.dlq}, as it was, with the reason and its original
     * coordinates in headers.
     */
    public static java.util.concurrent.Future<RecordMetadata> deadLetter(KafkaProducer<String, byte[]> producer,
                                                                        ConsumerRecord<String, byte[]> record, String reason) {
        RecordHeaders h = new RecordHeaders(record.headers().toArray());
        h.remove(DEAD_LETTER_REASON);
        h.add(DEAD_LETTER_REASON, reason.getBytes(StandardCharsets.UTF_8));
        h.add(DEAD_LETTER_TOPIC, record.topic().getBytes(StandardCharsets.UTF_8));
        h.add(DEAD_LETTER_PARTITION, Integer.toString(record.partition()).getBytes(StandardCharsets.UTF_8));
        h.add(DEAD_LETTER_OFFSET, Long.toString(record.offset()).getBytes(StandardCharsets.UTF_8));
        log.warn("dead-lettering {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), reason);
        return producer.send(new ProducerRecord<>(KafkaOptions.deadLetterTopic(record.topic()), null, record.key(),
                record.value(), h));
    }
}
