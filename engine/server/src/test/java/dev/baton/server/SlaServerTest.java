package dev.baton.server;

import static dev.baton.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.dsl.Participant;
import dev.baton.dsl.Retry;
import dev.baton.dsl.Saga;
import dev.baton.dsl.SagaDefinition;
import dev.baton.kafka.common.KafkaOptions;
import dev.baton.kafka.dev.EmbeddedKafkaBroker;
import dev.baton.kafka.dev.junit.KafkaBrokerExtension;
import dev.baton.participant.CommandHandlers;
import dev.baton.participant.JdbiIdempotencyStore;
import dev.baton.participant.Outcome;
import dev.baton.participant.ParticipantRuntime;
import dev.baton.participant.kafka.KafkaParticipant;
import dev.baton.server.ops.SlaWatch;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * SLAs and the service map end to end: a server of its own, over the real in-JVM broker, with one saga type whose
 * only step has an SLA of 5 s (the saga 8 s) and one participant that answers at once, refuses, is busy once, or is
 * slow on purpose. Slow is made without sleeping: the participant moves the server's clock 10 s forward before it
 * answers, so the engine measures at least 10 s for that step however loaded the machine is, and the answers at once
 * stay far below 5 s. The sagas run one after the other, so each jump falls inside its own saga.
 *
 * <p>Known traffic, in this order: 4 fast, 3 slow, 2 busy once (each then answers at once), 1 declined. The
 * participant gets 12 commands: 9 successes, 2 busy answers, 1 failure, no error, no timeout.
 */
