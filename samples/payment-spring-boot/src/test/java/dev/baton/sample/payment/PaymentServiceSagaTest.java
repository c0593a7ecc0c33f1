package dev.baton.sample.payment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.SagaView;
import dev.baton.jdbi.EmbeddedPostgresServer;
import dev.baton.kafka.common.KafkaOptions;
import dev.baton.kafka.dev.EmbeddedKafkaBroker;
import dev.baton.sample.orderflow.InventoryService;
import dev.baton.sample.orderflow.LogisticsService;
import dev.baton.sample.orderflow.OrderFlowSaga;
import dev.baton.sample.orderflow.OrderFlowSaga.OrderData;
import dev.baton.sample.orderflow.OrdersService;
import dev.baton.server.BatonServer;
import dev.baton.server.ServerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Spring Boot payment service in the order flow, over the real parts: an in-JVM Kafka broker, the Baton engine,
 * the orders, inventory and logistics services of {@code samples/order-flow}, a real PostgreSQL, and the payment
 * service as its own JVM process, killed with SIGKILL in the middle of the run and started again. Judged by what
 * happened to the orders: every saga ends, declined cards compensate, every other order's payment is captured once
 * in PostgreSQL, and duplicates of every payment command are answered from the record without a second capture.
 */
class PaymentServiceSagaTest {

    private static final String PREFIX = "spring-pay.";
    private static final int PARTITIONS = 3;
    private static final int ORDERS = Integer.getInteger("baton.payment-sample.orders", 300);
    private static final double DECLINE_RATE = 0.05;

    @TempDir
    Path data;

    private EmbeddedKafkaBroker broker;
    private EmbeddedPostgresServer pg;
    private BatonServer engine;
    private final List<AutoCloseable> services = new ArrayList<>();
    private Process payment;

    @BeforeEach
    void start() {
        broker = EmbeddedKafkaBroker.builder().dataDirectory(data.resolve("kafka")).defaultPartitions(PARTITIONS).build()
                .start();
        pg = EmbeddedPostgresServer.builder().dataDirectory(data.resolve("pg")).throwAway().start();
        pg.createDatabaseIfAbsent("payment");
        KafkaOptions options = KafkaOptions.defaults(broker.bootstrapServers()).withTopicPrefix(PREFIX)
                .withPartitions(PARTITIONS).withEngineGroupId(ServerConfig.KAFKA_GROUP.defaultValue());
        services.add(new OrdersService(data, options).start());
        services.add(new InventoryService(data, options, Map.of("sku-1", 1_000_000)).start());
        services.add(new LogisticsService(data, options, 0.0).start());
        Map<String, String> settings = new HashMap<>();
        settings.put(ServerConfig.DATA_DIR.name(), data.resolve("engine").toString());
        settings.put(ServerConfig.KAFKA_BOOTSTRAP.name(), broker.bootstrapServers());
        settings.put(ServerConfig.KAFKA_TOPIC_PREFIX.name(), PREFIX);
        settings.put(ServerConfig.KAFKA_PARTITIONS.name(), Integer.toString(PARTITIONS));
        settings.put(ServerConfig.HTTP_PORT.name(), "0");
        settings.put(ServerConfig.HTTP_HOST.name(), "127.0.0.1");
        engine = BatonServer.start(ServerConfig.load(new Properties(), k -> null, Map.of(), settings),
                List.of(OrderFlowSaga.ORDER_FLOW));
    }

