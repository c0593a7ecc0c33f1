package dev.baton.jdbi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.baton.engine.OperatorAction;
import dev.baton.engine.SagaEngine;
import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.SagaView;
import dev.baton.engine.spi.EngineControls;
import dev.baton.engine.spi.HistoryFold;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Upgrades keep working from the last store format before per-step timers: a database written by commit ab6ba6c
 * opens, migration V6 re-keys its timers, and its sagas run to their end.
 *
 * <p>The fixture {@code fixtures/h2-ab6ba6c.sql} is an H2 {@code SCRIPT} of an embedded store written by commit
 * ab6ba6c (schema V1-V5: timers keyed by saga and kind with a participant column, flow control rows, folded history)
 * running {@link OrderSaga} with flow control on. Its eight sagas, by id suffix:
 * <ul>
 *   <li>{@code 00001} FAILED while compensating: create-order's compensation refused 8 times (history folded);</li>
 *   <li>{@code 00012} COMPLETED;</li>
 *   <li>{@code 00017} FAILED going forward: reserve-inventory's success reply could not be read;</li>
 *   <li>{@code 00021} RUNNING past a timed-out reserve-inventory, a RETRY timer set for the re-send;</li>
 *   <li>{@code 00024} PENDING_PAYMENT after a busy answer: a WAIT and a GIVE_UP timer for one saga;</li>
 *   <li>{@code 00028} COMPENSATING, create-order's compensation awaiting its answer;</li>
 *   <li>{@code 00032} RUNNING past the pivot, schedule-shipment awaiting;</li>
 *   <li>{@code 00037} just started, create-order awaiting.</li>
 * </ul>
 * The generator ran in a worktree of ab6ba6c and is not kept: a fixture is what an old release wrote, never rewritten.
 * Add a fixture per release whose stored format changes; never edit one.
 */
class StoredFormatUpgradeAb6ba6cTest {
    private static final String FIXTURE = "fixtures/h2-ab6ba6c.sql";
    /** When the old engine wrote its last row; the fixture's timers are due from here on. */
    private static final Instant LEFT_AT = Instant.parse("2026-01-01T00:03:12Z");