@ExtendWith(KafkaBrokerExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SlaServerTest {
    public record SlaData(String mode) {}
    public record Answer(String mode) {}
    public record Undo(String mode) {}

    static final Participant<Object> SLOW = Participant.named("test-sla-part", Object.class);
    static final SagaDefinition<SlaData> SLA_SAGA = Saga.define("test-sla", SlaData.class)
            .sla(Duration.ofSeconds(8))
            .defaultTimeout(Duration.ofHours(1))
            .step("answer")
                .invoke(SLOW, Answer.class, d -> new Answer(d.mode()))
                .compensate(SLOW, Undo.class, d -> new Undo(d.mode()))
                .retry(Retry.fixed(3, Duration.ofMillis(100)))
                .sla(Duration.ofSeconds(5))
            .build();

    /** The system clock plus an offset that only grows. */
    static final class JumpClock extends Clock {
        private final AtomicReference<Duration> offset = new AtomicReference<>(Duration.ZERO);

        void jump(Duration d) {
            offset.accumulateAndGet(d, Duration::plus);
        }

        @Override
        public Instant instant() {
            return Instant.now().plus(offset.get());
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    private final JumpClock clock = new JumpClock();
    private final ListAppender<ILoggingEvent> warnings = new ListAppender<>();
    private TestServer s;

    @BeforeAll
    void runKnownTraffic(EmbeddedKafkaBroker broker) throws Exception {
        Logger slaLog = (Logger) LoggerFactory.getLogger(SlaWatch.LOGGER);
        warnings.start();
        slaLog.addAppender(warnings);

        Map<String, String> env = TestServer.env(broker);
        env.put("BATON_SLA_WARN_MIN_SAMPLES", "5");
        ServerConfig config = ServerConfig.load(null, env::get, env, Map.of());
        List<SagaDefinition<?>> definitions = new ArrayList<>(BatonServer.discoverDefinitions(""));
        definitions.add(SLA_SAGA);
        BatonServer server = BatonServer.start(config, definitions, clock);
        try {
            s = TestServer.of(server, participant(BatonServer.kafkaOptions(config)));
        } catch (Exception | Error e) {
            server.close();
            throw e;
        }
        for (String mode : List.of("fast", "fast", "fast", "fast", "slow", "slow", "slow", "busy-once", "busy-once",
                "decline")) {
            String id = s.start("test-sla", "{\"mode\":\"" + mode + "\"}", null);
            await("saga " + id + " (" + mode + ") ends").atMost(Duration.ofSeconds(60))
                    .until(() -> Set.of("COMPLETED", "COMPENSATED").contains(s.status(id)));
        }
    }

    @AfterAll
    void close() {
        ((Logger) LoggerFactory.getLogger(SlaWatch.LOGGER)).detachAppender(warnings);
        if (s != null) {
            s.close();
        }
    }

    private AutoCloseable participant(KafkaOptions options) throws Exception {
        Set<String> busyOnce = ConcurrentHashMap.newKeySet();
        CommandHandlers h = CommandHandlers.forParticipant(SLOW)
                .on(Answer.class, (c, ctx) -> switch (c.mode()) {
                    case "slow" -> {
                        clock.jump(Duration.ofSeconds(10));
                        yield Outcome.success();
                    }
                    case "busy-once" -> busyOnce.add(ctx.sagaId()) ? Outcome.retryLater("busy once, as the test wants")
                            : Outcome.success();
                    case "decline" -> Outcome.failure("declined, as the test wants");
                    default -> Outcome.success();
                })
                .on(Undo.class, c -> Outcome.success())
                .build();
        JdbiIdempotencyStore store = JdbiIdempotencyStore.h2InMemory("sla-" + UUID.randomUUID());
        AutoCloseable running = KafkaParticipant.create(options, ParticipantRuntime.builder().handlers(h).store(store)
                .build()).start();
        return () -> {
            running.close();
            store.close();
        };
    }

    @Test
    @DisplayName("meters: the step's and the saga's SLA are histogram boundaries, and the breaches are counted")
    void meters() {
        String metrics = s.get("/metrics").body();
        assertThat(metrics)
                .contains("baton_step_duration_seconds_bucket{step=\"answer\",type=\"test-sla\",le=\"5.0\"} 6\n")
                .contains("baton_step_duration_seconds_count{step=\"answer\",type=\"test-sla\"} 9\n")
                .contains("baton_step_sla_breaches_total{step=\"answer\",type=\"test-sla\"} 3.0")
                .contains("baton_saga_sla_breaches_total{type=\"test-sla\"} 3.0")
                .contains("baton_saga_duration_seconds_bucket{outcome=\"COMPLETED\",type=\"test-sla\",le=\"8.0\"} 6\n");
        assertThat(metrics).as("no SLA, no breach counter")
                .doesNotContain("baton_step_sla_breaches_total{step=\"decide\"");
    }

    @Test
    @DisplayName("GET /api/slas: the target, the count, the breaches and their ratio, and percentiles that tell slow from fast")
    void slas() {
        HttpResponse<String> r = s.get("/api/slas?type=test-sla");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode type = json(r).get("types").get(0);
        assertThat(type.get("type").asText()).isEqualTo("test-sla");
        assertThat(type.get("targetMs").asLong()).isEqualTo(8000);
        JsonNode saga = type.get("windows").get("15m");
        assertThat(saga.get("count").asLong()).isEqualTo(10);
        assertThat(saga.get("breaches").asLong()).isEqualTo(3);

        JsonNode step = type.get("steps").get(0);
        assertThat(step.get("step").asText()).isEqualTo("answer");
        assertThat(step.get("participant").asText()).isEqualTo("test-sla-part");
        assertThat(step.get("targetMs").asLong()).isEqualTo(5000);
        for (String w : List.of("5m", "15m")) {
            JsonNode f = step.get("windows").get(w);
            assertThat(f.get("count").asLong()).as(w).isEqualTo(9);
            assertThat(f.get("breaches").asLong()).as(w).isEqualTo(3);
            assertThat(f.get("breachRatio").asDouble()).as(w).isEqualTo(3 / 9.0);
            assertThat(f.get("p50Ms").asDouble()).as(w).isLessThan(5000);
            assertThat(f.get("p99Ms").asDouble()).as(w).isGreaterThanOrEqualTo(10_000);
        }

        JsonNode all = json(s.get("/api/slas"));
        assertThat(all.get("windows")).hasSize(3);
        assertThat(all.get("types").findValuesAsText("type")).contains("test-ops", "demo-order", "test-sla");
        JsonNode ops = json(s.get("/api/slas?type=test-ops&window=1m")).get("types").get(0);
        assertThat(ops.get("targetMs").isNull()).as("no SLA").isTrue();
        assertThat(ops.get("windows").fieldNames()).toIterable().containsExactly("1m");
    }

    @Test
    @DisplayName("the breach warning is logged once per window, for the step and for the saga, not once per saga")
    void warnsOncePerWindow() {
        List<String> lines = warnings.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        assertThat(lines).filteredOn(l -> l.contains("step 'answer' of saga 'test-sla'")).singleElement().asString()
                .contains("SLA of 5000 ms", "in 1 of the last 5 measured in 5 min");
        assertThat(lines).filteredOn(l -> l.contains("saga 'test-sla' (start to end)")).hasSize(1);
        assertThat(warnings.list).allSatisfy(e -> assertThat(e.getLevel().toString()).isEqualTo("WARN"));
    }

    @Test
    @DisplayName("GET /api/participants: the known traffic's figures, the steps that use the participant, breaker and flow")
    void participants() {
        HttpResponse<String> r = s.get("/api/participants?name=test-sla-part");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode p = json(r).get("participants").get(0);
        assertThat(p.get("name").asText()).isEqualTo("test-sla-part");
        assertThat(p.get("declared").asBoolean()).isTrue();
        assertThat(p.get("usedBy").toString()).isEqualTo("[{\"type\":\"test-sla\",\"step\":\"answer\",\"kind\":\"command\"},"
                + "{\"type\":\"test-sla\",\"step\":\"answer\",\"kind\":\"compensation\"}]");
        JsonNode w = p.get("windows").get("15m");
        assertThat(w.get("commands").asLong()).isEqualTo(12);
        assertThat(w.get("replies").asLong()).isEqualTo(12);
        assertThat(w.get("success").asLong()).isEqualTo(9);
        assertThat(w.get("busy").asLong()).isEqualTo(2);
        assertThat(w.get("failure").asLong()).isEqualTo(1);
        assertThat(w.get("error").asLong()).isZero();
        assertThat(w.get("timeouts").asLong()).isZero();
        assertThat(w.get("busyRate").asDouble()).isEqualTo(2 / 12.0);
        assertThat(w.get("failureRate").asDouble()).isEqualTo(1 / 12.0);
        assertThat(w.get("timeoutRate").asDouble()).isZero();
        assertThat(w.get("p99Ms").asDouble()).as("the slow answers").isGreaterThanOrEqualTo(10_000);
        assertThat(w.get("p50Ms").asDouble()).isLessThan(5000);
        assertThat(Instant.parse(p.get("lastReplyAt").asText())).isBeforeOrEqualTo(clock.instant());
        assertThat(p.get("breaker").get("state").asText()).isEqualTo("CLOSED");
        assertThat(p.get("flow").get("inFlight").asLong()).isZero();
        assertThat(p.has("commandLag")).isTrue();

        String metrics = s.get("/metrics").body();
        assertThat(metrics)
                .contains("baton_participant_commands_total{kind=\"command\",participant=\"test-sla-part\"} 12.0")
                .contains("baton_participant_replies_total{outcome=\"busy\",participant=\"test-sla-part\"} 2.0")
                .contains("baton_participant_replies_total{outcome=\"success\",participant=\"test-sla-part\"} 9.0")
                .contains("baton_participant_replies_total{outcome=\"failure\",participant=\"test-sla-part\"} 1.0")
                .contains("baton_participant_timeouts_total{participant=\"test-sla-part\"} 0.0")
                .contains("baton_participant_reply_latency_seconds_count{participant=\"test-sla-part\"} 12\n");

        JsonNode all = json(s.get("/api/participants"));
        assertThat(all.get("participants").findValuesAsText("name"))
                .contains("test-ask", "test-decide", "test-finish", "test-sla-part");
    }

    @Test
    @DisplayName("the command topic's lag is read from the brokers: 0 once the participant consumed everything")
    void commandLag() {
        await("the lag of test-sla-part's command topic").atMost(Duration.ofSeconds(60)).until(() -> {
            JsonNode lag = json(s.get("/api/participants?name=test-sla-part")).get("participants").get(0).get("commandLag");
            return lag.isNumber() && lag.asLong() == 0;
        });
        assertThat(s.get("/metrics").body()).contains("baton_participant_command_lag{participant=\"test-sla-part\"} 0.0");
    }

    @Test
    @DisplayName("the engine's own reply and start consumers' lag is in GET /api/stats and the metrics: 0 once all is read")
    void engineConsumerLag() {
        await("the reply consumer's lag").atMost(Duration.ofSeconds(60)).until(() -> {
            JsonNode lag = json(s.get("/api/stats")).get("consumerLag");
            return lag.path("replies").isNumber() && lag.get("replies").asLong() == 0;
        });
        assertThat(s.get("/metrics").body()).contains("baton_engine_consumer_lag{consumer=\"replies\"} 0.0");
    }

    @Test
    @DisplayName("bad query parameters are RFC 9457 problems: 400 for an unknown parameter or window, 404 for an unknown name")
    void badParameters() {
        HttpResponse<String> badWindow = s.get("/api/participants?window=2m");
        assertThat(badWindow.statusCode()).isEqualTo(400);
        assertThat(badWindow.headers().firstValue("Content-Type")).hasValueSatisfying(t ->
                assertThat(t).startsWith("application/problem+json"));
        assertThat(json(badWindow).get("detail").asText()).isEqualTo("window must be one of [1m, 5m, 15m], but was '2m'");
        assertThat(s.get("/api/slas?window=1h").statusCode()).isEqualTo(400);
        HttpResponse<String> unknownParam = s.get("/api/participants?participant=x");
        assertThat(unknownParam.statusCode()).isEqualTo(400);
        assertThat(json(unknownParam).get("detail").asText()).contains("unknown query parameter 'participant'");
        HttpResponse<String> unknown = s.get("/api/participants?name=nobody");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(json(unknown).get("detail").asText()).startsWith("no participant 'nobody' is known");
        assertThat(s.get("/api/slas?type=nope").statusCode()).isEqualTo(404);
    }
}
