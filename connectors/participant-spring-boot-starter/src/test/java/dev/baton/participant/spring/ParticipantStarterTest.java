package dev.baton.participant.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.dsl.MessageType;
import dev.baton.kafka.dev.EmbeddedKafkaBroker;
import dev.baton.kafka.dev.junit.KafkaBrokerExtension;
import dev.baton.participant.JdbiIdempotencyStore;
import dev.baton.participant.spring.PaymentApp.ChargeCard;
import dev.baton.participant.spring.PaymentApp.RefundCard;
import dev.baton.protocol.CommandKind;
import dev.baton.protocol.Headers;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The starter in a real Spring Boot application over the real in-JVM broker: commands sent as the engine sends them,
 * replies read from the replies topic, the application's writes through a {@code @Transactional(MANDATORY)} service
 * on {@code JdbcTemplate}.
 */
@ExtendWith(KafkaBrokerExtension.class)
class ParticipantStarterTest {

    private static EmbeddedKafkaBroker broker;
    private static KafkaProducer<String, byte[]> producer;

    @BeforeAll
    static void clients(EmbeddedKafkaBroker b) {
        broker = b;
        Properties p = new Properties();
        p.put("bootstrap.servers", b.bootstrapServers());
        p.put("key.serializer", StringSerializer.class.getName());
        p.put("value.serializer", ByteArraySerializer.class.getName());
        producer = new KafkaProducer<>(p);
    }

    @AfterAll
    static void close() {
        producer.close();
    }

    /** A payment application on its own topics and in-memory database. */
    private static ConfigurableApplicationContext start(String prefix, String database, boolean createSchema) {
        return new SpringApplicationBuilder(PaymentApp.class)
                .web(WebApplicationType.NONE)
                .properties(
                        "spring.datasource.url=jdbc:h2:mem:" + database + ";DB_CLOSE_DELAY=-1",
                        "spring.datasource.username=sa",
                        "spring.sql.init.mode=" + (createSchema ? "always" : "never"),
                        // the service's own migration: its table, and the SDK's from the published DDL
                        "spring.sql.init.schema-locations=classpath:db/baton-participant/h2/V1__participant_inbox.sql,"
                                + "classpath:payment-schema.sql",
                        "baton.participant.bootstrap-servers=" + broker.bootstrapServers(),
                        "baton.participant.topic-prefix=" + prefix,
                        "baton.participant.partitions=1")
                .run();
    }

    /** Replies on {@code <prefix>replies}, read by a consumer of their own, by correlation id. */
    private static final class Replies implements AutoCloseable {
        final Map<String, List<ConsumerRecord<String, byte[]>>> byCorrelation = new ConcurrentHashMap<>();
        final List<ConsumerRecord<String, byte[]>> all = new CopyOnWriteArrayList<>();
        private final AtomicBoolean open = new AtomicBoolean(true);
        private final Thread reader;