    @AfterEach
    void stop() throws Exception {
        if (payment != null) {
            payment.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        if (engine != null) {
            engine.close();
        }
        for (AutoCloseable s : services) {
            s.close();
        }
        if (broker != null) {
            broker.close();
        }
        if (pg != null) {
            pg.close();
        }
    }

    /** Starts the Spring Boot payment service as its own JVM, on the test's classpath; its output goes to a file. */
    private Process startPayment(int run) throws IOException {
        Path logs = Path.of("target", "payment-service-logs").toAbsolutePath();
        Files.createDirectories(logs);
        Path log = logs.resolve("payment-" + run + ".log");
        List<String> command = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"),
                PaymentApplication.class.getName(),
                "--spring.datasource.url=" + pg.jdbcUrl("payment"),
                "--spring.datasource.username=" + pg.user(),
                "--spring.datasource.password=" + pg.password(),
                "--baton.participant.bootstrap-servers=" + broker.bootstrapServers(),
                "--baton.participant.topic-prefix=" + PREFIX,
                "--baton.participant.partitions=" + PARTITIONS,
                "--payment.decline-rate=" + DECLINE_RATE);
        System.out.println("payment-sample: starting the payment service, log " + log);
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private Connection paymentDb() throws SQLException {
        return DriverManager.getConnection(pg.jdbcUrl("payment"), pg.user(), pg.password());
    }

    private long scalar(String sql) throws SQLException {
        try (Connection c = paymentDb(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private long capturedSoFar() {
        try {
            return scalar("SELECT COUNT(*) FROM payment");
        } catch (SQLException e) {
            return 0; // the service has not created its table yet
        }
    }

    @Test
    @DisplayName("SIGKILL of the Spring Boot payment service mid-run and duplicates of every command: each payment captured once")
    void eachPaymentCapturedOnce() throws Exception {
        payment = startPayment(1);
        List<SagaId> sagas = new ArrayList<>();
        Map<SagaId, String> orderOf = new HashMap<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < ORDERS; i++) {
            String orderId = "o-" + i + "-" + UUID.randomUUID().toString().substring(0, 8);
            SagaId id = engine.engine().start(OrderFlowSaga.ORDER_FLOW,
                    new OrderData(orderId, "c-" + (i % 17), "sku-1", 1, 1_000 + i), orderId).id();
            sagas.add(id);
            orderOf.put(id, orderId);
        }
        // every order is in; once a fifth of the payments are captured, kill the service while it works through the rest
        await().atMost(Duration.ofMinutes(2)).until(() -> capturedSoFar() >= ORDERS / 5);
        long atKill = capturedSoFar();
        payment.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        System.out.printf("payment-sample: SIGKILL after %d captured payments%n", atKill);
        // down until payment commands wait for it in Kafka: the restarted service has a backlog, not an idle start
        await().atMost(Duration.ofSeconds(60)).until(() -> paymentBacklog() > 0);
        System.out.printf("payment-sample: %d payment commands waiting; restarting%n", paymentBacklog());
        payment = startPayment(2);

        await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(1)).until(() -> sagas.stream()
                .map(id -> engine.engine().find(id).orElseThrow().status())
                .allMatch(s -> s == SagaStatus.COMPLETED || s == SagaStatus.COMPENSATED || s == SagaStatus.FAILED));
        double seconds = (System.nanoTime() - t0) / 1e9;

        Map<SagaStatus, Integer> statuses = new EnumMap<>(SagaStatus.class);
        int wrongOutcome = 0;
        int capturedTwice = 0;
        int completedWithoutPayment = 0;
        int compensatedWithPayment = 0;
        Map<String, Long> captured = capturedByOrder();
        for (SagaId id : sagas) {
            SagaView v = engine.engine().find(id).orElseThrow();
            statuses.merge(v.status(), 1, Integer::sum);
            String orderId = orderOf.get(id);
            // compensated when the card is declined, or when the order's fraud screening (in parallel with the stock
            // reservation) flags it before the payment is asked
            boolean declined = PaymentService.declined(orderId, DECLINE_RATE) || OrdersService.flagged(orderId);
            long n = captured.getOrDefault(orderId, 0L);
            if (declined != (v.status() == SagaStatus.COMPENSATED)) {
                wrongOutcome++;
            }
            if (n > 1) {
                capturedTwice++;
            }
            if (v.status() == SagaStatus.COMPLETED && n == 0) {
                completedWithoutPayment++;
            }
            if (v.status() == SagaStatus.COMPENSATED && n > 0) {
                compensatedWithPayment++;
            }
        }
        long records = scalar("SELECT COUNT(*) FROM baton_participant_inbox WHERE participant = 'payment'");
        System.out.printf("payment-sample: orders=%d statuses=%s captured=%d records=%d wrong_outcome=%d"
                        + " captured_twice=%d completed_unpaid=%d compensated_paid=%d seconds=%.1f%n", ORDERS, statuses,
                captured.values().stream().mapToLong(Long::longValue).sum(), records, wrongOutcome, capturedTwice,
                completedWithoutPayment, compensatedWithPayment, seconds);
        assertThat(statuses.getOrDefault(SagaStatus.FAILED, 0)).as("FAILED sagas").isZero();
        assertThat(wrongOutcome).as("sagas whose outcome is not the card's answer").isZero();
        assertThat(capturedTwice).as("orders charged twice").isZero();
        assertThat(completedWithoutPayment).as("completed orders without a payment").isZero();
        assertThat(compensatedWithPayment).as("compensated orders with a payment").isZero();
        // a flagged order never reaches the payment service
        long paymentCommands = orderOf.values().stream().filter(o -> !OrdersService.flagged(o)).count();
        assertThat(records).as("one recorded answer per payment command").isEqualTo(paymentCommands);

        // every payment command once more, as a redelivery would bring it: answered from the record, nothing captured
        long paymentsBefore = scalar("SELECT COUNT(*) FROM payment");
        long repliesBefore = paymentRepliesFor();
        System.out.printf("payment-sample: payment_commands=%d payment_replies=%d (more replies than commands:"
                + " commands redelivered after the kill, answered again)%n", readAll(PREFIX + "payment.commands").size(), repliesBefore);
        int replayed = replayPaymentCommands();
        assertThat(replayed).isGreaterThanOrEqualTo((int) paymentCommands);
        await().atMost(Duration.ofMinutes(2)).until(() -> paymentRepliesFor() >= repliesBefore + replayed);
        assertThat(scalar("SELECT COUNT(*) FROM payment")).as("no capture from a duplicate").isEqualTo(paymentsBefore);
        assertThat(scalar("SELECT COUNT(*) FROM baton_participant_inbox")).isEqualTo(records);
        System.out.printf("payment-sample: %d duplicate commands answered from the record%n", replayed);
    }

    private Map<String, Long> capturedByOrder() throws SQLException {
        Map<String, Long> m = new HashMap<>();
        try (Connection c = paymentDb(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT order_id, COUNT(*) FROM payment WHERE status = 'CAPTURED' GROUP BY order_id")) {
            while (rs.next()) {
                m.put(rs.getString(1), rs.getLong(2));
            }
        }
        return m;
    }

    /** Reads every payment command from its topic and sends each again, unchanged. */
    private int replayPaymentCommands() {
        List<ConsumerRecord<String, byte[]>> commands = readAll(PREFIX + "payment.commands");
        Properties p = new Properties();
        p.put("bootstrap.servers", broker.bootstrapServers());
        p.put("key.serializer", StringSerializer.class.getName());
        p.put("value.serializer", ByteArraySerializer.class.getName());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p)) {
            for (ConsumerRecord<String, byte[]> r : commands) {
                producer.send(new ProducerRecord<>(r.topic(), null, r.key(), r.value(), r.headers()));
            }
        }
        return commands.size();
    }

    /** Payment commands on the topic that the payment service's consumer group has not committed. */
    private long paymentBacklog() {
        String topic = PREFIX + "payment.commands";
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin
                    .listConsumerGroupOffsets(PREFIX + "participant.payment").partitionsToOffsetAndMetadata()
                    .get(10, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < PARTITIONS; p++) {
                latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            long backlog = 0;
            for (var e : admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS).entrySet()) {
                OffsetAndMetadata c = committed.get(e.getKey());
                backlog += e.getValue().offset() - (c == null ? 0 : c.offset());
            }
            return backlog;
        } catch (Exception e) {
            return 0;
        }
    }

    /** Replies to payment commands on the replies topic so far. */
    private long paymentRepliesFor() {
        return readAll(PREFIX + "replies").stream()
                .filter(r -> r.headers().lastHeader("baton-correlation-id") != null && new String(
                        r.headers().lastHeader("baton-correlation-id").value()).contains("/authorize-payment/"))
                .count();
    }

    private List<ConsumerRecord<String, byte[]>> readAll(String topic) {
        Properties p = new Properties();
        p.put("bootstrap.servers", broker.bootstrapServers());
        p.put("group.id", "reader-" + UUID.randomUUID());
        p.put("auto.offset.reset", "earliest");
        p.put("enable.auto.commit", "false");
        p.put("key.deserializer", StringDeserializer.class.getName());
        p.put("value.deserializer", ByteArrayDeserializer.class.getName());
        List<ConsumerRecord<String, byte[]>> all = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p)) {
            c.subscribe(List.of(topic));
            int empty = 0;
            while (empty < 5) {
                var polled = c.poll(Duration.ofMillis(500));
                if (polled.isEmpty() && !c.assignment().isEmpty()) {
                    empty++;
                }
                polled.forEach(all::add);
            }
        }
        return all;
    }
}
