package dev.baton.participant.kafka;

import dev.baton.kafka.common.KafkaOptions;
import dev.baton.kafka.common.LoopHealth;
import dev.baton.kafka.common.internal.Clients;
import dev.baton.kafka.common.internal.ConsumerLoop;
import dev.baton.participant.HandlingResult;
import dev.baton.participant.IncomingCommand;
import dev.baton.participant.ParticipantRuntime;
import dev.baton.participant.Rejected;
import dev.baton.participant.Reply;
import dev.baton.participant.Unavailable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds a participant's {@link ParticipantRuntime} to Kafka: consumes {@code <prefix><participant>.commands} as the
 * consumer group {@code <prefix>participant.<participant>}, hands each command to the runtime (which runs the handler
 * once per message id and records its answer), and sends the reply to {@code <prefix>replies} keyed by saga id.
 *
 * <ul>
 * <li>Offsets are committed after the replies (and dead letters) of a poll were acknowledged by the broker, so a
 *     crash re-delivers commands, which the runtime answers from its record.</li>
 * <li>A command the runtime rejects (missing headers, unknown type, payload that does not map) goes to
 *     {@code <topic>.dlq} with the reason; the partition moves on.</li>
 * <li>When the runtime is unavailable (its database down), the partition stops at that command and is re-read
 *     after the back-off; nothing is lost or skipped.</li>
 * <li>Kafka errors (the broker gone, a commit that times out) back off and resume; the consumer is replaced when it
 *     cannot be used any more. Commands handled but not committed are read again and answered from the runtime's
 *     record. {@link #loopHealth()} reports the loop's state.</li>
 * </ul>
 * The commands of one poll are handled with {@link ParticipantRuntime#handleAll(List)}: in order, and with one
 * database commit for all of them where the handlers allow it; their replies are sent together once that commit is
 * done, and the offsets are committed once the broker has acknowledged every reply. Thread-safe.
 *
 * @since 0.1
 */
public final class KafkaParticipant implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KafkaParticipant.class);

    private final KafkaOptions options;
    private final ParticipantRuntime runtime;
    private final KafkaProducer<String, byte[]> producer;
    private final ConsumerLoop loop;
    private final String commandTopic;
    private final int replyCopies;

    private KafkaParticipant(KafkaOptions options, ParticipantRuntime runtime, int replyCopies) {
        this.options = options.validate();
        this.replyCopies = replyCopies;
        this.runtime = runtime;
        this.commandTopic = options.commandTopic(runtime.participant());
        this.producer = Clients.producer(options, "baton-participant-" + runtime.participant());
        this.loop = new ConsumerLoop("baton-participant-" + runtime.participant(),
                Clients.consumer(options, options.participantGroupId(runtime.participant()), "baton-participant-" + runtime.participant()),
                List.of(commandTopic), options.pollTimeout(), options.retryBackoff(), this::handle);
    }

    /** A binding for this runtime; call {@link #start()}. */
    public static KafkaParticipant create(KafkaOptions options, ParticipantRuntime runtime) {
        return new KafkaParticipant(options, runtime, 1);
    }

    /** Test seam: a binding that sends every reply {@code copies} times, to prove the engine's deduplication. */
    static KafkaParticipant createDuplicatingReplies(KafkaOptions options, ParticipantRuntime runtime, int copies) {
        return new KafkaParticipant(options, runtime, copies);
    }

    /** Creates the participant's topics if needed and starts consuming. */
    public KafkaParticipant start() {
        Clients.createTopics(options, List.of(commandTopic, KafkaOptions.deadLetterTopic(commandTopic), options.replyTopic()));
        loop.start();
        log.info("participant '{}' consuming {}", runtime.participant(), commandTopic);
        return this;
    }

    private Map<TopicPartition, Long> handle(ConsumerRecords<String, byte[]> records) throws Exception {
        List<ConsumerRecord<String, byte[]>> polled = new ArrayList<>(records.count());
        List<IncomingCommand> commands = new ArrayList<>(records.count());
        for (TopicPartition tp : records.partitions()) {
            for (ConsumerRecord<String, byte[]> r : records.records(tp)) {
                polled.add(r);
                commands.add(IncomingCommand.of(Clients.headers(r.headers()), r.value()));
            }
        }
        // one database commit for the poll; after the first Unavailable every later command is Unavailable too
        List<HandlingResult> results = runtime.handleAll(commands);
        Map<TopicPartition, Long> stoppedAt = new HashMap<>();
        List<Future<RecordMetadata>> sends = new ArrayList<>();
        for (int i = 0; i < polled.size(); i++) {
            ConsumerRecord<String, byte[]> r = polled.get(i);
            TopicPartition tp = new TopicPartition(r.topic(), r.partition());
            HandlingResult result = results.get(i);
            if (stoppedAt.containsKey(tp)) {
                continue;
            }
            if (result instanceof Unavailable u) {
                log.warn("participant '{}' unavailable at {}-{}@{}: {}; retrying in {}", runtime.participant(), r.topic(),
                        r.partition(), r.offset(), u.reason(), options.retryBackoff());
                stoppedAt.put(tp, r.offset());
                continue;
            }
            for (int copy = 0; copy < (result instanceof Reply ? replyCopies : 1); copy++) {
                sends.add(send(r, result));
            }
        }
        for (Future<RecordMetadata> f : sends) {
            f.get(); // replies must be durable before the offsets move past their commands
        }
        return stoppedAt;
    }

    private Future<RecordMetadata> send(ConsumerRecord<String, byte[]> r, HandlingResult result) {
        return switch (result) {
            case Reply reply -> producer.send(new ProducerRecord<>(options.replyTopic(), null, reply.sagaId(),
                    reply.payloadBytes(), Clients.headers(reply.headers())));
            case Rejected rejected -> Clients.deadLetter(producer, r, rejected.reason());
            case Unavailable u -> throw new IllegalStateException("unreachable");
        };
    }

    /** The state of the command loop, for health checks and metrics. */
    public LoopHealth loopHealth() {
        return loop.health();
    }

    @Override
    public void close() {
        loop.close();
        producer.close(java.time.Duration.ofSeconds(5));
    }
}
