package dev.baton.participant.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.kafka.KafkaClients;
import dev.baton.kafka.common.KafkaOptions;
import dev.baton.kafka.common.internal.Clients;
import dev.baton.kafka.dev.EmbeddedKafkaBroker;
import dev.baton.kafka.dev.junit.KafkaBrokerExtension;
import dev.baton.protocol.Headers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13 item 2: a dead letter with a kill between commit and send. Replies the engine can never apply arrive while
 * its process holds every dead letter after the commit that recorded the reply in the inbox; the process is killed
 * (SIGKILL) there, and a new one on the same H2 file sends them from the outbox. Before dead letters went through the
 * outbox, the re-read replies were duplicates by then and the dead letters were lost. Prints
 * {@code lost= duplicated_effects=}.
 */
@ExtendWith(KafkaBrokerExtension.class)
class DeadLetterCrashTest {
    private static final int SAGAS = Integer.getInteger("baton.dlq-crash.sagas", 20);
    private static final int POISON = Integer.getInteger("baton.dlq-crash.poison", 10);
    private static final String PREFIX = "dlq-crash.";

    @TempDir
    Path dir;

    @Test
    @DisplayName("the engine is SIGKILLed after the dead letters' commit and before their send: a new process sends every"
            + " one of them, and no participant effect happens twice")
    void deadLettersSurviveKill(EmbeddedKafkaBroker broker) throws Exception {
        KafkaOptions options = CrashSaga.options(broker.bootstrapServers(), PREFIX);
        String[] args = {broker.bootstrapServers(), dir.toString(), Integer.toString(SAGAS), PREFIX};
        Set<String> poisonIds = IntStream.range(0, POISON).mapToObj(i -> "poison-" + i).collect(Collectors.toCollection(TreeSet::new));
        try (OrderServices services = new OrderServices(options, 1)) {
            try (ChildProcess first = ChildProcess.start("dlq-engine-1", DeadLetterCrashNode.class,
                    dir.resolve("engine-1.log"), with(args, "hold"))) {
                first.awaitLine(l -> l.startsWith("SAGAS-DONE"), Duration.ofSeconds(60));
                try (KafkaProducer<String, byte[]> producer = Clients.producer(options, "poison")) {
                    for (String id : poisonIds) {
                        producer.send(new ProducerRecord<>(options.replyTopic(), null, "no-such-saga",
                                "{}".getBytes(StandardCharsets.UTF_8), Clients.headers(Map.of(Headers.MESSAGE_ID, id,
                                Headers.CORRELATION_ID, "no-such-saga/create-order/do/1", Headers.SAGA_ID, "no-such-saga",
                                Headers.OUTCOME, "SUCCESS")))).get();
                    }
                }
                for (String id : poisonIds) {
                    first.awaitLine(l -> l.equals("HELD " + id), Duration.ofSeconds(30));
                }
                first.kill(); // every dead letter is committed (in the inbox and the outbox), none was sent
            }
            try (ChildProcess second = ChildProcess.start("dlq-engine-2", DeadLetterCrashNode.class,
                    dir.resolve("engine-2.log"), with(args, "finish"))) {
                second.awaitLine(l -> l.startsWith("OUTBOX-EMPTY"), Duration.ofSeconds(60));
                List<ConsumerRecord<String, byte[]>> dlq = KafkaClients.readAll(options,
                        KafkaOptions.deadLetterTopic(options.replyTopic()), POISON);
                Map<String, Long> copies = dlq.stream().collect(Collectors.groupingBy(
                        r -> KafkaClients.header(r, Headers.MESSAGE_ID), Collectors.counting()));
                long lost = poisonIds.stream().filter(id -> !copies.containsKey(id)).count();
                long duplicatedEffects = services.effectsBySaga().values().stream()
                        .flatMap(m -> m.values().stream()).filter(n -> n > 1).count();
                long extraCopies = copies.values().stream().mapToLong(n -> n - 1).sum();
                System.out.printf("dead letter crash: dead_letters=%d lost=%d duplicated_effects=%d extra_dead_letter_copies=%d"
                        + " sagas=%d%n", POISON, lost, duplicatedEffects, extraCopies, SAGAS);
                assertThat(lost).as("dead letters lost to the kill").isZero();
                assertThat(duplicatedEffects).isZero();
                assertThat(dlq).allSatisfy(r -> assertThat(KafkaClients.header(r, Headers.DEAD_LETTER_REASON))
                        .isEqualTo("no saga with id no-such-saga"));
                assertThat(dlq).allSatisfy(r -> assertThat(KafkaClients.header(r, Headers.DEAD_LETTER_TOPIC))
                        .isEqualTo(options.replyTopic()));
                assertThat(second.stop(Duration.ofSeconds(30))).isEqualTo(3);
            }
        }
    }

    private static String[] with(String[] args, String mode) {
        String[] out = java.util.Arrays.copyOf(args, args.length + 1);
        out[args.length] = mode;
        return out;
    }
}