    @Test
    @DisplayName("rows written by ab6ba6c migrate to per-step timers, and every saga runs to its end on this release")
    void runsSagasWrittenBeforePerStepTimers(@TempDir Path dir) throws Exception {
        Path script = dir.resolve("fixture.sql");
        try (var in = Objects.requireNonNull(getClass().getClassLoader().getResourceAsStream(FIXTURE), FIXTURE)) {
            Files.copy(in, script);
        }
        Jdbi jdbi = Jdbi.create("jdbc:h2:file:" + dir.resolve("baton").toAbsolutePath(), "sa", "");
        jdbi.useHandle(h -> h.execute("RUNSCRIPT FROM '" + script + "'"));

        // Opening a store migrates; look at the migrated rows before any engine touches them.
        JdbiSagaStore.h2File(dir).close();
        jdbi.useHandle(h -> {
            assertThat(h.createQuery("SELECT \"version\" FROM \"baton_schema_history\" WHERE \"success\""
                    + " AND \"version\" IS NOT NULL ORDER BY \"installed_rank\"").mapTo(String.class).list())
                    .containsExactly("1", "2", "3", "4", "5", "6", "7", "8", "9");
            assertThat(h.createQuery("SELECT k.COLUMN_NAME FROM INFORMATION_SCHEMA.TABLE_CONSTRAINTS c"
                    + " JOIN INFORMATION_SCHEMA.KEY_COLUMN_USAGE k ON k.CONSTRAINT_NAME = c.CONSTRAINT_NAME"
                    + " WHERE c.TABLE_NAME = 'BATON_TIMER' AND c.CONSTRAINT_TYPE = 'PRIMARY KEY'"
                    + " ORDER BY k.ORDINAL_POSITION").mapTo(String.class).list())
                    .containsExactly("SAGA_ID", "KIND", "STEP");
            assertThat(h.createQuery("SELECT saga_id, kind, step, participant FROM baton_timer ORDER BY saga_id, kind")
                    .map((rs, ctx) -> tuple(rs.getString(1).substring(24), rs.getString(2), rs.getString(3),
                            rs.getString(4))).list())
                    .as("every timer keeps the step it was set for")
                    .containsExactly(
                            tuple("ab6ba6c00021", "RETRY", "reserve-inventory", null),
                            tuple("ab6ba6c00024", "GIVE_UP", "authorize-payment", null),
                            tuple("ab6ba6c00024", "WAIT", "authorize-payment", "payment"),
                            tuple("ab6ba6c00028", "TIMEOUT", "create-order", "order"),
                            tuple("ab6ba6c00032", "TIMEOUT", "schedule-shipment", "logistics"),
                            tuple("ab6ba6c00037", "TIMEOUT", "create-order", "order"));
        });

        ManualClock clock = new ManualClock(LEFT_AT);
        InMemoryTransport transport = new InMemoryTransport();
        JdbiSagaStore store = JdbiSagaStore.h2File(dir);
        try (SagaEngine engine = SagaEngine.builder().store(store).transport(transport)
                .codec(new JacksonCodec()).clock(clock).timeoutGraceAfterOpen(Duration.ZERO)
                .register(OrderSaga.DEFINITION).build()) {
            EngineControls controls = EngineControls.of(engine);
            Map<String, SagaStatus> before = Map.of(
                    "ab6ba6c00001", SagaStatus.FAILED, "ab6ba6c00012", SagaStatus.COMPLETED,
                    "ab6ba6c00017", SagaStatus.FAILED, "ab6ba6c00021", SagaStatus.RUNNING,
                    "ab6ba6c00024", SagaStatus.PENDING, "ab6ba6c00028", SagaStatus.COMPENSATING,
                    "ab6ba6c00032", SagaStatus.RUNNING, "ab6ba6c00037", SagaStatus.RUNNING);
            before.forEach((suffix, status) -> assertThat(engine.find(id(suffix))).get()
                    .as("saga %s as stored", suffix).extracting(SagaView::status).isEqualTo(status));
            SagaView parked = engine.find(id("ab6ba6c00024")).orElseThrow();
            assertThat(parked.pendingState()).isEqualTo("PENDING_PAYMENT");
            assertThat(parked.completedSteps()).containsExactly("create-order", "reserve-inventory");
            assertThat(((OrderData) parked.data()).reservationId()).isEqualTo("r-5");
            assertThat(engine.find(id("ab6ba6c00001")).orElseThrow().reason())
                    .isEqualTo("compensation of step 'create-order' failed after 8 attempts: order is being shipped");
            assertThat(store.historyFolds(id("ab6ba6c00001"))).as("the folded history written before the upgrade")
                    .extracting(HistoryFold::step, f -> f.kind().name(), HistoryFold::count)
                    .contains(tuple("create-order", "REPLY_RECEIVED", 3L), tuple("create-order", "COMPENSATION_SENT", 3L));

            // Commands sent before the upgrade are answered by their message ids of that time.
            List<String> replyIds = new ArrayList<>();
            for (String outstanding : List.of("ab6ba6c00028/create-order/undo/1", "ab6ba6c00032/schedule-shipment/do/1",
                    "ab6ba6c00037/create-order/do/1")) {
                SagaId saga = id(outstanding.substring(0, 12));
                replyIds.add("upgrade-" + replyIds.size());
                assertThat(controls.replies().accept(List.of(new InboundReply(replyIds.getLast(),
                        saga.value() + outstanding.substring(12), saga, ReplyOutcome.SUCCESS, null, null, null))))
                        .isEmpty();
            }
            assertThat(engine.find(id("ab6ba6c00028")).orElseThrow().status()).isEqualTo(SagaStatus.COMPENSATED);
            assertThat(engine.find(id("ab6ba6c00032")).orElseThrow().status()).isEqualTo(SagaStatus.COMPLETED);
            assertThat(engine.find(id("ab6ba6c00037")).orElseThrow().completedSteps()).containsExactly("create-order");

            // An operator retries both FAILED sagas: the refused compensation as a new invocation, the step whose
            // reply could not be read as the same invocation (it took effect; the participant answers it again).
            assertThat(engine.act(id("ab6ba6c00001"), OperatorAction.RETRY, "upgrade-test", "order released").status())
                    .isEqualTo(SagaStatus.COMPENSATING);
            assertThat(engine.act(id("ab6ba6c00017"), OperatorAction.RETRY, "upgrade-test", "reply fixed").status())
                    .isEqualTo(SagaStatus.RUNNING);
            List<OutboxRecord> retried = transport.take();
            assertThat(retried).extracting(c -> c.sagaId().value().substring(24), OutboxRecord::messageType)
                    .containsExactlyInAnyOrder(tuple("ab6ba6c00001", "CancelOrder"), tuple("ab6ba6c00017", "ReserveItems"),
                            tuple("ab6ba6c00037", "ReserveItems"));
            assertThat(retried).filteredOn(c -> c.sagaId().equals(id("ab6ba6c00017")))
                    .extracting(OutboxRecord::messageId).containsExactly(id("ab6ba6c00017") + "/reserve-inventory/do/1");
            answer(controls, retried, replyIds);

            // Drive the rest to their end: time passes, timers fire, flow control releases the parked saga's re-send,
            // and every command succeeds.
            Set<String> all = before.keySet();
            for (int round = 0; round < 120 && !allEnded(engine, all); round++) {
                clock.advance(Duration.ofSeconds(1));
                while (controls.fireDueTimers() > 0) {
                    // a full batch: more may be due
                }
                controls.flowTick();
                answer(controls, transport.take(), replyIds);
            }
            Map<String, SagaStatus> after = Map.of(
                    "ab6ba6c00001", SagaStatus.COMPENSATED, "ab6ba6c00012", SagaStatus.COMPLETED,
                    "ab6ba6c00017", SagaStatus.COMPLETED, "ab6ba6c00021", SagaStatus.COMPLETED,
                    "ab6ba6c00024", SagaStatus.COMPLETED, "ab6ba6c00028", SagaStatus.COMPENSATED,
                    "ab6ba6c00032", SagaStatus.COMPLETED, "ab6ba6c00037", SagaStatus.COMPLETED);
            after.forEach((suffix, status) -> assertThat(engine.find(id(suffix))).get()
                    .as("saga %s at the end", suffix).extracting(SagaView::status).isEqualTo(status));
            assertThat(((OrderData) engine.find(id("ab6ba6c00024")).orElseThrow().data()).paymentId()).isEqualTo("p-new");
            assertThat(((OrderData) engine.find(id("ab6ba6c00017")).orElseThrow().data()).reservationId()).isEqualTo("r-new");
            assertThat(engine.history(id("ab6ba6c00001"))).as("the history written before the upgrade is kept")
                    .anySatisfy(h -> assertThat(h.detail()).contains("failed after 8 attempts"));
            assertThat(store.dueTimers(Instant.parse("2100-01-01T00:00:00Z"), 100)).as("no timer is left behind").isEmpty();
        }
    }

    /** Answers every command with success, with the reply payload its step reads. */
    private static void answer(EngineControls controls, List<OutboxRecord> commands, List<String> replyIds) {
        for (OutboxRecord command : commands) {
            String type = switch (command.messageType()) {
                case "ReserveItems" -> "ItemsReserved";
                case "AuthorizePayment" -> "PaymentAuthorized";
                default -> null;
            };
            String payload = type == null ? null : type.equals("ItemsReserved")
                    ? "{\"reservationId\":\"r-new\"}" : "{\"paymentId\":\"p-new\"}";
            replyIds.add("upgrade-" + replyIds.size());
            assertThat(controls.replies().accept(List.of(new InboundReply(replyIds.getLast(), command.messageId(),
                    command.sagaId(), ReplyOutcome.SUCCESS, type, payload, null)))).isEmpty();
        }
    }

    private static SagaId id(String suffix) {
        return new SagaId("00000000-0000-4000-8000-" + suffix);
    }

    private static boolean allEnded(SagaEngine engine, Set<String> suffixes) {
        return suffixes.stream().allMatch(s -> engine.find(id(s)).orElseThrow().status().isTerminal());
    }
}