        Replies(String prefix) {
            Properties p = new Properties();
            p.put("bootstrap.servers", broker.bootstrapServers());
            p.put("group.id", "test-" + UUID.randomUUID());
            p.put("auto.offset.reset", "earliest");
            p.put("key.deserializer", StringDeserializer.class.getName());
            p.put("value.deserializer", ByteArrayDeserializer.class.getName());
            reader = Thread.ofPlatform().daemon().start(() -> {
                try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p)) {
                    c.subscribe(List.of(prefix + "replies"));
                    while (open.get()) {
                        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(100))) {
                            all.add(r);
                            byCorrelation.computeIfAbsent(header(r, Headers.CORRELATION_ID),
                                    k -> new CopyOnWriteArrayList<>()).add(r);
                        }
                    }
                }
            });
        }

        List<ConsumerRecord<String, byte[]>> to(String correlationId, int atLeast) {
            await().atMost(Duration.ofSeconds(60)).until(() -> byCorrelation.getOrDefault(correlationId, List.of()).size() >= atLeast);
            return byCorrelation.get(correlationId);
        }

        @Override
        public void close() {
            open.set(false);
            try {
                reader.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static String header(ConsumerRecord<String, byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static String send(String prefix, CommandKind kind, String sagaId, String step, Object payload) {
        String messageId = sagaId + "/" + step + "/" + (kind == CommandKind.COMMAND ? "do" : "undo") + "/1";
        ProducerRecord<String, byte[]> r = new ProducerRecord<>(prefix + "payment.commands", sagaId,
                json(payload).getBytes(StandardCharsets.UTF_8));
        r.headers().add(Headers.MESSAGE_ID, bytes(messageId)).add(Headers.SAGA_ID, bytes(sagaId))
                .add(Headers.SAGA_TYPE, bytes("order")).add(Headers.STEP, bytes(step))
                .add(Headers.ATTEMPT, bytes("1")).add(Headers.KIND, bytes(kind.wireValue()))
                .add(Headers.MESSAGE_TYPE, bytes(MessageType.Names.of(payload.getClass())));
        producer.send(r);
        return messageId;
    }

    private static String charge(String prefix, String sagaId, long cents) {
        return send(prefix, CommandKind.COMMAND, sagaId, "charge-card", new ChargeCard("o-" + sagaId, cents));
    }

    private static String json(Object payload) {
        return switch (payload) {
            case ChargeCard c -> "{\"orderId\":\"" + c.orderId() + "\",\"amountCents\":" + c.amountCents() + "}";
            case RefundCard r -> "{\"orderId\":\"" + r.orderId() + "\"}";
            default -> throw new IllegalArgumentException(payload.toString());
        };
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static int rows(ConfigurableApplicationContext app, String where) {
        return app.getBean(JdbcTemplate.class).queryForObject("SELECT COUNT(*) FROM payment WHERE " + where, Integer.class);
    }

    @Test
    @DisplayName("each command charges once inside the application's transaction; every duplicate is answered from the record, byte for byte")
    void chargesOncePerMessage() throws Exception {
        String prefix = "starter-once.";
        try (Replies replies = new Replies(prefix);
             ConfigurableApplicationContext app = start(prefix, "once-" + UUID.randomUUID(), true)) {
            assertThat(app.getBean(JdbiIdempotencyStore.class).dialect().productName()).isEqualTo("H2");
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                ids.add(charge(prefix, "s-" + i, 1000 + i));
            }
            for (int i = 0; i < 20; i++) {
                charge(prefix, "s-" + i, 1000 + i); // the engine's re-send, or a redelivery
            }
            producer.flush();
            for (String id : ids) {
                List<ConsumerRecord<String, byte[]>> two = replies.to(id, 2);
                assertThat(two).extracting(r -> header(r, Headers.OUTCOME)).containsOnly("SUCCESS");
                assertThat(two.get(1).value()).isEqualTo(two.get(0).value());
                assertThat(new String(two.get(0).value(), StandardCharsets.UTF_8)).contains("\"paymentId\":\"pay-" + id);
            }
            assertThat(rows(app, "status = 'CAPTURED'")).isEqualTo(20);
            assertThat(rows(app, "1 = 1")).isEqualTo(20);
        }
    }

    @Test
    @DisplayName("a declined charge commits its row with the FAILURE; busy and a thrown exception roll the row back and record nothing")
    void outcomesAndRollbacks() throws Exception {
        String prefix = "starter-outcomes.";
        try (Replies replies = new Replies(prefix);
             ConfigurableApplicationContext app = start(prefix, "outcomes-" + UUID.randomUUID(), true)) {
            String declined = charge(prefix, "s-declined", PaymentApp.DECLINED);
            String busy = charge(prefix, "s-busy", PaymentApp.BUSY);
            String broken = charge(prefix, "s-broken", PaymentApp.BROKEN);
            producer.flush();

            ConsumerRecord<String, byte[]> d = replies.to(declined, 1).get(0);
            assertThat(header(d, Headers.OUTCOME)).isEqualTo("FAILURE");
            assertThat(header(d, Headers.REASON)).isEqualTo("card declined");
            ConsumerRecord<String, byte[]> b = replies.to(busy, 1).get(0);
            assertThat(header(b, Headers.OUTCOME)).isEqualTo("RETRY_LATER");
            assertThat(header(b, Headers.REASON)).isEqualTo("card network busy");
            ConsumerRecord<String, byte[]> x = replies.to(broken, 1).get(0);
            assertThat(header(x, Headers.OUTCOME)).isEqualTo("RETRY_LATER");
            assertThat(header(x, Headers.RETRY_CAUSE)).isEqualTo("error");

            assertThat(rows(app, "order_id = 'o-s-declined' AND status = 'DECLINED'")).isEqualTo(1);
            assertThat(rows(app, "order_id IN ('o-s-busy', 'o-s-broken')")).isZero();
            JdbiIdempotencyStore store = app.getBean(JdbiIdempotencyStore.class);
            assertThat(store.find("payment", declined)).isPresent();
            assertThat(store.find("payment", busy)).isEmpty();
            assertThat(store.find("payment", broken)).isEmpty();

            charge(prefix, "s-declined", PaymentApp.DECLINED); // redelivered: answered from the record
            producer.flush();
            assertThat(replies.to(declined, 2)).extracting(r -> header(r, Headers.OUTCOME)).containsOnly("FAILURE");
            assertThat(rows(app, "order_id = 'o-s-declined'")).isEqualTo(1);
        }
    }

    @Test
    @DisplayName("a refund that overtakes its charge is answered 'nothing to compensate', and the late charge is refused, not run")
    void compensationGuard() throws Exception {
        String prefix = "starter-guard.";
        try (Replies replies = new Replies(prefix);
             ConfigurableApplicationContext app = start(prefix, "guard-" + UUID.randomUUID(), true)) {
            String refund = send(prefix, CommandKind.COMPENSATION, "s-late", "charge-card", new RefundCard("o-s-late"));
            producer.flush();
            assertThat(header(replies.to(refund, 1).get(0), Headers.OUTCOME)).isEqualTo("SUCCESS");
            String late = charge(prefix, "s-late", 1200);
            producer.flush();
            ConsumerRecord<String, byte[]> refused = replies.to(late, 1).get(0);
            assertThat(header(refused, Headers.OUTCOME)).isEqualTo("FAILURE");
            assertThat(header(refused, Headers.REASON)).startsWith("refused:");
            assertThat(rows(app, "order_id = 'o-s-late'")).isZero();
        }
    }

    @Test
    @DisplayName("health UP with the group's lag, meters per participant; a graceful stop and a restart lose and double nothing")
    void healthMetersAndRestart() throws Exception {
        String prefix = "starter-restart.";
        String database = "restart-" + UUID.randomUUID();
        try (Replies replies = new Replies(prefix)) {
            ConfigurableApplicationContext app = start(prefix, database, true);
            String first = charge(prefix, "s-first", 700);
            producer.flush();
            replies.to(first, 1);

            BatonParticipantHealthIndicator health = app.getBean(BatonParticipantHealthIndicator.class);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                Health h = health.health();
                assertThat(h.getStatus()).isEqualTo(Status.UP);
                @SuppressWarnings("unchecked")
                Map<String, Map<String, Object>> participants = (Map<String, Map<String, Object>>) h.getDetails().get("participants");
                assertThat(participants.get("payment")).containsEntry("state", "RUNNING").containsEntry("lag", 0L);
            });
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            app.getBean(BatonParticipantMeters.class).bindTo(registry);
            assertThat(registry.get("baton.participant.loop.running").tag("participant", "payment").gauge().value())
                    .isEqualTo(1.0);

            BatonParticipants participants = app.getBean(BatonParticipants.class);
            app.close(); // graceful: the poll in hand is finished and committed
            assertThat(participants.isRunning()).isFalse();
            assertThat(registry.get("baton.participant.loop.running").tag("participant", "payment").gauge().value())
                    .isZero();

            List<String> whileDown = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                whileDown.add(charge(prefix, "s-down-" + i, 800 + i));
            }
            charge(prefix, "s-first", 700); // a duplicate of what was answered before the stop
            producer.flush();

            try (ConfigurableApplicationContext again = start(prefix, database, false)) {
                for (String id : whileDown) {
                    assertThat(header(replies.to(id, 1).get(0), Headers.OUTCOME)).isEqualTo("SUCCESS");
                }
                List<ConsumerRecord<String, byte[]>> firstReplies = replies.to(first, 2);
                assertThat(firstReplies.get(1).value()).isEqualTo(firstReplies.get(0).value());
                assertThat(rows(again, "1 = 1")).isEqualTo(6);
            }
        }
    }
}
