package dev.baton.participant.kafka;

import dev.baton.engine.SagaEngine;
import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.spi.SagaListener;
import dev.baton.jackson.JacksonCodec;
import dev.baton.jdbi.JdbiSagaStore;
import dev.baton.kafka.KafkaTransport;
import dev.baton.kafka.common.KafkaOptions;
import dev.baton.testkit.example.OrderSaga.OrderData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.common.utils.Utils;

/**
 * One engine node of {@link MultiNodeFailoverTest}: the engine on a shared PostgreSQL database with the Kafka
 * transport, in the engine group every node shares; the participants run in the test JVM. It starts the
 * {@link CrashSaga#MULTI_NODE} sagas {@code from} (inclusive) to {@code to} (exclusive) at a steady pace, idempotently
 * by business key, so a node given the share of a dead one starts only what the dead one did not; it then keeps
 * working for every node's sagas until the test closes its stdin (clean shutdown, exit 3) or kills it.
 *
 * <p>Arguments: bootstrap servers, JDBC URL, user, password, topic prefix, reply partitions, from, to, starts per
 * second (0: no pacing). Prints to stdout, each with epoch milliseconds from this machine's clock:
 * <ul>
 * <li>{@code OPEN <ms>} once the engine is open, {@code STARTED <n> <ms>} once its share is started;</li>
 * <li>{@code ASSIGNED <ms> <p,p,...>}, {@code REVOKED <ms> <p,...>}, {@code LOST <ms> <p,...>}: the reply partitions
 *     the group gave this node or took away, read from the consumer loop's INFO/WARN log lines as they are written
 *     (the log itself still goes to stderr);</li>
 * <li>{@code PROGRESS <p> <ms>}: the first reply of partition {@code p} this node applied (a step completed, or a
 *     compensated saga ended) since {@code p} was last assigned to it;</li>
 * <li>{@code STATS <ms> steps=<n> ended=<n> duplicates=<n> ignored=<n> warnings=<n> timer_races=<n>
 *     batch_races=<n> resent_outbox=<n>} each second when something changed: steps completed and sagas ended here;
 *     replies the inbox dropped as already applied; replies the state machine ignored (stale); WARN/ERROR log lines;
 *     and, from the engine's debug log, timers and reply batches that lost an optimistic race to another node and
 *     outbox rows the sweeper re-sent; once more at a clean stop.</li>
 * </ul>
 */
public final class FailoverEngineNode {
    /** The consumer loop's name for the engine's reply consumer (KafkaTransport). */
    private static final String REPLY_LOOP = "baton-kafka-replies: ";
    /** Threads that start sagas (the store's pool has 10 connections). */
    private static final int STARTERS = 6;

    private final String replyTopic;
    private final int partitions;
    /** Partitions assigned to this node that have not shown progress since. */
    private final Set<Integer> awaitingProgress = ConcurrentHashMap.newKeySet();
    private final AtomicLong steps = new AtomicLong();
    private final AtomicLong ended = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong ignored = new AtomicLong();
    private final AtomicLong warnings = new AtomicLong();
    private final AtomicLong timerRaces = new AtomicLong();
    private final AtomicLong batchRaces = new AtomicLong();
    private final AtomicLong resentOutbox = new AtomicLong();
    /** The counters as last printed; guarded by {@code this}. */
    private String lastStats = "";
    /** Counts what happens here; also gives the transport its dead-letter events. */
    private final SagaListener listener = new SagaListener() {
        @Override
        public void onStepCompleted(SagaId id, String sagaType, String step, Duration took) {
            steps.incrementAndGet();
            progressed(id);
        }

        @Override
        public void onEnded(SagaId id, String sagaType, SagaStatus outcome, Duration took) {
            ended.incrementAndGet();
            if (outcome == SagaStatus.COMPENSATED) {
                progressed(id); // the last compensation's reply: no step completes on this path
            }
        }

        @Override
        public void onDuplicateMessage(String messageId) {
            duplicates.incrementAndGet();
        }

        @Override
        public void onOutboxResent(int count) {
            resentOutbox.addAndGet(count);
        }

        @Override
        public void onIgnoredReply(SagaId id, String reason) {
            ignored.incrementAndGet();
        }
    };

