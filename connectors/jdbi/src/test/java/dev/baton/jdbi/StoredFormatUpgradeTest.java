package dev.baton.jdbi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.engine.SagaEngine;
import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.SagaView;
import dev.baton.engine.spi.EngineControls;
import dev.baton.engine.spi.InboundReply;
import dev.baton.engine.spi.OutboxRecord;
import dev.baton.engine.spi.ReplyOutcome;
import dev.baton.jackson.JacksonCodec;
import dev.baton.testkit.InMemoryTransport;
import dev.baton.testkit.ManualClock;
import dev.baton.testkit.example.OrderSaga;
import dev.baton.testkit.example.OrderSaga.OrderData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Upgrades keep working: a database written by an earlier release opens, and its sagas run to their end.
 *
 * <p>The fixture {@code fixtures/h2-bf08b18.sql} is an H2 {@code SCRIPT} of an embedded store written by commit
 * bf08b18 (schema V1-V3, execution state encoded by the Jackson codec of that time) running {@link OrderSaga}:
 * six sagas just started, past a timed-out attempt, parked in PENDING_PAYMENT, compensating, completed, and past
 * the pivot. A format change that cannot read these rows, or a migration that no longer applies on top of them,
 * fails here. Add a fixture per release whose stored format changes; never edit one.
 */
class StoredFormatUpgradeTest {
    private static final String FIXTURE = "fixtures/h2-bf08b18.sql";

    @Test
    @DisplayName("rows written by bf08b18 open, read and run to their end on this release")
    void runsSagasWrittenByAnEarlierRelease(@TempDir Path dir) throws Exception {
        Path script = dir.resolve("fixture.sql");
        try (var in = Objects.requireNonNull(getClass().getClassLoader().getResourceAsStream(FIXTURE), FIXTURE)) {
            Files.copy(in, script);
        }
        Jdbi.create("jdbc:h2:file:" + dir.resolve("baton").toAbsolutePath(), "sa", "")
                .useHandle(h -> h.execute("RUNSCRIPT FROM '" + script + "'"));

        ManualClock clock = ManualClock.atEpochOfTests();
        InMemoryTransport transport = new InMemoryTransport();
        try (SagaEngine engine = SagaEngine.builder().store(JdbiSagaStore.h2File(dir)).transport(transport)
                .codec(new JacksonCodec()).clock(clock).timeoutGraceAfterOpen(Duration.ZERO)
                .register(OrderSaga.DEFINITION).build()) {
            EngineControls controls = EngineControls.of(engine);
            Map<String, SagaStatus> before = Map.of(
                    "000000000001", SagaStatus.RUNNING, "000000000003", SagaStatus.RUNNING,
                    "000000000006", SagaStatus.PENDING, "000000000010", SagaStatus.COMPENSATING,
                    "000000000014", SagaStatus.COMPLETED, "000000000019", SagaStatus.RUNNING);
            before.forEach((suffix, status) -> assertThat(engine.find(id(suffix))).get()
                    .as("saga %s as stored", suffix).extracting(SagaView::status).isEqualTo(status));
            SagaView parked = engine.find(id("000000000006")).orElseThrow();
            assertThat(parked.pendingState()).isEqualTo("PENDING_PAYMENT");
            assertThat(parked.completedSteps()).containsExactly("create-order", "reserve-inventory");
            assertThat(((OrderData) parked.data()).reservationId()).isEqualTo("r-3");

            // Commands sent before the upgrade are answered by their message ids of that time.
            int replies = 0;
            for (String outstanding : List.of("000000000001/create-order/do/1", "000000000010/create-order/undo/1",
                    "000000000019/schedule-shipment/do/1")) {
                SagaId saga = id(outstanding.substring(0, 12));
                assertThat(controls.replies().accept(List.of(new InboundReply("upgrade-" + (++replies),
                        saga.value() + outstanding.substring(12), saga, ReplyOutcome.SUCCESS, null, null, null))))
                        .isEmpty();
            }
            assertThat(engine.find(id("000000000010")).orElseThrow().status()).isEqualTo(SagaStatus.COMPENSATED);
            assertThat(engine.find(id("000000000019")).orElseThrow().status()).isEqualTo(SagaStatus.COMPLETED);
            assertThat(engine.find(id("000000000001")).orElseThrow().completedSteps()).containsExactly("create-order");

            // Drive the rest to their end: time passes, timers fire and re-send, every command succeeds.
            for (int round = 0; round < 120 && !allEnded(engine, before.keySet()); round++) {
                clock.advance(Duration.ofSeconds(1));
                while (controls.fireDueTimers() > 0) {
                    // a full batch: more may be due
                }
                for (OutboxRecord command : transport.take()) {
                    String type = switch (command.messageType()) {
                        case "ReserveItems" -> "ItemsReserved";
                        case "AuthorizePayment" -> "PaymentAuthorized";
                        default -> null;
                    };
                    String payload = type == null ? null : type.equals("ItemsReserved")
                            ? "{\"reservationId\":\"r-new\"}" : "{\"paymentId\":\"p-new\"}";
                    assertThat(controls.replies().accept(List.of(new InboundReply("upgrade-" + (++replies),
                            command.messageId(), command.sagaId(), ReplyOutcome.SUCCESS, type, payload, null)))).isEmpty();
                }
            }
            Map<String, SagaStatus> after = Map.of(
                    "000000000001", SagaStatus.COMPLETED, "000000000003", SagaStatus.COMPLETED,
                    "000000000006", SagaStatus.COMPLETED, "000000000010", SagaStatus.COMPENSATED,
                    "000000000014", SagaStatus.COMPLETED, "000000000019", SagaStatus.COMPLETED);
            after.forEach((suffix, status) -> assertThat(engine.find(id(suffix))).get()
                    .as("saga %s at the end", suffix).extracting(SagaView::status).isEqualTo(status));
            assertThat(((OrderData) engine.find(id("000000000006")).orElseThrow().data()).paymentId()).isEqualTo("p-new");
            assertThat(engine.history(id("000000000010"))).as("the history written before the upgrade is kept")
                    .anySatisfy(h -> assertThat(h.detail()).contains("out of stock"));
        }
    }

    private static SagaId id(String suffix) {
        return new SagaId("00000000-0000-4000-8000-" + suffix);
    }

    private static boolean allEnded(SagaEngine engine, java.util.Set<String> suffixes) {
        return suffixes.stream().allMatch(s -> engine.find(id(s)).orElseThrow().status().isTerminal());
    }
}
