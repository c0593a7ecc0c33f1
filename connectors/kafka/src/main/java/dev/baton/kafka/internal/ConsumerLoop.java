package dev.baton.kafka.internal;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One consumer on its own thread: poll, hand the batch to a handler, commit the offsets the handler reports as
 * done. A handler that throws has the whole batch re-read after a back-off (nothing committed); a handler that
 * stops early on a partition has that partition re-read from where it stopped, after the back-off. Offsets are
 * committed only after the handler returned, so records are processed at least once.
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
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private Thread thread;

    public ConsumerLoop(String name, Properties props, Collection<String> topics, Duration pollTimeout, Duration backoff,
                        Handler handler) {
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
            c.subscribe(topics);
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
                        c.seek(tp, records.records(tp).get(0).offset());
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
                    if (next < end) {
                        c.seek(tp, next);
                        partial = true;
                    }
                }
                if (!commit.isEmpty()) {
                    c.commitSync(commit);
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
