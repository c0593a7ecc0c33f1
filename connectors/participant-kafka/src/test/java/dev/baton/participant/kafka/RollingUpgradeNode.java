package dev.baton.participant.kafka;

import dev.baton.engine.LiveSettingRejectedException;
import dev.baton.engine.Rollout;
import dev.baton.engine.SagaEngine;
import dev.baton.engine.SagaEngineBuilder;
import dev.baton.engine.SagaId;
import dev.baton.engine.spi.SagaListener;
import dev.baton.jackson.JacksonCodec;
import dev.baton.jdbi.JdbiSagaStore;
import dev.baton.kafka.KafkaTransport;
import dev.baton.kafka.common.KafkaOptions;
import dev.baton.testkit.example.OrderSaga.OrderData;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One engine node of {@link RollingUpgradeTest}: the engine on the shared PostgreSQL database with the Kafka transport,
 * in the engine group every node shares, registering the {@link UpgradeSaga} versions it is given; the participants run
 * in the test JVM. It does what the test writes on its stdin, one command a line, in order:
 * <ul>
 * <li>{@code start FROM TO PER_SECOND}: starts sagas {@code FROM} (inclusive) to {@code TO} (exclusive) at that pace
 *     (0: no pacing), idempotently by business key, each naming {@link UpgradeSaga#V1}: the type's rollout, if set,
 *     picks the version; prints {@code STARTED <n> <ms>}, or {@code START FAILED <i> <message>} per failed start;</li>
 * <li>{@code rollout 1=50,2=50}: sets the type's rollout through {@link SagaEngine#live()}; prints {@code ROLLOUT OK}
 *     or {@code ROLLOUT REFUSED conflict=<true|false> <message>}.</li>
 * </ul>
 * The end of stdin is a clean shutdown: the engine is closed, {@code STATS} printed, exit code 3.
 *
 * <p>Arguments: bootstrap servers, JDBC URL, user, password, topic prefix, reply partitions, node name, the versions to
 * register ({@code 1} or {@code 1,2}), the live-settings poll in milliseconds. Prints besides, each with epoch
 * milliseconds from this machine's clock: {@code OPEN <ms>} once the engine is open; {@code FOLLOWS <weights> <ms>}
 * each time the rollout this node applies changes ({@code none} when there is none); and at the clean stop
 * {@code STATS dead_letters=<n> duplicates=<n> ignored=<n>}: records the transport dead-lettered, replies its inbox
 * dropped as already applied, replies the state machine ignored as stale.
 */
public final class RollingUpgradeNode {
    /** Threads that start sagas (the store's pool has 10 connections). */
    private static final int STARTERS = 6;

    private final AtomicLong deadLetters = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong ignored = new AtomicLong();
    private final SagaListener listener = new SagaListener() {
        @Override
        public void onDeadLetter(String where, String reason) {
            deadLetters.incrementAndGet();
        }

        @Override
        public void onDuplicateMessage(String messageId) {
            duplicates.incrementAndGet();
        }

        @Override
        public void onIgnoredReply(SagaId id, String reason) {
            ignored.incrementAndGet();
        }
    };

    private RollingUpgradeNode() {}

    public static void main(String[] args) throws Exception {
        KafkaOptions options = CrashSaga.options(args[0], args[4]).withPartitions(Integer.parseInt(args[5]));
        RollingUpgradeNode node = new RollingUpgradeNode();
        SagaEngineBuilder builder = SagaEngine.builder()
                .store(JdbiSagaStore.create(args[1], args[2], args[3]))
                .transport(KafkaTransport.create(options, node.listener))
                .codec(new JacksonCodec())
                .listener(node.listener)
                .nodeName(args[6])
                .liveSettingsPoll(Duration.ofMillis(Long.parseLong(args[8])));
        for (String v : args[7].split(",")) {
            builder.register(switch (v) {
                case "1" -> UpgradeSaga.V1;
                case "2" -> UpgradeSaga.V2;
                default -> throw new IllegalArgumentException("no version " + v + " of " + UpgradeSaga.TYPE);
            });
        }
        SagaEngine engine = builder.build();
        engine.open();
        System.out.println("OPEN " + System.currentTimeMillis());
        Thread.ofPlatform().daemon().name("rollout-watch").start(() -> watchRollout(engine));

        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String[] f = line.strip().split(" ");
            switch (f[0]) {
                case "start" -> start(engine, Integer.parseInt(f[1]), Integer.parseInt(f[2]), Integer.parseInt(f[3]));
                case "rollout" -> rollout(engine, f[1]);
                default -> System.out.println("UNKNOWN " + line);
            }
        }
        engine.close();
        System.out.println("STATS dead_letters=" + node.deadLetters + " duplicates=" + node.duplicates + " ignored="
                + node.ignored);
        System.exit(3);
    }

    private static void start(SagaEngine engine, int from, int to, int perSecond) throws InterruptedException {
        // from a few threads: one start is a transaction of several round trips, which a loaded machine makes slow;
        // the pace is kept by when each start is handed over
        ExecutorService starters = Executors.newFixedThreadPool(STARTERS);
        List<Future<?>> started = new ArrayList<>();
        long begin = System.nanoTime();
        for (int i = from; i < to; i++) {
            if (perSecond > 0) {
                long wait = begin + (i - from) * 1_000_000_000L / perSecond - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(Duration.ofNanos(wait));
                }
            }
            int n = i;
            started.add(starters.submit(() -> engine.start(UpgradeSaga.V1, OrderData.of("o-" + n, CrashSaga.amount(n)),
                    CrashSaga.businessKey(n))));
        }
        starters.shutdown();
        for (int i = 0; i < started.size(); i++) {
            try {
                started.get(i).get();
            } catch (ExecutionException e) {
                System.out.println("START FAILED " + (from + i) + " " + e.getCause());
            }
        }
        System.out.println("STARTED " + (to - from) + " " + System.currentTimeMillis());
    }

    private static void rollout(SagaEngine engine, String weights) {
        Map<Integer, Integer> w = new TreeMap<>();
        for (String kv : weights.split(",")) {
            String[] p = kv.split("=");
            w.put(Integer.valueOf(p[0]), Integer.valueOf(p[1]));
        }
        try {
            engine.live().setRollout(UpgradeSaga.TYPE, w, "test", "rolling upgrade");
            System.out.println("ROLLOUT OK");
        } catch (LiveSettingRejectedException e) {
            System.out.println("ROLLOUT REFUSED conflict=" + e.conflict() + " " + e.getMessage().replace('\n', ' '));
        }
    }

    /** Prints the weights this node applies to new sagas whenever they change: how soon a node follows a rollout. */
    private static void watchRollout(SagaEngine engine) {
        String last = null;
        while (true) {
            String now = engine.live().rollout(UpgradeSaga.TYPE).map(Rollout::weights).map(Object::toString)
                    .orElse("none").replace(" ", "");
            if (!Objects.equals(now, last)) {
                System.out.println("FOLLOWS " + now + " " + System.currentTimeMillis());
                last = now;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                return;
            }
        }
    }
}
