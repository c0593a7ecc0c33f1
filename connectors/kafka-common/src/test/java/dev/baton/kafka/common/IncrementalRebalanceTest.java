package dev.baton.kafka.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.kafka.dev.EmbeddedKafkaBroker;
import dev.baton.kafka.dev.junit.KafkaBrokerExtension;
import dev.baton.kafka.common.internal.Clients;
import dev.baton.kafka.common.internal.ConsumerLoop;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A member joining the group takes partitions from the others without making them give up the rest: the members
 * that keep partitions are not told they were assigned them again, so an engine node that gains nothing does not
 * hold its reply timeouts (the cooperative sticky assignor; the eager default re-assigns everything).
 */
@ExtendWith(KafkaBrokerExtension.class)
class IncrementalRebalanceTest {

    @Test
    @DisplayName("a second member takes half the partitions; the first keeps reading the rest and gets no new assignment")
    void joiningMemberMovesOnlyItsShare(EmbeddedKafkaBroker broker) throws Exception {
        KafkaOptions options = KafkaOptions.defaults(broker.bootstrapServers()).withTopicPrefix("rebalance-" + UUID.randomUUID() + ".")
                .withPartitions(4);
        String topic = options.replyTopic();
        Clients.createTopics(options, List.of(topic));
        String group = "rebalance-" + UUID.randomUUID();
        List<Collection<TopicPartition>> firstAssigned = new CopyOnWriteArrayList<>();
        List<Collection<TopicPartition>> secondAssigned = new CopyOnWriteArrayList<>();
        try (ConsumerLoop first = loop(options, group, "first", topic, firstAssigned)) {
            first.start();
            await("the first member has all four partitions").atMost(Duration.ofSeconds(30))
                    .until(() -> owned(firstAssigned).size() == 4);
            try (ConsumerLoop second = loop(options, group, "second", topic, secondAssigned)) {
                second.start();
                await("the second member has its share").atMost(Duration.ofSeconds(30))
                        .until(() -> owned(secondAssigned).size() == 2);
            }
        }
        assertThat(firstAssigned).as("the first member's assignments: one, at the start; keeping two partitions is not a"
                + " new assignment").hasSize(1);
        assertThat(secondAssigned).hasSize(1);
    }

    private static ConsumerLoop loop(KafkaOptions options, String group, String name, String topic,
                                     List<Collection<TopicPartition>> assigned) {
        return new ConsumerLoop("test-" + name, Clients.consumer(options, group, name), List.of(topic),
                Duration.ofMillis(100), Duration.ofMillis(100), records -> Map.of(), p -> assigned.add(new ArrayList<>(p)));
    }

    private static Set<TopicPartition> owned(List<Collection<TopicPartition>> assigned) {
        Set<TopicPartition> all = new HashSet<>();
        assigned.forEach(all::addAll);
        return all;
    }
}
