package dev.baton.participant.kafka;

import dev.baton.jdbi.PostgresDatabase;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How the order sagas {@code 0..n-1} of a multi-process test ended (business keys and amounts as
 * {@link CrashSaga#businessKey} and {@link CrashSaga#amount} give them), read from the engine's PostgreSQL database and
 * the services' stores once every saga is terminal. Shared by {@link MultiNodeFailoverTest} and
 * {@link RollingUpgradeTest}; lists hold the first ten problems of a kind.
 */
final class SagaVerdict {
    /** Sagas missing, there twice, or not ended as their amount says (COMPLETED, or COMPENSATED when declined). */
    final List<String> lost = new ArrayList<>();
    /** Sagas whose effects are not each exactly once. */
    final List<String> wrongEffects = new ArrayList<>();
    /** Effects applied beyond once, in all. */
    long duplicatedEffects;
    /** A step, or the end, recorded twice in a saga's history. */
    final List<String> doubleSteps = new ArrayList<>();
    /** The same attempt sent or timed out twice, or more resumptions than waits. */
    final List<String> doubleSends = new ArrayList<>();
    /** Sagas parked at least once by a busy answer, and parkings in all. */
    long parkedSagas;
    long parkings;
    /** Reply timeouts that fired. */
    long timedOut;
    /** Rows left in baton_timer and baton_outbox (expected 0 once every saga is terminal). */
    long timersLeft;
    long outboxLeft;

    private SagaVerdict() {}

    private static void add(List<String> to, String problem) {
        if (to.size() < 10) {
            to.add(problem);
        }
    }

    /** Checks sagas {@code 0..sagas-1}, which must all be terminal, and that the database holds no others. */
    static SagaVerdict of(PostgresDatabase db, OrderServices services, int sagas) {
        SagaVerdict v = new SagaVerdict();
        Map<String, String[]> byKey = new HashMap<>(); // business key -> id, status
        for (String row : db.rows("SELECT business_key, id, status FROM baton_saga")) {
            String[] f = row.split("\\|");
            if (byKey.put(f[0], new String[] {f[1], f[2]}) != null) {
                add(v.lost, "business key " + f[0] + " twice");
            }
        }
        Map<String, Map<String, Long>> steps = new HashMap<>(); // saga id -> "KIND step" -> count
        for (String row : db.rows("SELECT saga_id, kind, step, COUNT(*) FROM baton_history"
                + " WHERE kind IN ('STEP_COMPLETED', 'STEP_FAILED', 'STEP_COMPENSATED', 'COMPLETED', 'COMPENSATED',"
                + " 'FAILED')"
                + " GROUP BY saga_id, kind, step")) {
            String[] f = row.split("\\|");
            steps.computeIfAbsent(f[0], k -> new TreeMap<>()).put(f[1] + " " + f[2], Long.parseLong(f[3]));
            if (Long.parseLong(f[3]) > 1) {
                add(v.doubleSteps, "saga " + f[0] + ": " + f[1] + " " + f[2] + " x" + f[3]);
            }
        }
        Map<String, Map<String, Long>> effects = services.effectsBySaga();
        for (int i = 0; i < sagas; i++) {
            String key = CrashSaga.businessKey(i);
            String[] saga = byKey.get(key);
            boolean declined = CrashSaga.amount(i) % 10 == 3;
            String expected = declined ? "COMPENSATED" : "COMPLETED";
            if (saga == null || !saga[1].equals(expected)) {
                add(v.lost, key + ": " + (saga == null ? "missing" : saga[1] + ", expected " + expected));
                continue;
            }
            Map<String, Long> history = steps.getOrDefault(saga[0], Map.of());
            Map<String, Long> shape = declined
                    ? Map.of("STEP_COMPLETED create-order", 1L, "STEP_COMPLETED reserve-inventory", 1L,
                            "STEP_FAILED authorize-payment", 1L, "STEP_COMPENSATED reserve-inventory", 1L,
                            "STEP_COMPENSATED create-order", 1L, "COMPENSATED null", 1L)
                    : Map.of("STEP_COMPLETED create-order", 1L, "STEP_COMPLETED reserve-inventory", 1L,
                            "STEP_COMPLETED authorize-payment", 1L, "STEP_COMPLETED schedule-shipment", 1L,
                            "COMPLETED null", 1L);
            if (!history.keySet().equals(shape.keySet())) {
                add(v.lost, key + " (" + saga[0] + ") ended " + saga[1] + " but its history records " + history);
            }
            Map<String, Long> e = effects.getOrDefault(saga[0], Map.of());
            Map<String, Long> once = declined
                    ? Map.of("create-order/COMMAND", 1L, "reserve-inventory/COMMAND", 1L, "create-order/COMPENSATION", 1L,
                            "reserve-inventory/COMPENSATION", 1L)
                    : Map.of("create-order/COMMAND", 1L, "reserve-inventory/COMMAND", 1L, "authorize-payment/COMMAND", 1L,
                            "schedule-shipment/COMMAND", 1L);
            if (!e.equals(once)) {
                add(v.wrongEffects, key + " (" + saga[0] + "): " + e);
            }
            v.duplicatedEffects += e.values().stream().mapToLong(n -> Math.max(0, n - 1)).sum();
        }
        if (byKey.size() != sagas) {
            add(v.lost, byKey.size() + " sagas in the database, expected " + sagas);
        }

        // The same attempt sent or timed out twice: what a reply applied twice or a timer fired twice would write.
        for (String row : db.rows("SELECT saga_id, kind, step, detail, COUNT(*) FROM baton_history"
                + " WHERE kind IN ('COMMAND_SENT', 'COMPENSATION_SENT', 'TIMED_OUT') GROUP BY saga_id, kind, step, detail"
                + " HAVING COUNT(*) > 1")) {
            add(v.doubleSends, row);
        }
        // Each wait (a parking, or a command held back in flow control's line: NOT_SENT) sets one timer; a
        // resumption is that timer firing. A saga parked many times has its older entries of these kinds folded
        // (deleted from baton_history and counted in baton_history_fold), so both are counted.
        for (String row : db.rows("SELECT saga_id, step, COALESCE(SUM(n) FILTER (WHERE kind = 'PARKED'), 0),"
                + " COALESCE(SUM(n) FILTER (WHERE kind = 'RESUMED'), 0),"
                + " COALESCE(SUM(n) FILTER (WHERE kind = 'NOT_SENT'), 0) FROM ("
                + " SELECT saga_id, step, kind, COUNT(*) AS n FROM baton_history"
                + " WHERE kind IN ('PARKED', 'RESUMED', 'NOT_SENT') GROUP BY saga_id, step, kind"
                + " UNION ALL SELECT saga_id, step, kind, folded FROM baton_history_fold"
                + " WHERE kind IN ('PARKED', 'RESUMED', 'NOT_SENT')) AS waits GROUP BY saga_id, step")) {
            String[] f = row.split("\\|");
            v.parkedSagas += Long.parseLong(f[2]) > 0 ? 1 : 0;
            v.parkings += Long.parseLong(f[2]);
            if (Long.parseLong(f[3]) > Long.parseLong(f[2]) + Long.parseLong(f[4])) {
                add(v.doubleSends, "saga " + f[0] + " step " + f[1] + ": parked " + f[2] + " times, held back "
                        + f[4] + ", resumed " + f[3]);
            }
        }
        v.timedOut = Long.parseLong(db.rows("SELECT (SELECT COUNT(*) FROM baton_history WHERE kind = 'TIMED_OUT')"
                + " + (SELECT COALESCE(SUM(folded), 0) FROM baton_history_fold WHERE kind = 'TIMED_OUT')").get(0));
        v.timersLeft = Long.parseLong(db.rows("SELECT COUNT(*) FROM baton_timer").get(0));
        v.outboxLeft = Long.parseLong(db.rows("SELECT COUNT(*) FROM baton_outbox").get(0));
        return v;
    }
}