    private FailoverEngineNode(String replyTopic, int partitions) {
        this.replyTopic = replyTopic;
        this.partitions = partitions;
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String jdbcUrl = args[1];
        String user = args[2];
        String password = args[3];
        String prefix = args[4];
        int partitions = Integer.parseInt(args[5]);
        int from = Integer.parseInt(args[6]);
        int to = Integer.parseInt(args[7]);
        int perSecond = Integer.parseInt(args[8]);

        KafkaOptions options = CrashSaga.options(bootstrap, prefix).withPartitions(partitions);
        FailoverEngineNode node = new FailoverEngineNode(options.replyTopic(), partitions);
        // before the first logger exists: the engine's lost races are logged at DEBUG
        System.setProperty("org.slf4j.simpleLogger.log.dev.baton.engine.internal", "debug");
        System.setErr(new PrintStream(new LineTap(System.err, node::onLogLine), true, StandardCharsets.UTF_8));

        SagaEngine engine = SagaEngine.builder()
                .store(JdbiSagaStore.create(jdbcUrl, user, password))
                .transport(KafkaTransport.create(options, node.listener))
                .codec(new JacksonCodec())
                .register(CrashSaga.MULTI_NODE)
                .listener(node.listener)
                .build();
        Thread.ofPlatform().daemon().name("stdin-watch").start(() -> {
            try {
                while (System.in.read() != -1) {
                    // the test closes stdin to stop us
                }
            } catch (IOException e) {
                // the test JVM is gone
            }
            engine.close();
            node.printStats();
            System.exit(3);
        });
        Thread.ofPlatform().daemon().name("stats").start(node::printStatsEverySecond);
        engine.open();
        System.out.println("OPEN " + System.currentTimeMillis());

        // Starts from a few threads: one start is a transaction of several round trips, which a loaded machine
        // makes slow; the pace is kept by when each start is handed over.
        ExecutorService starters = Executors.newFixedThreadPool(STARTERS);
        long begin = System.nanoTime();
        for (int i = from; i < to; i++) {
            if (perSecond > 0) {
                long wait = begin + (i - from) * 1_000_000_000L / perSecond - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(Duration.ofNanos(wait));
                }
            }
            int n = i;
            starters.execute(() -> engine.start(CrashSaga.MULTI_NODE, OrderData.of("o-" + n, CrashSaga.amount(n)),
                    CrashSaga.businessKey(n)));
        }
        starters.shutdown();
        if (!starters.awaitTermination(5, TimeUnit.MINUTES)) {
            throw new IllegalStateException("starting " + (to - from) + " sagas took over 5 minutes");
        }
        System.out.println("STARTED " + (to - from) + " " + System.currentTimeMillis());
        Thread.currentThread().join(); // work for the group until stopped
    }

    /** The reply partition of a saga: replies are keyed by saga id (KafkaParticipant), Kafka's default partitioner. */
    private int partitionOf(SagaId id) {
        return Utils.toPositive(Utils.murmur2(id.value().getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    /** Both events are applied replies, so on the consumer thread of the saga's reply partition. */
    private void progressed(SagaId id) {
        int p = partitionOf(id);
        if (awaitingProgress.remove(p)) {
            System.out.println("PROGRESS " + p + " " + System.currentTimeMillis());
        }
    }

    private void onLogLine(String line) {
        long now = System.currentTimeMillis();
        if (line.contains(" WARN ") || line.contains(" ERROR ")) {
            warnings.incrementAndGet();
        }
        if (line.contains("lost a race; re-running it on fresh state")) {
            timerRaces.incrementAndGet();
        } else if (line.contains("reply batch lost a race")) {
            batchRaces.incrementAndGet();
        }
        int at = line.indexOf(REPLY_LOOP + "partitions ");
        if (at < 0) {
            return;
        }
        String rest = line.substring(at + REPLY_LOOP.length() + "partitions ".length());
        String event = rest.startsWith("assigned") ? "ASSIGNED" : rest.startsWith("revoked") ? "REVOKED"
                : rest.startsWith("lost") ? "LOST" : null;
        int open = rest.indexOf('[');
        int close = rest.indexOf(']', open + 1);
        if (event == null || open < 0 || close < 0) {
            return;
        }
        List<Integer> ps = new ArrayList<>();
        for (String tp : rest.substring(open + 1, close).split(", ")) {
            if (tp.startsWith(replyTopic + "-")) {
                ps.add(Integer.parseInt(tp.substring(replyTopic.length() + 1)));
            }
        }
        if (event.equals("ASSIGNED")) {
            awaitingProgress.addAll(ps);
        } else {
            ps.forEach(awaitingProgress::remove);
        }
        System.out.println(event + " " + now + " " + String.join(",", ps.stream().map(String::valueOf).toList()));
    }

    private void printStatsEverySecond() {
        while (true) {
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
            printStats();
        }
    }

    /** Prints the counters if they changed since last printed. */
    private synchronized void printStats() {
        String stats = "steps=" + steps + " ended=" + ended + " duplicates=" + duplicates + " ignored=" + ignored
                + " warnings=" + warnings + " timer_races=" + timerRaces + " batch_races=" + batchRaces
                + " resent_outbox=" + resentOutbox;
        if (!stats.equals(lastStats)) {
            System.out.println("STATS " + System.currentTimeMillis() + " " + stats);
            lastStats = stats;
        }
    }

    /** Passes every byte on to {@code out} and hands each complete line to {@code onLine}, on the writing thread. */
    private static final class LineTap extends OutputStream {
        private final OutputStream out;
        private final Consumer<String> onLine;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        LineTap(OutputStream out, Consumer<String> onLine) {
            this.out = out;
            this.onLine = onLine;
        }

        @Override
        public synchronized void write(int b) throws IOException {
            out.write(b);
            if (b == '\n') {
                String s = line.toString(StandardCharsets.UTF_8);
                line.reset();
                onLine.accept(s);
            } else {
                line.write(b);
            }
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            int start = off;
            for (int i = off; i < off + len; i++) {
                if (b[i] == '\n') {
                    line.write(b, start, i - start);
                    String s = line.toString(StandardCharsets.UTF_8);
                    line.reset();
                    onLine.accept(s);
                    start = i + 1;
                }
            }
            line.write(b, start, off + len - start);
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }
    }
}
