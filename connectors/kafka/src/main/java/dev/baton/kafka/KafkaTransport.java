package dev.baton.kafka;

import dev.baton.engine.SagaId;
import dev.baton.engine.spi.InboundReply;
import dev.baton.engine.spi.OutboxRecord;
import dev.baton.engine.spi.ReplyOutcome;
import dev.baton.engine.spi.SagaListener;
import dev.baton.engine.spi.Transport;
import dev.baton.kafka.common.KafkaOptions;
import dev.baton.kafka.common.LoopHealth;
import dev.baton.kafka.common.internal.Clients;
import dev.baton.kafka.common.internal.ConsumerLoop;
import dev.baton.protocol.Headers;
import dev.baton.protocol.RetryCause;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's {@link Transport} over Kafka.
 *
 * <ul>
 * <li>Commands go to {@code <prefix><participant>.commands}, keyed by saga id (so one partition sees a saga's
 *     messages in order), with the protocol headers, through an idempotent producer; a send completes when the
 *     broker acknowledged it.</li>
 * <li>Replies are read from {@code <prefix>replies} by the consumer group {@code engineGroupId}; each poll's
 *     replies go to the engine in one call (one database transaction), and offsets are committed only after it
 *     returned. A failure there (the database down, say) re-reads the batch after a back-off.</li>
 * <li>A record that is not a reply (missing or bad headers) goes to {@code <prefix>replies.dlq} with the reason and
 *     its original coordinates in headers before its offset is committed. A reply the engine can never apply (unknown
 *     saga) or read (a payload that does not map) the engine dead-letters itself, through its outbox in the
 *     transaction that records the reply ({@link OutboxRecord#DEAD_LETTERS}); this transport sends such a row to
 *     the same topic with the same headers. Each dead letter is reported to {@link SagaListener#onDeadLetter} once
 *     the broker acknowledged it, and the partition moves on.</li>
 * <li>A reply loop never stops on an error: it backs off and resumes, replacing its consumer where needed. While a
 *     loop fails (the broker gone, say) the engine is told that replies cannot be read
 *     ({@link ReplySink#readingStalled}) and holds its reply timeouts; {@link #loopHealth()} reports each loop's
 *     state.</li>
 * </ul>
 * Thread-safe. See {@code docs/protocol.md} for the wire format.
 *
 * @since 0.1
 */
public final class KafkaTransport implements Transport {
    private static final Logger log = LoggerFactory.getLogger(KafkaTransport.class);

    private final KafkaOptions options;
    private final SagaListener listener;
    private final KafkaProducer<String, byte[]> producer;
    private volatile List<ConsumerLoop> replies;
    private final Set<String> stalledLoops = new HashSet<>();
    private volatile boolean readingStalled;
    private volatile boolean sendsBlocked;
    private Admin admin;

    private KafkaTransport(KafkaOptions options, SagaListener listener) {
        this.options = options.validate();
        this.listener = listener;
        this.producer = Clients.producer(options, "baton-engine-producer");
    }

    /** A transport with these options; its listener receives dead-letter events (use the engine's listener). */
    public static KafkaTransport create(KafkaOptions options, SagaListener listener) {
        return new KafkaTransport(options, listener == null ? SagaListener.NOOP : listener);
    }

    /** The options in use. */
    public KafkaOptions options() {
        return options;
    }

    @Override
    public void prepare(Set<String> destinations) {
        Set<String> topics = new TreeSet<>();
        topics.add(options.replyTopic());
        topics.add(KafkaOptions.deadLetterTopic(options.replyTopic()));
        for (String d : destinations) {
            topics.add(options.commandTopic(d));
            topics.add(KafkaOptions.deadLetterTopic(options.commandTopic(d)));
        }
        Clients.createTopics(options, topics);
    }

    /** {@code kafka}, for traces. */
    @Override
    public String messagingSystem() {
        return "kafka";
    }

    /** The participant's command topic ({@link KafkaOptions#commandTopic(String)}), for traces. */
    @Override
    public String destination(String participant) {
        return options.commandTopic(participant);
    }

    @Override
    public CompletableFuture<Void> send(List<OutboxRecord> messages) {
        if (sendsBlocked && readingStalled) {
            // The broker is out of reach: the last send found no metadata in time and the reply loops cannot read
            // either. Failing at once keeps the engine's threads (a start, a reply batch, a timer) from waiting
            // max.block.ms each; the rows stay in the outbox and the sweeper sends them once the broker is back.
            return CompletableFuture.failedFuture(new IllegalStateException("Kafka at " + options.bootstrapServers()
                    + " is out of reach (a send timed out and replies cannot be read); the outbox keeps "
                    + messages.size() + " message(s) for the sweeper"));
        }
        CompletableFuture<?>[] acks = new CompletableFuture<?>[messages.size()];
        for (int i = 0; i < messages.size(); i++) {
            OutboxRecord m = messages.get(i);
            CompletableFuture<Void> ack = new CompletableFuture<>();
            acks[i] = ack;
            // a dead letter (a reply the engine could not apply, from its outbox) goes to the replies' DLQ
            String topic = m.deadLetter() ? KafkaOptions.deadLetterTopic(options.replyTopic())
                    : options.commandTopic(m.destination());
            try {
                producer.send(new ProducerRecord<>(topic, null, m.sagaId().value(),
                        m.payload().getBytes(StandardCharsets.UTF_8), Clients.headers(m.headers())), (meta, error) -> {
                            if (error == null) {
                                sendsBlocked = false;
                                if (m.deadLetter()) {
                                    deadLettered(topic, m);
                                }
                                ack.complete(null);
                            } else {
                                // no metadata within max.block.ms, or no acknowledgement within delivery.timeout.ms
                                if (error instanceof org.apache.kafka.common.errors.TimeoutException) {
                                    sendsBlocked = true;
                                }
                                ack.completeExceptionally(error);
                            }
                        });
            } catch (RuntimeException e) {
                sendsBlocked = true;
                // the broker is out of reach (no metadata within max.block.ms, say): fail the rest at once rather
                // than block the caller once per message; the outbox keeps them for the sweeper
                for (int j = i; j < messages.size(); j++) {
                    CompletableFuture<Void> failed = j == i ? ack : new CompletableFuture<>();
                    failed.completeExceptionally(e);
                    acks[j] = failed;
                }
                break;
            }
        }
        return CompletableFuture.allOf(acks);
    }

    @Override
    public synchronized void start(ReplySink sink) {
        if (replies != null) {
            throw new IllegalStateException("the Kafka transport was started already");
        }
        List<ConsumerLoop> loops = new ArrayList<>(options.replyConsumers());
        for (int i = 0; i < options.replyConsumers(); i++) {
            String suffix = options.replyConsumers() == 1 ? "" : "-" + i;
            String name = "baton-kafka-replies" + suffix;
            loops.add(new ConsumerLoop(name,
                    Clients.consumer(options, options.engineGroupId(), "baton-engine-replies" + suffix),
                    List.of(options.replyTopic()), options.pollTimeout(), options.retryBackoff(),
                    records -> handle(records, sink), new ConsumerLoop.Observer() {
                        @Override
                        public void assigned(Collection<TopicPartition> partitions) {
                            sink.takingOver();
                        }

                        @Override
                        public void failing(LoopHealth health) {
                            stalled(name, true, sink);
                        }

                        @Override
                        public void recovered(LoopHealth health) {
                            stalled(name, false, sink);
                        }
                    }));
        }
        replies = List.copyOf(loops);
        loops.forEach(ConsumerLoop::start);
        log.info("consuming replies from {} as group {} with {} consumer(s) ({})", options.replyTopic(),
                options.engineGroupId(), loops.size(), options);
    }

    /** Tells the engine that replies cannot be read while any reply loop fails, and when all read again. */
    private void stalled(String loop, boolean failing, ReplySink sink) {
        synchronized (stalledLoops) { // the engine hears the changes in the order they happened; the call is quick
            boolean before = !stalledLoops.isEmpty();
            if (failing) {
                stalledLoops.add(loop);
            } else {
                stalledLoops.remove(loop);
            }
            readingStalled = !stalledLoops.isEmpty();
            if (before != readingStalled) {
                sink.readingStalled(readingStalled);
            }
        }
    }

    /**
     * The state of each reply loop (one per {@link KafkaOptions#replyConsumers()}), for health checks and metrics;
     * empty before {@link #start}.
     */
    public List<LoopHealth> loopHealth() {
        List<ConsumerLoop> r = replies;
        return r == null ? List.of() : r.stream().map(ConsumerLoop::health).toList();
    }

    private Map<TopicPartition, Long> handle(ConsumerRecords<String, byte[]> records, ReplySink sink) throws Exception {
        List<InboundReply> valid = new ArrayList<>(records.count());
        Map<InboundReply, ConsumerRecord<String, byte[]>> origin = new IdentityHashMap<>();
        List<Map.Entry<ConsumerRecord<String, byte[]>, String>> unreadable = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : records) {
            Parsed p = parse(r);
            if (p.reply() != null) {
                valid.add(p.reply());
                origin.put(p.reply(), r);
            } else {
                unreadable.add(Map.entry(r, p.problem()));
            }
        }
        // apply first: if that fails the batch is re-read, and nothing was dead-lettered twice. Replies the engine
        // cannot apply it dead-letters itself, through its outbox in the same transaction (never lost to a crash).
        List<RejectedReply> rejected = valid.isEmpty() ? List.of() : sink.accept(valid);
        for (RejectedReply rj : rejected) {
            ConsumerRecord<String, byte[]> r = origin.get(rj.reply());
            log.debug("the engine dead-letters {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), rj.reason());
        }
        // records that are not replies at all never reached the engine: dead-letter them here, before the offset
        // moves past them (nothing recorded them anywhere, so a crash before this re-reads them)
        List<Future<RecordMetadata>> dead = new ArrayList<>();
        for (Map.Entry<ConsumerRecord<String, byte[]>, String> u : unreadable) {
            dead.add(deadLetter(u.getKey(), u.getValue()));
        }
        for (Future<RecordMetadata> f : dead) {
            f.get(); // a dead letter must be durable before the offset moves past it
        }
        return Map.of();
    }

    private Future<RecordMetadata> deadLetter(ConsumerRecord<String, byte[]> r, String reason) {
        notifyDeadLetter(KafkaOptions.deadLetterTopic(r.topic()), reason);
        return Clients.deadLetter(producer, r, reason);
    }

    /** A dead letter from the engine's outbox reached the broker. */
    private void deadLettered(String topic, OutboxRecord m) {
        String reason = m.headers().getOrDefault(Headers.DEAD_LETTER_REASON, "");
        log.warn("dead-lettered reply {} of saga {} to {}: {}", m.messageId(), m.sagaId(), topic, reason);
        notifyDeadLetter(topic, reason);
    }

    private void notifyDeadLetter(String topic, String reason) {
        try {
            listener.onDeadLetter(topic, reason);
        } catch (RuntimeException e) {
            log.warn("a SagaListener threw; ignored", e);
        }
    }

    record Parsed(InboundReply reply, String problem) {}

    /** Reads a reply record; a record that is not a valid reply gives the reason instead. */
    static Parsed parse(ConsumerRecord<String, byte[]> r) {
        Map<String, String> h = Clients.headers(r.headers());
        List<String> missing = new ArrayList<>();
        for (String required : List.of(Headers.MESSAGE_ID, Headers.CORRELATION_ID, Headers.SAGA_ID, Headers.OUTCOME)) {
            String v = h.get(required);
            if (v == null || v.isBlank()) {
                missing.add(required);
            }
        }
        if (!missing.isEmpty()) {
            return new Parsed(null, "not a Baton reply: missing header(s) " + missing);
        }
        String messageId = h.get(Headers.MESSAGE_ID);
        if (messageId.length() > MAX_MESSAGE_ID_LENGTH) {
            // the store's inbox would refuse it, failing the whole batch again and again: the partition would stall
            return new Parsed(null, "header " + Headers.MESSAGE_ID + " has " + messageId.length() + " characters; a"
                    + " reply's message id has at most " + MAX_MESSAGE_ID_LENGTH + " (the engine's inbox keeps it)");
        }
        ReplyOutcome outcome;
        try {
            outcome = ReplyOutcome.valueOf(h.get(Headers.OUTCOME));
            if (outcome == ReplyOutcome.ERROR) {
                throw new IllegalArgumentException("ERROR travels as RETRY_LATER with " + Headers.RETRY_CAUSE);
            }
        } catch (IllegalArgumentException e) {
            return new Parsed(null, "header " + Headers.OUTCOME + " must be SUCCESS, FAILURE or RETRY_LATER, but was '"
                    + h.get(Headers.OUTCOME) + "'");
        }
        if (outcome == ReplyOutcome.RETRY_LATER && RetryCause.ERROR.wireValue().equals(h.get(Headers.RETRY_CAUSE))) {
            outcome = ReplyOutcome.ERROR; // an old engine reads the same reply as busy: the header only refines it
        }
        SagaId sagaId;
        try {
            sagaId = SagaId.of(h.get(Headers.SAGA_ID));
        } catch (IllegalArgumentException e) {
            return new Parsed(null, "header " + Headers.SAGA_ID + ": " + e.getMessage());
        }
        Duration retryAfter = null;
        String ms = h.get(Headers.RETRY_AFTER_MS);
        if (ms != null && (outcome == ReplyOutcome.RETRY_LATER || outcome == ReplyOutcome.ERROR)) {
            long millis;
            try {
                millis = Long.parseLong(ms.strip());
            } catch (NumberFormatException e) {
                millis = -1;
            }
            if (millis < 1) {
                return new Parsed(null, "header " + Headers.RETRY_AFTER_MS + " must be a whole number of milliseconds,"
                        + " 1 or more, but was '" + (ms.length() > 40 ? ms.substring(0, 40) + "..." : ms) + "'");
            }
            retryAfter = Duration.ofMillis(Math.min(millis, MAX_RETRY_AFTER.toMillis()));
        }
        String payload = r.value() == null ? null : new String(r.value(), StandardCharsets.UTF_8);
        // what a dead letter of this reply carries: its own headers and where it was read from
        Map<String, String> origin = new java.util.LinkedHashMap<>(h);
        origin.remove(Headers.DEAD_LETTER_REASON);
        origin.put(Headers.DEAD_LETTER_TOPIC, r.topic());
        origin.put(Headers.DEAD_LETTER_PARTITION, Integer.toString(r.partition()));
        origin.put(Headers.DEAD_LETTER_OFFSET, Long.toString(r.offset()));
        return new Parsed(new InboundReply(h.get(Headers.MESSAGE_ID), h.get(Headers.CORRELATION_ID), sagaId, outcome,
                h.get(Headers.MESSAGE_TYPE), payload, h.get(Headers.REASON), retryAfter, origin), null);
    }

    /** The longest reply message id the engine's inbox keeps (its column is 255 characters on every store). */
    static final int MAX_MESSAGE_ID_LENGTH = 255;

    /** The longest wait a participant's retry-after hint can ask for; a longer one is cut to this. */
    static final Duration MAX_RETRY_AFTER = Duration.ofHours(1);

    /**
     * How many commands in each participant's command topic its consumer group
     * ({@link KafkaOptions#participantGroupId}) has not consumed: per partition the end offset minus the group's
     * committed offset (the whole partition's records, from its start offset, when the group committed none), summed.
     * A participant is missing from the answer when its topic or group cannot be read within {@code timeout} (the
     * brokers are away, say). Asks the brokers on every call, through an admin client opened on the first: cache the
     * answer.
     *
     * @since 0.7
     */
    public Map<String, Long> commandLag(Collection<String> participants, Duration timeout) {
        Admin a = admin();
        Map<String, Long> out = new java.util.TreeMap<>();
        for (String p : participants) {
            try {
                out.put(p, dev.baton.kafka.common.CommandTopicLag.of(a, options, p, timeout));
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException
                     | RuntimeException e) {
                log.debug("the lag of {}'s command topic cannot be read: {}", p, e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return out;
    }

    /**
     * The lag of the engine's own consumers, counted as {@link #commandLag} counts: {@code replies} (the reply topic,
     * group {@code engineGroupId}) and {@code starts} (the start topic, group {@code engineGroupId-starts}). A consumer
     * is missing from the answer when its topic or group cannot be read within {@code timeout}. Asks the brokers on
     * every call: cache the answer.
     *
     * @since 0.8
     */
    public Map<String, Long> engineLag(Duration timeout) {
        Admin a = admin();
        Map<String, Long> out = new java.util.TreeMap<>();
        Map<String, String[]> consumers = Map.of(
                "replies", new String[] {options.replyTopic(), options.engineGroupId()},
                "starts", new String[] {options.startTopic(), options.startGroupId()});
        for (var c : consumers.entrySet()) {
            try {
                out.put(c.getKey(), dev.baton.kafka.common.CommandTopicLag.of(a, c.getValue()[0], c.getValue()[1],
                        timeout));
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException
                     | RuntimeException e) {
                log.debug("the lag of the engine's {} consumer cannot be read: {}", c.getKey(), e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return out;
    }

    private synchronized Admin admin() {
        if (admin == null) {
            admin = Clients.admin(options, "baton-engine-admin");
        }
        return admin;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (admin != null) {
                admin.close(java.time.Duration.ofSeconds(5));
            }
        }
        List<ConsumerLoop> r = replies;
        if (r != null) {
            r.forEach(ConsumerLoop::close);
        }
        producer.close(java.time.Duration.ofSeconds(5));
    }
}
