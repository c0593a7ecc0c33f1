package dev.baton.participant.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.engine.Rollout;
import dev.baton.jdbi.PostgresDatabase;
import dev.baton.jdbi.PostgresExtension;
import dev.baton.kafka.common.KafkaOptions;
import dev.baton.kafka.dev.EmbeddedKafkaBroker;
import dev.baton.kafka.dev.junit.KafkaBrokerExtension;
import dev.baton.participant.CommandHandlers;
import dev.baton.participant.Outcome;
import dev.baton.testkit.example.OrderSaga;
import dev.baton.testkit.example.OrderSaga.AuthorizePayment;
import dev.baton.testkit.example.OrderSaga.PaymentAuthorized;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A rolling upgrade of a two-node cluster from {@link UpgradeSaga#V1} to v1+v2 with sagas in flight (issue 18): two
 * engine processes ({@link RollingUpgradeNode}) on one PostgreSQL database and one engine consumer group serve v1 and
 * start {@value #FIRST} sagas; then, while those run, {@code node-a} is stopped cleanly and started again registering
 * v1 and v2, and asked to give v2 half of the new sagas, which it must refuse: {@code node-b} is live and lacks v2, so
 * it could not apply the replies of v2 sagas. Then {@code node-b} is restarted the same way, and the same rollout is
 * accepted; each node starts half of {@value #SECOND} more sagas, each start naming v1, so the rollout picks the
 * version. The four participant services run in this JVM and stay up. As in {@link MultiNodeFailoverTest}, a tenth of
 * the sagas are declined at payment and compensate, and a tenth park on busy answers from payment: in the second
 * batch twice, in the first until both nodes have been upgraded (payment answers busy until then), so these v1 sagas
 * are parked through both restarts and resumed by timers the upgraded nodes fire.
 *
 * <p>Asserted, from the database and the services' stores once every saga is terminal:
 * <ul>
 * <li>every saga of the first batch ran on v1, and every saga of the second on the version the rollout gives its
 *     business key ({@link Rollout#versionFor} of {@link Rollout#bucket}), so the split is checked exactly, not
 *     statistically; v2 took 35 % to 65 % of them;</li>
 * <li>lost = 0, every participant effect exactly once, no step recorded twice, no attempt sent twice
 *     ({@link SagaVerdict});</li>
 * <li>the scenario happened: sagas were in flight when node-a was stopped, sagas of the first batch were parked when
 *     node-b was and ended (on v1) after both nodes had been upgraded, and the refusal named node-b and the version
 *     it lacks.</li>
 * </ul>
 * Nothing about time is asserted; the waits are bounded only to fail with a useful message.
 *
 * <p>Printed, one line starting {@code upgrade:}: the sagas per batch; at each restart, the sagas in flight when the
 * node was stopped (of which "parked": PENDING at the payment step, after a busy answer or waiting in flow control's
 * line there), and how long the new process took to open; how soon the other node followed the
 * rollout; the v1/v2 split of the second batch; the first batch's sagas that ended after node-b reopened (in flight
 * when both nodes had been upgraded, all on v1);
 * the time from the second restart's open until every saga was terminal; lost sagas, duplicated effects, double steps
 * and sends; reply timeouts; dead letters, duplicate and ignored replies the nodes counted; WARN/ERROR lines in the
 * nodes' logs (and a second line, {@code upgrade warnings:}, with the first few of them).
 */
@ExtendWith({KafkaBrokerExtension.class, PostgresExtension.class})
class RollingUpgradeTest {
    private static final int FIRST = 400;
    private static final int SECOND = 400;
    private static final int PARTITIONS = 6;
    /** Per node: the first batch starts within two seconds, faster than its sagas end, so most are in flight. */
    private static final int STARTS_PER_SECOND = 100;
    /** Short, so the other node follows a rollout within a fraction of a second (a node is live for 10 s). */
    private static final int LIVE_POLL_MS = 200;
    private static final String PREFIX = "upgrade.";
    private static final Map<Integer, Integer> HALF = Map.of(1, 50, 2, 50);
    /** Bounds of the waits, far above what they take. */
    private static final Duration NODE_WITHIN = Duration.ofMinutes(2);
    private static final Duration ALL_ENDED_WITHIN = Duration.ofMinutes(3);

    @Test
    @DisplayName("two engine nodes upgraded one by one from v1 to v1+v2 with sagas in flight: the rollout waits for the"
            + " second, in-flight sagas end on v1, new ones split by business key, nothing lost or duplicated")
    void rollingUpgrade(EmbeddedKafkaBroker broker, PostgresDatabase db) throws Exception {
        Path logs = Files.createDirectories(Path.of("target", "upgrade-test"));
        KafkaOptions options = CrashSaga.options(broker.bootstrapServers(), PREFIX).withPartitions(PARTITIONS);
        db.openStore().close(); // migrates the schema once, before the nodes come up together
        Map<ChildProcess, Path> processes = new LinkedHashMap<>(); // every process, with its log
        AtomicBoolean upgraded = new AtomicBoolean();
        try (OrderServices services = new OrderServices(options, 1, Set.of(OrderSaga.ORDERS.name(),
                OrderSaga.INVENTORY.name(), OrderSaga.LOGISTICS.name()))) {
            services.startService(options, payment(upgraded));
            ChildProcess a = node(processes, "node-a", 1, "1", broker, db, logs);
            ChildProcess b = node(processes, "node-b", 1, "1", broker, db, logs);
            awaitOpen(a);
            awaitOpen(b);
            a.send("start 0 " + FIRST / 2 + " " + STARTS_PER_SECOND);
            b.send("start " + FIRST / 2 + " " + FIRST + " " + STARTS_PER_SECOND);
            awaitStarted(a);
            awaitStarted(b);

            // node-a: stopped cleanly, back with v1+v2; it must refuse to give v2 a share while node-b lacks v2
            long[] inFlightAtA = inFlight(db);
            assertThat(a.stop(NODE_WITHIN)).as("node-a's exit code after a clean stop (%s)", a.tail()).isEqualTo(3);
            long aStopped = System.currentTimeMillis();
            a = node(processes, "node-a", 2, "1,2", broker, db, logs);
            long aOpen = awaitOpen(a);
            a.send("rollout 1=50,2=50");
            String refused = a.awaitLine(l -> l.startsWith("ROLLOUT "), NODE_WITHIN);
            assertThat(refused).as("node-a's rollout while node-b ran v1 only")
                    .startsWith("ROLLOUT REFUSED conflict=true").contains("node-b").contains("lacks v2");

            // node-b: the same; then the rollout is accepted
            long[] inFlightAtB = inFlight(db);
            assertThat(b.stop(NODE_WITHIN)).as("node-b's exit code after a clean stop (%s)", b.tail()).isEqualTo(3);
            long bStopped = System.currentTimeMillis();
            b = node(processes, "node-b", 2, "1,2", broker, db, logs);
            long bOpen = awaitOpen(b);
            b.send("rollout 1=50,2=50");
            String accepted = b.awaitLine(l -> l.startsWith("ROLLOUT "), NODE_WITHIN);
            assertThat(accepted).as("node-b's rollout once both nodes have v2").isEqualTo("ROLLOUT OK");
            upgraded.set(true); // the first batch's parked payments go through from now on
            long followedAt = followed(a);
            long setAt = followed(b);

            a.send("start " + FIRST + " " + (FIRST + SECOND / 2) + " " + STARTS_PER_SECOND);
            b.send("start " + (FIRST + SECOND / 2) + " " + (FIRST + SECOND) + " " + STARTS_PER_SECOND);
            awaitStarted(a);
            awaitStarted(b);
            awaitAllEnded(db, List.of(a, b), FIRST + SECOND);
            long allEnded = System.currentTimeMillis();
            long v1EndedAfterUpgrade = Long.parseLong(db.rows("SELECT COUNT(*) FROM baton_saga WHERE definition_version"
                    + " = 1 AND updated_at > TIMESTAMP WITH TIME ZONE 'epoch' + " + bOpen + " * INTERVAL '1 millisecond'"
                    + " AND created_at < TIMESTAMP WITH TIME ZONE 'epoch' + " + aStopped + " * INTERVAL '1 millisecond'")
                    .get(0));
            for (ChildProcess p : List.of(a, b)) {
                assertThat(p.stop(NODE_WITHIN)).as("%s's exit code after a clean stop (%s)", p.name(), p.tail())
                        .isEqualTo(3);
            }

            SagaVerdict v = SagaVerdict.of(db, services, FIRST + SECOND);
            Rollout half = new Rollout(UpgradeSaga.TYPE, new TreeMap<>(HALF), "test", "rolling upgrade", Instant.now());
            Map<String, Integer> versions = db.rows("SELECT business_key, definition_version FROM baton_saga").stream()
                    .map(r -> r.split("\\|")).collect(Collectors.toMap(f -> f[0], f -> Integer.parseInt(f[1])));
            List<String> wrongVersion = new ArrayList<>();
            int[] split = new int[3];
            for (int i = 0; i < FIRST + SECOND; i++) {
                String key = CrashSaga.businessKey(i);
                Integer version = versions.get(key);
                int expected = i < FIRST ? 1 : half.versionFor(Rollout.bucket(UpgradeSaga.TYPE, key));
                if (version != null && version != expected && wrongVersion.size() < 10) {
                    wrongVersion.add(key + " on v" + version + ", expected v" + expected);
                }
                if (version != null && i >= FIRST && version < split.length) {
                    split[version]++;
                }
            }
            Map<String, Long> stats = new TreeMap<>();
            processes.keySet().forEach(p -> stats(p).forEach((k, x) -> stats.merge(k, x, Long::sum)));
            List<String> warnings = new ArrayList<>();
            for (Map.Entry<ChildProcess, Path> p : processes.entrySet()) {
                for (String line : Files.readAllLines(p.getValue())) {
                    if (line.contains(" WARN ") || line.contains(" ERROR ")) {
                        warnings.add(p.getValue().getFileName() + ": " + line);
                    }
                }
            }

            System.out.println(String.join(" ",
                    "upgrade: sagas=" + FIRST + "+" + SECOND, "nodes=2",
                    String.format(Locale.ROOT, "node-a restarted with %d in flight (%d parked), open in %.1f s, rollout"
                            + " refused;", inFlightAtA[0], inFlightAtA[1], (aOpen - aStopped) / 1000.0),
                    String.format(Locale.ROOT, "node-b restarted with %d in flight (%d parked), open in %.1f s, rollout"
                            + " 50/50 set, node-a followed in %d ms;", inFlightAtB[0], inFlightAtB[1],
                            (bOpen - bStopped) / 1000.0, Math.max(0, followedAt - setAt)),
                    "second_batch v1/v2=" + split[1] + "/" + split[2] + ";",
                    "first_batch_ended_after_upgrade=" + v1EndedAfterUpgrade + ";",
                    String.format(Locale.ROOT, "all ended %.1f s after node-b reopened;", (allEnded - bOpen) / 1000.0),
                    "lost=" + v.lost.size(), "duplicated_effects=" + v.duplicatedEffects,
                    "double_steps=" + v.doubleSteps.size(), "double_sends=" + v.doubleSends.size(),
                    "wrong_version=" + wrongVersion.size(), "parked=" + v.parkedSagas + "/" + v.parkings,
                    "timeouts=" + v.timedOut, "dead_letters=" + stats.getOrDefault("dead_letters", 0L),
                    "duplicate_replies=" + stats.getOrDefault("duplicates", 0L),
                    "ignored_replies=" + stats.getOrDefault("ignored", 0L), "warnings=" + warnings.size(),
                    "timers_left=" + v.timersLeft, "outbox_left=" + v.outboxLeft));
            for (String problem : v.doubleSends.subList(0, Math.min(1, v.doubleSends.size()))) {
                // the story of the first saga with a double send, for whoever reads the failure
                String saga = problem.replaceFirst("^saga (\\S+) .*", "$1").replaceFirst("\\|.*", "");
                System.out.println("upgrade history of " + saga + ":\n  " + String.join("\n  ", db.rows("SELECT at, kind,"
                        + " step, detail FROM baton_history WHERE saga_id = '" + saga + "' ORDER BY seq")));
            }
            if (!warnings.isEmpty()) {
                System.out.println("upgrade warnings: " + String.join("\n  ", warnings.subList(0,
                        Math.min(10, warnings.size()))));
            }

            assertThat(wrongVersion).as("sagas not on the version expected (first batch v1, second by the rollout),"
                    + " first 10").isEmpty();
            assertThat(split[2] * 100 / SECOND).as("v2's share of the second batch, percent (v1/v2 = %d/%d)", split[1],
                    split[2]).isBetween(35, 65);
            assertThat(v.lost).as("lost sagas (missing, or not ended as their amount says), first 10").isEmpty();
            assertThat(v.wrongEffects).as("sagas whose effects are not each exactly once, first 10").isEmpty();
            assertThat(v.duplicatedEffects).as("effects applied more than once").isZero();
            assertThat(services.totalEffects()).as("no effect outside these sagas").isEqualTo(4L * (FIRST + SECOND));
            assertThat(v.doubleSteps).as("steps (or ends) recorded twice in a saga's history, first 10").isEmpty();
            assertThat(v.doubleSends).as("attempts sent, timed out or resumed twice in a saga's history, first 10")
                    .isEmpty();
            assertThat(inFlightAtA[0]).as("sagas in flight when node-a was stopped").isPositive();
            assertThat(inFlightAtB[1]).as("sagas parked when node-b was stopped").isPositive();
            assertThat(v1EndedAfterUpgrade).as("first-batch sagas that ended after both nodes were upgraded").isPositive();
        } finally {
            for (Map.Entry<ChildProcess, Path> p : processes.entrySet()) {
                p.getKey().close();
                // the node's stdout, kept for a look next to its log
                Files.write(Path.of(p.getValue().toString().replaceFirst("\\.log$", ".out")), p.getKey().lines());
            }
        }
    }

    /**
     * The payment service: declines amounts ending in 3; for amounts ending in 7, is busy until {@code upgraded} in the
     * first batch, and twice in the second (as {@link OrderServices#payment}).
     */
    private static CommandHandlers payment(AtomicBoolean upgraded) {
        Map<String, AtomicInteger> busy = new ConcurrentHashMap<>();
        return CommandHandlers.forParticipant(OrderSaga.PAYMENT)
                .on(AuthorizePayment.class, (c, ctx) -> {
                    if (c.amountCents() % 10 == 3) {
                        return Outcome.failure("card declined");
                    }
                    if (c.amountCents() % 10 == 7) {
                        if (c.amountCents() < CrashSaga.amount(FIRST) && !upgraded.get()) {
                            return Outcome.retryLater("busy until the cluster is upgraded", Duration.ofSeconds(1));
                        }
                        if (c.amountCents() >= CrashSaga.amount(FIRST)
                                && busy.computeIfAbsent(c.orderId(), k -> new AtomicInteger()).incrementAndGet() <= 2) {
                            return Outcome.retryLater("promotion traffic");
                        }
                    }
                    OrderServices.effect(ctx, c.orderId());
                    return Outcome.success(new PaymentAuthorized("p-" + c.orderId()));
                })
                .build();
    }

    /** Starts an engine process registering {@code versions}; {@code run} tells its log from the earlier one's. */
    private static ChildProcess node(Map<ChildProcess, Path> processes, String name, int run, String versions,
                                     EmbeddedKafkaBroker broker, PostgresDatabase db, Path logs) throws IOException {
        Path log = logs.resolve(name + "-" + run + ".log");
        ChildProcess p = ChildProcess.start(name, RollingUpgradeNode.class, log, broker.bootstrapServers(),
                db.jdbcUrl(), db.user(), db.password(), PREFIX, Integer.toString(PARTITIONS), name, versions,
                Integer.toString(LIVE_POLL_MS));
        processes.put(p, log);
        return p;
    }

    /** Waits for the node's {@code OPEN} line; returns its time (epoch ms). */
    private static long awaitOpen(ChildProcess p) {
        return Long.parseLong(p.awaitLine(l -> l.startsWith("OPEN "), NODE_WITHIN).split(" ")[1]);
    }

    /** Waits for the process to have started its batch; fails if a start failed. */
    private static void awaitStarted(ChildProcess p) {
        p.awaitLine(l -> l.startsWith("STARTED "), NODE_WITHIN);
        List<String> failed = p.lines().stream().filter(l -> l.startsWith("START FAILED ")).limit(5).toList();
        assertThat(failed).as("%s could not start sagas", p.name()).isEmpty();
    }

    /** When the node began applying the 50/50 rollout (its {@code FOLLOWS} line), epoch ms. */
    private static long followed(ChildProcess p) {
        String line = p.awaitLine(l -> l.startsWith("FOLLOWS {1=50,2=50} "), NODE_WITHIN);
        return Long.parseLong(line.split(" ")[2]);
    }

    /** Sagas not terminal now, and of them those parked (PENDING). */
    private static long[] inFlight(PostgresDatabase db) {
        String[] f = db.rows("SELECT COUNT(*) FILTER (WHERE status NOT IN ('COMPLETED', 'COMPENSATED')),"
                + " COUNT(*) FILTER (WHERE status = 'PENDING') FROM baton_saga").get(0).split("\\|");
        return new long[] {Long.parseLong(f[0]), Long.parseLong(f[1])};
    }

    /** The counters of the node's {@code STATS} line, printed at its clean stop. */
    private static Map<String, Long> stats(ChildProcess p) {
        return p.find(l -> l.startsWith("STATS ")).map(l -> Arrays.stream(l.split(" ")).skip(1)
                        .map(kv -> kv.split("=")).collect(Collectors.toMap(kv -> kv[0], kv -> Long.parseLong(kv[1]))))
                .orElse(Map.of());
    }

    /** Waits until {@code sagas} sagas are terminal; fails at once if one FAILED or a node ended. */
    private static void awaitAllEnded(PostgresDatabase db, List<ChildProcess> nodes, int sagas) {
        Callable<Boolean> done = () -> {
            Map<String, Long> counts = statusCounts(db);
            if (counts.getOrDefault("FAILED", 0L) > 0) {
                throw new AssertionError("sagas FAILED (" + counts + "): " + db.rows("SELECT business_key,"
                        + " current_step, reason FROM baton_saga WHERE status = 'FAILED' LIMIT 5"));
            }
            return counts.getOrDefault("COMPLETED", 0L) + counts.getOrDefault("COMPENSATED", 0L) == sagas;
        };
        try {
            await("all " + sagas + " sagas terminal").atMost(ALL_ENDED_WITHIN).pollInterval(Duration.ofMillis(200))
                    .failFast("an engine node ended", () -> nodes.stream().anyMatch(n -> !n.alive()))
                    .until(done);
        } catch (ConditionTimeoutException | TerminalFailureException | AssertionError e) {
            StringBuilder why = new StringBuilder(e.getMessage()).append("\nsaga counts ").append(statusCounts(db));
            for (ChildProcess n : nodes) {
                why.append("\n--- ").append(n.name()).append(n.alive() ? " (running)" : " (ended)").append(": ")
                        .append(n.tail());
            }
            throw new AssertionError(why.toString(), e);
        }
    }

    private static Map<String, Long> statusCounts(PostgresDatabase db) {
        return db.rows("SELECT status, COUNT(*) FROM baton_saga GROUP BY status").stream().map(r -> r.split("\\|"))
                .collect(Collectors.toMap(f -> f[0], f -> Long.parseLong(f[1]), Long::sum, TreeMap::new));
    }
}
