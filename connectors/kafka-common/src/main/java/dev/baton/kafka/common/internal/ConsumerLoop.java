package dev.baton.kafka.common.internal;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One consumer on its own thread: poll, hand the batch to a handler, commit the offsets the handler reports as
 * done. A handler that throws has the whole batch re-read after a back-off (nothing committed); a handler that
 * stops early on a partition has that partition re-read from where it stopped, after the back-off. Offsets are
 * committed only after the handler returned, so records are processed at least once.
 *
 * <p>Several processes may run loops of one group (several engine nodes): Kafka spreads the partitions among them.
 * When a rebalance takes partitions away while a batch was being handled, its offsets cannot be committed; the
 * batch's records are then read again by the partitions' new owner, which must tolerate that (the engine's inbox
 * drops them as duplicates). Assignments are logged at INFO, so a take-over can be timed from the logs.
 */
public final class ConsumerLoop implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConsumerLoop.class);

    /** Processes one poll's records. */
    @FunctionalInterface
    public interface Handler {
        /**
         * Returns, per partition, the offset of the first record NOT processed (a partition absent or at its end is
         * done). Throw to have the whole batch re-read.
         */
        Map<TopicPartition, Long> handle(ConsumerRecords<String, byte[]> records) throws Exception;
    }

    private final String name;
    private final Properties props;
    private final Collection<String> topics;
    private final Duration pollTimeout;
    private final Duration backoff;
    private final Handler handler;
    private final Consumer<Collection<TopicPartition>> onAssigned;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private Thread thread;

    public ConsumerLoop(String name, Properties props, Collection<String> topics, Duration pollTimeout, Duration backoff,
                        Handler handler) {
        this(name, props, topics, pollTimeout, backoff, handler, partitions -> {});
    }

    /**
     * @param onAssigned called on the consumer thread with the partitions newly assigned to this member (before any
     *                   of their records is handed to {@code handler})
     */
    public ConsumerLoop(String name, Properties props, Collection<String> topics, Duration pollTimeout, Duration backoff,
                        Handler handler, Consumer<Collection<TopicPartition>> onAssigned) {
        this.onAssigned = onAssigned;
        this.name = name;
        this.props = props;
        this.topics = List.copyOf(topics);
        this.pollTimeout = pollTimeout;
        this.backoff = backoff;
        this.handler = handler;
    }

    /** Starts the consumer thread. */
    public synchronized void start() {
        if (thread != null) {
            return;
        }
        consumer = new KafkaConsumer<>(props);
        thread = Thread.ofPlatform().name(name).daemon().start(this::run);
    }

    private void run() {
        KafkaConsumer<String, byte[]> c = consumer;
        try {
            c.subscribe(topics, new Rebalances());
            while (running) {
                ConsumerRecords<String, byte[]> records = c.poll(pollTimeout);
                if (records.isEmpty()) {
                    continue;
                }
                Map<TopicPartition, Long> stoppedAt;
                try {
                    stoppedAt = handler.handle(records);
                } catch (WakeupException e) {
                    throw e;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (Exception e) {
                    log.warn("{}: processing {} record(s) failed; re-reading them in {}: {}", name, records.count(), backoff,
                            e.toString());
                    for (TopicPartition tp : records.partitions()) {
                        if (c.assignment().contains(tp)) {
                            c.seek(tp, records.records(tp).get(0).offset());
                        }
                    }
                    pause(backoff);
                    continue;
                }
                Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
                boolean partial = false;
                for (TopicPartition tp : records.partitions()) {
                    List<ConsumerRecord<String, byte[]>> rs = records.records(tp);
                    long end = rs.get(rs.size() - 1).offset() + 1;
                    long next = stoppedAt == null || !stoppedAt.containsKey(tp) ? end : stoppedAt.get(tp);
                    if (next > rs.get(0).offset()) {
                        commit.put(tp, new OffsetAndMetadata(next));
                    }
                    if (next < end && c.assignment().contains(tp)) {
                        c.seek(tp, next);
                        partial = true;
                    }
                }
                if (!commit.isEmpty()) {
                    commit(c, commit);
                }
                if (partial) {
                    pause(backoff);
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            log.error("{}: consumer loop stopped by an unexpected error", name, e);
        } finally {
            try {
                c.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(5)));
            } catch (RuntimeException e) {
                log.debug("{}: closing the consumer failed", name, e);
            }
            stopped.countDown();
        }
    }

    private void commit(KafkaConsumer<String, byte[]> c, Map<TopicPartition, OffsetAndMetadata> offsets) {
        try {
            c.commitSync(offsets);
        } catch (CommitFailedException | RebalanceInProgressException e) {
            // The group moved (some of) these partitions to another member meanwhile: it re-reads the batch's
            // records from the last committed offsets; the handler's work is idempotent for that.
            log.info("{}: offsets of {} not committed, the group is rebalancing; their records will be read again by"
                    + " the partitions' owner: {}", name, offsets.keySet(), e.toString());
        }
    }

    /** Logs assignments (take-overs show in the log) and tells {@link #onAssigned}. */
    private final class Rebalances implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return;
            }
            log.info("{}: partitions assigned: {}", name, sorted(partitions));
            try {
                onAssigned.accept(partitions);
            } catch (RuntimeException e) {
                log.warn("{}: the assignment callback failed; ignored", name, e);
            }
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (!partitions.isEmpty()) {
                log.info("{}: partitions revoked: {}", name, sorted(partitions));
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            if (!partitions.isEmpty()) {
                log.warn("{}: partitions lost (this member was out of the group too long): {}", name, sorted(partitions));
            }
        }

        private static List<String> sorted(Collection<TopicPartition> partitions) {
            return partitions.stream().map(TopicPartition::toString).sorted().toList();
        }
    }

    private void pause(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    @Override
    public void close() {
        running = false;
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        try {
            if (thread != null && !stopped.await(15, TimeUnit.SECONDS)) {
                log.warn("{}: consumer thread did not stop within 15 s", name);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
