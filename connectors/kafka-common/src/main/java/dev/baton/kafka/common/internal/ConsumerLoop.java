package dev.baton.kafka.common.internal;

import dev.baton.kafka.common.LoopHealth;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One consumer on its own thread: poll, hand the batch to a handler, commit the offsets the handler reports as
 * done. A handler that throws has the whole batch re-read after a back-off (nothing committed); a handler that
 * stops early on a partition has that partition re-read from where it stopped, after the back-off. Offsets are
 * committed only after the handler returned, so records are processed at least once.
 *
 * <p>The loop is supervised: it ends only on {@link #close()}. Any other error, from the consumer (poll, commit, the
 * broker unreachable) or from the handler, backs off (the configured back-off, doubling with each failure in a row up
 * to {@link #MAX_BACKOFF}) and resumes. A consumer that cannot be used any more (an {@link IllegalStateException} or a
 * non-retriable {@link KafkaException}), or that failed {@link #RECREATE_AFTER} times in a row, is closed and replaced
 * by a new one, which resumes from the group's committed offsets: records handled but not committed are read again,
 * which the handlers tolerate (the engine's inbox, the participant SDK's idempotency record).
 *
 * <p>An unreachable broker does not make {@code poll} throw: it returns nothing. So when polls come back empty the
 * loop asks the broker for its partitions' end offsets (at most every {@link #PROBE_EVERY}, waiting at most {@link
 * #PROBE_TIMEOUT}); a probe that gets no answer is a failure like any other. {@link #health()} reports when the
 * broker last answered, the failures in a row and the restarts; the {@link Observer} hears when the loop starts
 * failing and when it recovers.
 *
 * <p>Several processes may run loops of one group (several engine nodes): Kafka spreads the partitions among them.
 * When a rebalance takes partitions away while a batch was being handled, its offsets cannot be committed; the
 * batch's records are then read again by the partitions' new owner, which must tolerate that (the engine's inbox
 * drops them as duplicates). Assignments are logged at INFO, so a take-over can be timed from the logs.
 */
public final class ConsumerLoop implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConsumerLoop.class);

    /** The longest back-off between failures in a row. */
    public static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
    /** Consumer failures in a row after which the consumer is closed and a new one made. */
    public static final int RECREATE_AFTER = 5;
    /** How often an idle loop checks that the broker answers. */
    public static final Duration PROBE_EVERY = Duration.ofSeconds(1);
    /** How long that check, and a commit, may wait for the broker. */
    public static final Duration PROBE_TIMEOUT = Duration.ofSeconds(3);
    private static final Duration COMMIT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(2);

    /** Processes one poll's records. */
    @FunctionalInterface
    public interface Handler {
        /**
         * Returns, per partition, the offset of the first record NOT processed (a partition absent or at its end is
         * done). Throw to have the whole batch re-read.
         */
        Map<TopicPartition, Long> handle(ConsumerRecords<String, byte[]> records) throws Exception;
    }

    /** Hears about the loop's assignments and failures; called on the loop's thread, so it must be quick. */
    public interface Observer {
        /** Partitions newly assigned to this member, before any of their records is handed to the handler. */
        default void assigned(Collection<TopicPartition> partitions) {}

        /** The loop failed after having worked: it cannot read until it {@link #recovered}. */
        default void failing(LoopHealth health) {}

        /** The loop works again after failures. */
        default void recovered(LoopHealth health) {}
    }

    private final String name;
    private final Properties props;
    private final Collection<String> topics;
    private final Duration pollTimeout;
    private final Duration backoff;
    private final Handler handler;
    private final Observer observer;
    private final CountDownLatch closing = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private final LoopHealthTracker tracker;
    /**
     * A batch failed in the handler and is to be read again: until it is handled, the loop has not recovered, even
     * if the broker answers (used on the loop's thread only).
     */
    private boolean batchOwed;
    private Thread thread;

    public ConsumerLoop(String name, Properties props, Collection<String> topics, Duration pollTimeout, Duration backoff,
                        Handler handler) {
        this(name, props, topics, pollTimeout, backoff, handler, new Observer() {});
    }

    /**
     * @param onAssigned called on the consumer thread with the partitions newly assigned to this member (before any
     *                   of their records is handed to {@code handler})
     */
    public ConsumerLoop(String name, Properties props, Collection<String> topics, Duration pollTimeout, Duration backoff,
                        Handler handler, Consumer<Collection<TopicPartition>> onAssigned) {
        this(name, props, topics, pollTimeout, backoff, handler, new Observer() {
            @Override
            public void assigned(Collection<TopicPartition> partitions) {
                onAssigned.accept(partitions);
            }
        });
    }

    /**
     * @param backoff  the first back-off after a failure; it doubles with each failure in a row, up to the larger of
     *                 itself and {@link #MAX_BACKOFF}
     * @param observer told about assignments, failures and recoveries
     */
    public ConsumerLoop(String name, Properties props, Collection<String> topics, Duration pollTimeout, Duration backoff,
                        Handler handler, Observer observer) {
        this.name = name;
        this.props = props;
        this.topics = List.copyOf(topics);
        this.pollTimeout = pollTimeout;
        this.backoff = backoff;
        this.handler = handler;
        this.observer = observer;
        this.tracker = new LoopHealthTracker(name, backoff, observer);
    }

    /** The loop's state now. */
    public LoopHealth health() {
        return tracker.health();
    }

    /** Starts the consumer thread. */
    public synchronized void start() {
        if (thread != null) {
            return;
        }
        tracker.reset();
        consumer = newConsumer();
        thread = Thread.ofPlatform().name(name).daemon().start(this::run);
    }

    private KafkaConsumer<String, byte[]> newConsumer() {
        KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(props);
        try {
            c.subscribe(topics, new Rebalances());
        } catch (RuntimeException e) {
            closeQuietly(c);
            throw e;
        }
        return c;
    }

    private void run() {
        int consumerFailures = 0;
        Instant lastProbe = Instant.MIN;
        try {
            while (running) {
                boolean fromConsumer = true;
                try {
                    KafkaConsumer<String, byte[]> c = consumer;
                    if (c == null) {
                        consumer = c = newConsumer();
                    }
                    ConsumerRecords<String, byte[]> records = c.poll(pollTimeout);
                    if (records.isEmpty()) {
                        Instant now = Instant.now();
                        if (tracker.health().failing() || Duration.between(lastProbe, now).compareTo(PROBE_EVERY) >= 0) {
                            lastProbe = now;
                            probe(c);
                            tracker.polled();
                            if (!batchOwed) {
                                tracker.succeeded();
                            }
                        }
                        continue;
                    }
                    tracker.polled();
                    fromConsumer = false;
                    Map<TopicPartition, Long> stoppedAt = handle(c, records);
                    batchOwed = false;
                    fromConsumer = true;
                    boolean partial = commit(c, records, stoppedAt);
                    consumerFailures = 0;
                    tracker.succeeded();
                    if (partial) {
                        pause(backoff);
                    }
                } catch (WakeupException e) {
                    if (!running) {
                        break;
                    }
                } catch (Exception e) {
                    if (!running) {
                        break;
                    }
                    if (e instanceof InterruptedException) {
                        Thread.interrupted(); // not closing: a stray interrupt, handled as a failure
                    }
                    int failures = tracker.health().consecutiveFailures() + 1;
                    boolean recreate = false;
                    if (fromConsumer) {
                        consumerFailures++;
                        recreate = unusable(e) || consumerFailures >= RECREATE_AFTER;
                    }
                    tracker.failed(e, failures, recreate);
                    if (recreate) {
                        consumerFailures = 0;
                        KafkaConsumer<String, byte[]> c = consumer;
                        consumer = null;
                        if (c != null) {
                            closeQuietly(c);
                        }
                    }
                    pause(tracker.backoffAfter(failures));
                }
            }
        } finally {
            KafkaConsumer<String, byte[]> c = consumer;
            if (c != null) {
                closeQuietly(c);
            }
            stopped.countDown();
        }
    }

    /** Hands the batch to the handler; on a failure, seeks back so that the whole batch is read again. */
    private Map<TopicPartition, Long> handle(KafkaConsumer<String, byte[]> c, ConsumerRecords<String, byte[]> records)
            throws Exception {
        try {
            return handler.handle(records);
        } catch (Exception e) {
            batchOwed = true;
            Set<TopicPartition> assigned = c.assignment();
            for (TopicPartition tp : records.partitions()) {
                if (assigned.contains(tp)) {
                    c.seek(tp, records.records(tp).get(0).offset());
                }
            }
            throw e;
        }
    }

    /** Commits what the handler did; returns whether a partition stopped early (it was sought back). */
    private boolean commit(KafkaConsumer<String, byte[]> c, ConsumerRecords<String, byte[]> records,
                           Map<TopicPartition, Long> stoppedAt) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        boolean partial = false;
        for (TopicPartition tp : records.partitions()) {
            List<ConsumerRecord<String, byte[]>> rs = records.records(tp);
            long end = rs.get(rs.size() - 1).offset() + 1;
            long next = stoppedAt == null || !stoppedAt.containsKey(tp) ? end : stoppedAt.get(tp);
            if (next > rs.get(0).offset()) {
                offsets.put(tp, new OffsetAndMetadata(next));
            }
            if (next < end && c.assignment().contains(tp)) {
                c.seek(tp, next);
                partial = true;
            }
        }
        if (offsets.isEmpty()) {
            return partial;
        }
        try {
            // A commit that times out (the broker gone) throws out of here: the loop backs off, and the records stay
            // uncommitted; the next commit covers them, or a new consumer reads them again.
            c.commitSync(offsets, COMMIT_TIMEOUT);
        } catch (CommitFailedException | RebalanceInProgressException e) {
            // The group moved (some of) these partitions to another member meanwhile: it re-reads the batch's
            // records from the last committed offsets; the handler's work is idempotent for that.
            log.info("{}: offsets of {} not committed, the group is rebalancing; their records will be read again by"
                    + " the partitions' owner: {}", name, offsets.keySet(), e.toString());
        }
        return partial;
    }

    /** Asks the broker for the assigned partitions' end offsets (the topics, with none assigned); throws if it does not answer. */
    private static void probe(KafkaConsumer<String, byte[]> c) {
        Set<TopicPartition> assigned = c.assignment();
        if (assigned.isEmpty()) {
            c.listTopics(PROBE_TIMEOUT);
        } else {
            c.endOffsets(assigned, PROBE_TIMEOUT);
        }
    }

    /** Whether the consumer must be replaced rather than used again. */
    private static boolean unusable(Exception e) {
        return e instanceof IllegalStateException || (e instanceof KafkaException && !(e instanceof RetriableException));
    }

    private void closeQuietly(KafkaConsumer<String, byte[]> c) {
        try {
            c.close(CloseOptions.timeout(CLOSE_TIMEOUT));
        } catch (RuntimeException e) {
            log.debug("{}: closing the consumer failed", name, e);
        }
    }

    /** Logs assignments (take-overs show in the log) and tells the observer. */
    private final class Rebalances implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return;
            }
            log.info("{}: partitions assigned: {}", name, sorted(partitions));
            try {
                observer.assigned(partitions);
            } catch (RuntimeException e) {
                log.warn("{}: the assignment callback failed; ignored", name, e);
            }
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (!partitions.isEmpty()) {
                batchOwed = false; // the failed batch may be another member's to read now
                log.info("{}: partitions revoked: {}", name, sorted(partitions));
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            if (!partitions.isEmpty()) {
                batchOwed = false;
                log.warn("{}: partitions lost (this member was out of the group too long): {}", name, sorted(partitions));
            }
        }

        private static List<String> sorted(Collection<TopicPartition> partitions) {
            return partitions.stream().map(TopicPartition::toString).sorted().toList();
        }
    }

    /** Waits, returning early when the loop is closed. */
    private void pause(Duration d) {
        try {
            closing.await(d.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    @Override
    public void close() {
        running = false;
        closing.countDown();
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
