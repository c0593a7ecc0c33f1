package dev.baton.kafka;

import dev.baton.engine.SagaCodecException;
import dev.baton.engine.SagaDefinitionMismatchException;
import dev.baton.engine.SagaEngine;
import dev.baton.engine.spi.SagaListener;
import dev.baton.kafka.common.KafkaOptions;
import dev.baton.kafka.common.LoopHealth;
import dev.baton.kafka.common.internal.Clients;
import dev.baton.kafka.common.internal.ConsumerLoop;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Starts sagas from the start topic ({@code <prefix>starts}). A record's value is the saga data as JSON, header
 * {@value #SAGA_TYPE} names the saga type, and the record key, when present, is the business key: a second record
 * with the same key starts nothing new, exactly like {@link SagaEngine#start(String, String, String)}. A record
 * that names no known type or whose data does not map goes to {@code <prefix>starts.dlq} with the reason. The loop
 * never stops on an error (it backs off and resumes); {@link #loopHealth()} reports its state.
 * Thread-safe.
 *
 * @since 0.1
 */
public final class KafkaStartConsumer implements AutoCloseable {
    /** The header naming the saga type. */
    public static final String SAGA_TYPE = "baton-saga-type";

    private final KafkaOptions options;
    private final SagaEngine engine;
    private final SagaListener listener;
    private final KafkaProducer<String, byte[]> producer;
    private final ConsumerLoop loop;

    public KafkaStartConsumer(KafkaOptions options, SagaEngine engine, SagaListener listener) {
        this.options = options.validate();
        this.engine = engine;
        this.listener = listener == null ? SagaListener.NOOP : listener;
        this.producer = Clients.producer(options, "baton-engine-starts-dlq");
        this.loop = new ConsumerLoop("baton-kafka-starts", Clients.consumer(options, options.startGroupId(),
                "baton-engine-starts"), List.of(options.startTopic()), options.pollTimeout(), options.retryBackoff(), this::handle);
    }

    /** Creates the start topic (and its dead-letter topic) if needed and starts consuming. */
    public KafkaStartConsumer start() {
        Clients.createTopics(options, List.of(options.startTopic(), KafkaOptions.deadLetterTopic(options.startTopic())));
        loop.start();
        return this;
    }

    private Map<TopicPartition, Long> handle(ConsumerRecords<String, byte[]> records) throws Exception {
        // The poll's starts are made concurrently, one virtual thread each, so that the engine's group commit
        // writes them in a few transactions instead of one each. Business keys keep starts idempotent whatever the
        // order.
        List<ConsumerRecord<String, byte[]>> all = new ArrayList<>();
        records.forEach(all::add);
        List<Future<String>> outcomes = new ArrayList<>(all.size());
        try (ExecutorService starters = Executors.newVirtualThreadPerTaskExecutor()) {
            for (ConsumerRecord<String, byte[]> r : all) {
                outcomes.add(starters.submit(() -> startOrReason(r)));
            }
        }
        // A start that failed for another reason (the store is down, say) stops its partition there: that record and
        // the ones after it are read again after the back-off. Starts after it that did succeed are then made again,
        // which a record key (the business key) makes harmless; records without a key are at-least-once.
        Map<TopicPartition, Long> stoppedAt = new HashMap<>();
        Throwable failure = null;
        for (int i = 0; i < all.size(); i++) {
            try {
                outcomes.get(i).get();
            } catch (ExecutionException e) {
                ConsumerRecord<String, byte[]> r = all.get(i);
                stoppedAt.merge(new TopicPartition(r.topic(), r.partition()), r.offset(), Math::min);
                failure = failure == null ? e.getCause() : failure;
            }
        }
        List<Future<RecordMetadata>> dead = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            ConsumerRecord<String, byte[]> r = all.get(i);
            Long stop = stoppedAt.get(new TopicPartition(r.topic(), r.partition()));
            if (stop != null && r.offset() >= stop) {
                continue; // read again
            }
            String reason = outcomes.get(i).get();
            if (reason != null) {
                try {
                    listener.onDeadLetter(KafkaOptions.deadLetterTopic(r.topic()), reason);
                } catch (RuntimeException e) {
                    org.slf4j.LoggerFactory.getLogger(KafkaStartConsumer.class).warn("a SagaListener threw; ignored", e);
                }
                dead.add(Clients.deadLetter(producer, r, reason));
            }
        }
        for (Future<RecordMetadata> f : dead) {
            f.get();
        }
        if (failure != null) {
            org.slf4j.LoggerFactory.getLogger(KafkaStartConsumer.class).warn("starting sagas from {} failed; reading"
                    + " from offsets {} again after {}: {}", options.startTopic(), stoppedAt, options.retryBackoff(),
                    failure.toString());
        }
        return stoppedAt;
    }

    /** Starts the record's saga; returns why it goes to the dead-letter topic, or null. */
    private String startOrReason(ConsumerRecord<String, byte[]> r) {
        Map<String, String> h = Clients.headers(r.headers());
        String type = h.get(SAGA_TYPE);
        if (type == null || type.isBlank()) {
            return "missing header " + SAGA_TYPE;
        }
        if (r.value() == null) {
            return "no saga data: the record value must be the data as JSON";
        }
        try {
            engine.start(type, new String(r.value(), StandardCharsets.UTF_8), r.key());
            return null;
        } catch (SagaDefinitionMismatchException | SagaCodecException | IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    /** The state of the start-topic loop, for health checks and metrics. */
    public LoopHealth loopHealth() {
        return loop.health();
    }

    @Override
    public void close() {
        loop.close();
        producer.close(java.time.Duration.ofSeconds(5));
    }
}
