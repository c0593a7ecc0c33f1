package dev.baton.kafka.common;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * How many commands in a participant's command topic its consumer group ({@link KafkaOptions#participantGroupId})
 * has not consumed: per partition the end offset minus the group's committed offset (minus the partition's start
 * offset when the group committed none, so records deleted by retention do not count), summed. Read through an admin
 * client the caller owns; the engine's service map and the participant starter's health indicator both use it.
 *
 * @since 0.7
 */
public final class CommandTopicLag {
    private CommandTopicLag() {}

    /**
     * The lag of {@code participant}'s command topic, each request to the brokers bounded by {@code timeout}.
     *
     * @throws ExecutionException when the brokers answer with an error (no such topic, say)
     * @throws TimeoutException when they do not answer in time
     */
    public static long of(Admin admin, KafkaOptions options, String participant, Duration timeout)
            throws ExecutionException, TimeoutException, InterruptedException {
        return of(admin, options.commandTopic(participant), options.participantGroupId(participant), timeout);
    }

    /**
     * The lag of consumer group {@code groupId} on {@code topic}, counted as above; the engine reads its own reply and
     * start consumers' lag with it.
     *
     * @throws ExecutionException when the brokers answer with an error (no such topic, say)
     * @throws TimeoutException when they do not answer in time
     * @since 0.8
     */
    public static long of(Admin admin, String topic, String groupId, Duration timeout)
            throws ExecutionException, TimeoutException, InterruptedException {
        long ms = timeout.toMillis();
        var description = admin.describeTopics(List.of(topic)).allTopicNames().get(ms, TimeUnit.MILLISECONDS).get(topic);
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
        description.partitions().forEach(p -> {
            latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest());
            earliest.put(new TopicPartition(topic, p.partition()), OffsetSpec.earliest());
        });
        var ends = admin.listOffsets(latest).all().get(ms, TimeUnit.MILLISECONDS);
        var starts = admin.listOffsets(earliest).all().get(ms, TimeUnit.MILLISECONDS);
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(groupId)
                .partitionsToOffsetAndMetadata().get(ms, TimeUnit.MILLISECONDS);
        long lag = 0;
        for (TopicPartition tp : latest.keySet()) {
            OffsetAndMetadata c = committed.get(tp);
            long from = c != null ? c.offset() : starts.get(tp).offset();
            lag += Math.max(0, ends.get(tp).offset() - from);
        }
        return lag;
    }
}
