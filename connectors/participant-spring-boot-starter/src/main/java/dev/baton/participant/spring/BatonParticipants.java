package dev.baton.participant.spring;

import dev.baton.kafka.common.KafkaOptions;
import dev.baton.kafka.common.LoopHealth;
import dev.baton.participant.CommandHandlers;
import dev.baton.participant.ParticipantRuntime;
import dev.baton.participant.kafka.KafkaParticipant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * The application's participants bound to Kafka: one {@link KafkaParticipant} per {@link CommandHandlers} bean. They
 * start consuming once the application context is refreshed (every bean, the {@code DataSource} included, is ready)
 * and stop first on shutdown, before the data source closes: the poll in hand is finished, its replies sent and its
 * offsets committed. While they run, a non-daemon thread keeps the JVM alive, so an application without a web
 * server keeps serving until it is shut down. Thread-safe.
 *
 * @since 0.6
 */
public final class BatonParticipants implements SmartLifecycle {
    private static final Logger LOG = LoggerFactory.getLogger(BatonParticipants.class);

    /** Starts late and stops early: after and before every bean the handlers use. */
    public static final int PHASE = Integer.MAX_VALUE - 1000;

    private final KafkaOptions options;
    private final Map<String, ParticipantRuntime> runtimes;
    private final List<KafkaParticipant> bindings = new ArrayList<>();
    private final Map<String, KafkaParticipant> byName = new LinkedHashMap<>();
    private volatile boolean running;
    /** A non-daemon thread while running: the command loops' threads are daemons, and an application without a web
     * server would otherwise exit as soon as its context is refreshed. */
    private java.util.concurrent.CountDownLatch stopped;

    /**
     * @param options the Kafka settings
     * @param handlers every participant's handlers; two with the same participant name are refused
     * @param runtime builds a participant's runtime from its handlers
     */
    public BatonParticipants(KafkaOptions options, List<CommandHandlers> handlers,
                             Function<CommandHandlers, ParticipantRuntime> runtime) {
        this.options = Objects.requireNonNull(options, "options").validate();
        Map<String, ParticipantRuntime> built = new LinkedHashMap<>();
        for (CommandHandlers h : handlers) {
            if (built.containsKey(h.participant())) {
                throw new IllegalStateException("two CommandHandlers beans are for participant '" + h.participant()
                        + "'; register every command type of one participant in one CommandHandlers bean");
            }
            built.put(h.participant(), runtime.apply(h));
        }
        this.runtimes = Collections.unmodifiableMap(built);
    }

    /** The participants' names, in bean order. */
    public List<String> participants() {
        return List.copyOf(runtimes.keySet());
    }

    /** The runtime of {@code participant}, to handle commands without Kafka (tests, another transport). */
    public ParticipantRuntime runtime(String participant) {
        ParticipantRuntime r = runtimes.get(participant);
        if (r == null) {
            throw new IllegalArgumentException("no participant '" + participant + "'; known: " + runtimes.keySet());
        }
        return r;
    }

    /** The Kafka settings in use. */
    public KafkaOptions options() {
        return options;
    }

    /** Each running participant's command loop, by participant name; empty before start and after stop. */
    public synchronized Map<String, LoopHealth> loops() {
        Map<String, LoopHealth> health = new LinkedHashMap<>();
        byName.forEach((name, binding) -> health.put(name, binding.loopHealth()));
        return health;
    }

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        try {
            for (ParticipantRuntime r : runtimes.values()) {
                KafkaParticipant binding = KafkaParticipant.create(options, r).start();
                bindings.add(binding);
                byName.put(r.participant(), binding);
            }
        } catch (RuntimeException e) {
            closeAll();
            throw e;
        }
        running = true;
        java.util.concurrent.CountDownLatch latch = new java.util.concurrent.CountDownLatch(1);
        stopped = latch;
        Thread.ofPlatform().name("baton-participants-keep-alive").daemon(false).start(() -> {
            try {
                latch.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        LOG.info("Baton participants {} consuming from {}", runtimes.keySet(), options.bootstrapServers());
    }

    @Override
    public synchronized void stop() {
        if (!running) {
            return;
        }
        running = false;
        try {
            closeAll();
        } finally {
            stopped.countDown();
        }
        LOG.info("Baton participants {} stopped", runtimes.keySet());
    }

    private void closeAll() {
        RuntimeException failure = null;
        for (KafkaParticipant b : bindings) {
            try {
                b.close();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        bindings.clear();
        byName.clear();
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
