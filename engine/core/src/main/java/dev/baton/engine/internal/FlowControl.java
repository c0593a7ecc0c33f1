package dev.baton.engine.internal;

import dev.baton.engine.FlowSettings;
import dev.baton.engine.spi.CommandGate;
import dev.baton.engine.spi.FlowCount;
import dev.baton.engine.spi.FlowShare;
import dev.baton.engine.spi.SagaStore;
import dev.baton.engine.spi.TimerRecord;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Flow control per participant (see {@link FlowSettings}). Deciding threads ask {@link #tryAdmit} before a command
 * goes out: it goes when nobody waits for the participant and fewer than its limit are in flight; otherwise the saga
 * waits in line (a WAIT timer). Every {@link FlowSettings#tick} each node counts what is in flight and waiting (from
 * the store, so every node's commands count), reports the outcomes it saw, and reads the shared limit; the node that
 * holds a participant's lease also adjusts the limit and releases the waiting commands, oldest first, into the room
 * there is (asking the {@link CommandGate} too: an open breaker lets none through).
 *
 * <p>Between ticks a node's count of what is in flight moves with its own admissions and the answers it applies, so
 * several nodes may briefly send a little over the limit together; the next tick corrects it.
 */
final class FlowControl {
    private static final Logger log = LoggerFactory.getLogger(FlowControl.class);

    /** What one participant's flow looks like now, for metrics and operators. */
    record View(String participant, double limit, long inFlight, long waiting, Instant oldestWaiting, boolean leader,
                long released, long heldBack) {}

    private static final class Flow {
        final String name;
        volatile double limit;
        final AtomicLong inFlight = new AtomicLong();
        volatile long waiting;
        volatile long ready;
        volatile Instant oldestWaiting;
        /** Sagas this node put in line since the last count: nobody jumps them. */
        final AtomicLong queuedSinceCount = new AtomicLong();
        final LongAdder answered = new LongAdder();
        final LongAdder busy = new LongAdder();
        final LongAdder timedOut = new LongAdder();
        final LongAdder released = new LongAdder();
        final LongAdder heldBack = new LongAdder();
        volatile boolean leader;
        /** The shared totals the leader last adjusted the limit from; -1: not yet. */
        long seenAnswered = -1;
        long seenBusy;
        long seenTimedOut;

        Flow(String name, double limit) {
            this.name = name;
            this.limit = limit;
        }
    }

    private final FlowSettings settings;
    private final SagaStore store;
    private final Clock clock;
    private final String node;
    private final Map<String, Flow> flows = new ConcurrentHashMap<>();
    private volatile boolean supported;

    FlowControl(FlowSettings settings, SagaStore store, Clock clock, String node) {
        this.settings = settings;
        this.store = store;
        this.clock = clock;
        this.node = node;
        this.supported = settings.enabled();
    }

    /** Whether commands wait in line for capacity (false: flow control is off, or the store cannot hold it). */
    boolean enabled() {
        return supported;
    }

    String node() {
        return node;
    }

    void prepare(Set<String> participants) {
        participants.forEach(this::flow);
        if (!supported) {
            return;
        }
        try {
            store.flowCounts(clock.instant());
        } catch (UnsupportedOperationException e) {
            supported = false;
            log.warn("flow control is off: {} (commands go out at once; parked sagas re-send on their timers)",
                    e.getMessage());
        }
    }

    private Flow flow(String participant) {
        return flows.computeIfAbsent(participant, p -> new Flow(p, settings.initialLimit()));
    }

    /**
     * Whether a command to {@code participant} may go now; if so, it counts as in flight from now on (give it back
     * with {@link #release} if it is not sent after all).
     */
    boolean tryAdmit(String participant) {
        Flow f = flow(participant);
        if (!supported) {
            f.inFlight.incrementAndGet();
            return true;
        }
        if (f.waiting > 0 || f.queuedSinceCount.get() > 0) {
            return false;
        }
        long room = (long) Math.floor(f.limit);
        while (true) {
            long now = f.inFlight.get();
            if (now >= room) {
                return false;
            }
            if (f.inFlight.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }

    /** A command admitted (or released from the line) was not sent: its transaction did not commit. */
    void release(String participant) {
        flow(participant).inFlight.updateAndGet(n -> Math.max(0, n - 1));
    }

    /** A saga was put in line for {@code participant} (its transaction committed). */
    void queued(String participant) {
        Flow f = flow(participant);
        f.queuedSinceCount.incrementAndGet();
        f.heldBack.increment();
    }

    /** An answer (or timeout) of a command to {@code participant} was applied on this node. */
    void onOutcome(String participant, CommandGate.Outcome outcome) {
        Flow f = flow(participant);
        f.inFlight.updateAndGet(n -> Math.max(0, n - 1));
        switch (outcome) {
            case ANSWERED -> f.answered.increment();
            case BUSY -> f.busy.increment();
            case TIMED_OUT -> f.timedOut.increment();
        }
    }

    /** Why a command to {@code participant} waits, for its history. */
    String whyHeld(String participant) {
        Flow f = flow(participant);
        long waiting = f.waiting + f.queuedSinceCount.get();
        String counts = " (" + f.inFlight.get() + " in flight, limit " + (long) Math.floor(f.limit) + ", " + waiting
                + " waiting)";
        return waiting > 0 ? "waiting in line for participant " + participant + counts
                : "participant " + participant + " is at its limit" + counts;
    }

    /**
     * Hands this node's leases back and reports the outcomes not yet reported, so that another node (or this
     * engine's successor) takes over at once instead of after the lease.
     */
    void close() {
        if (!supported) {
            return;
        }
        Instant now = clock.instant();
        for (Flow f : flows.values()) {
            long a = f.answered.sumThenReset();
            long b = f.busy.sumThenReset();
            long t = f.timedOut.sumThenReset();
            if (!f.leader && a + b + t == 0) {
                continue;
            }
            try {
                // a lease that ended at the epoch is free for any node, whatever its clock says
                FlowShare share = store.exchangeFlow(f.name, node, a, b, t, settings.initialLimit(), now, Instant.EPOCH);
                f.leader = false;
                if (node.equals(share.leader())) {
                    log.debug("flow control of participant {}: lease handed back", f.name);
                }
            } catch (RuntimeException e) {
                log.warn("flow control of participant {}: could not hand back the lease ({}); it ends by itself",
                        f.name, e.toString());
            }
        }
    }

    /**
     * One tick: counts, reports outcomes, reads (and, as the lease holder, adjusts) each participant's limit, and
     * releases waiting commands into the room there is through {@code release} (which fires the saga's WAIT timer
     * with the participant already admitted). {@code gate} is asked once per released command.
     */
    void tick(CommandGate gate, BiConsumer<TimerRecord, String> release) {
        if (!supported) {
            return;
        }
        Instant now = clock.instant();
        Map<String, FlowCount> counts = new TreeMap<>();
        for (FlowCount c : store.flowCounts(now)) {
            counts.put(c.participant(), c);
            flow(c.participant());
        }
        for (Flow f : flows.values()) {
            FlowCount c = counts.get(f.name);
            f.inFlight.set(c == null ? 0 : c.inFlight());
            f.waiting = c == null ? 0 : c.waiting();
            f.ready = c == null ? 0 : c.ready();
            f.oldestWaiting = c == null ? null : c.oldestWaiting();
            f.queuedSinceCount.set(0);
            long a = f.answered.sumThenReset();
            long b = f.busy.sumThenReset();
            long t = f.timedOut.sumThenReset();
            FlowShare share = store.exchangeFlow(f.name, node, a, b, t, settings.initialLimit(), now,
                    now.plus(settings.lease()));
            f.limit = share.limit();
            boolean leading = node.equals(share.leader());
            if (leading != f.leader) {
                log.info("flow control of participant {}: this node {} its lease", f.name, leading ? "holds" : "left");
                f.leader = leading;
                f.seenAnswered = -1;
            }
            if (!leading) {
                continue;
            }
            adjust(f, share, now);
            drain(f, gate, release, now);
        }
    }

    private void adjust(Flow f, FlowShare share, Instant now) {
        if (f.seenAnswered < 0) {
            f.seenAnswered = share.answered();
            f.seenBusy = share.busy();
            f.seenTimedOut = share.timedOut();
            return;
        }
        long a = share.answered() - f.seenAnswered;
        long b = share.busy() - f.seenBusy;
        long t = share.timedOut() - f.seenTimedOut;
        f.seenAnswered = share.answered();
        f.seenBusy = share.busy();
        f.seenTimedOut = share.timedOut();
        double next = settings.next(f.limit, a, b, t, f.inFlight.get(), f.waiting);
        if (next != f.limit && store.setFlowLimit(f.name, node, next, now)) {
            if ((long) Math.floor(next) != (long) Math.floor(f.limit)) {
                log.debug("flow limit of participant {}: {} -> {} ({} answered, {} busy, {} timed out)", f.name,
                        (long) Math.floor(f.limit), (long) Math.floor(next), a, b, t);
            }
            f.limit = next;
        }
    }

    private void drain(Flow f, CommandGate gate, BiConsumer<TimerRecord, String> release, Instant now) {
        long room = (long) Math.floor(f.limit) - f.inFlight.get();
        if (room <= 0 || f.ready <= 0) {
            return;
        }
        int want = (int) Math.min(Math.min(room, f.ready), 500);
        int permitted = 0;
        while (permitted < want && permit(gate, f.name)) {
            permitted++;
        }
        if (permitted == 0) {
            return;
        }
        List<TimerRecord> waiting = store.leaseWaiting(f.name, now, now.plus(settings.lease()), permitted);
        for (int i = waiting.size(); i < permitted; i++) {
            safely(() -> gate.release(f.name));
        }
        for (TimerRecord t : waiting) {
            f.inFlight.incrementAndGet();
            f.released.increment();
            release.accept(t, f.name);
        }
    }

    private static boolean permit(CommandGate gate, String participant) {
        try {
            return gate.permit(participant);
        } catch (RuntimeException e) {
            log.warn("a CommandGate threw; the command to {} goes out", participant, e);
            return true;
        }
    }

    private static void safely(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            log.warn("a CommandGate threw; ignored", e);
        }
    }

    /** Every participant's flow, sorted by name. */
    List<View> views() {
        return new TreeMap<>(flows).values().stream().map(f -> new View(f.name, f.limit, f.inFlight.get(),
                f.waiting + f.queuedSinceCount.get(), f.oldestWaiting, f.leader, f.released.sum(),
                f.heldBack.sum())).toList();
    }
}
