package dev.baton.engine.internal;

import dev.baton.engine.FlowSettings;
import dev.baton.engine.spi.CommandGate;
import dev.baton.engine.spi.FlowCount;
import dev.baton.engine.spi.FlowShare;
import dev.baton.engine.spi.OutboxRecord;
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
import java.util.function.Consumer;
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
                long released, long heldBack, long paceNanos) {}

    static final class Flow {
        final String name;
        volatile double limit;
        final AtomicLong inFlight = new AtomicLong();
        /** The most in flight since the last tick: whether the limit was reached (only then may it rise). */
        final AtomicLong peak = new AtomicLong();
        volatile long waiting;
        final AtomicLong ready = new AtomicLong();
        volatile Instant oldestWaiting;
        /** Sagas this node put in line since the last count: nobody jumps them. */
        final AtomicLong queuedSinceCount = new AtomicLong();
        final LongAdder answered = new LongAdder();
        final LongAdder busy = new LongAdder();
        final LongAdder timedOut = new LongAdder();
        final LongAdder released = new LongAdder();
        final LongAdder heldBack = new LongAdder();
        volatile boolean leader;
        /**
         * The pause between releases (nanoseconds, 0 = none), for a participant limited by rate rather than by
         * concurrency (busy even with one or two commands in flight): it is set from the rate of answers when busy
         * answers first come, and then held where about {@link #TARGET_BUSY_SHARE} of the answers are busy: longer
         * (×{@value #PACE_UP}) per tick above that share, shorter (×{@value #PACE_DOWN}) per tick below it, and gone
         * once no busy answer has come for a while. A participant kept a little over its rate is a participant kept
         * at its rate: the few busy answers cost a round trip, a pause that is too long costs capacity.
         */
        volatile long paceNanos;
        /** Answers and busy answers per tick, smoothed over about a second ({@link #SMOOTHING}). */
        double smoothAnswered;
        double smoothBusy;
        /** Under a pace, when the next release may go (on the engine's clock, so a manual clock drives it too). */
        volatile Instant nextRelease = Instant.EPOCH;
        /** How long a paced release's transaction takes (nanoseconds, smoothed): the next one starts that early. */
        volatile long releaseNanos;
        /** When the release loop is due to run again, if it is (see {@link #wakeUp}). */
        final java.util.concurrent.atomic.AtomicReference<Instant> wakeAt = new java.util.concurrent.atomic.AtomicReference<>();
        /** One release loop per participant at a time. */
        final java.util.concurrent.locks.ReentrantLock draining = new java.util.concurrent.locks.ReentrantLock();
        /** The shared totals the leader last adjusted the limit from; -1: not yet. */
        long seenAnswered = -1;
        long seenBusy;
        long seenTimedOut;

        Flow(String name, double limit) {
            this.name = name;
            this.limit = limit;
        }
    }

    /** Fires released WAIT timers (see {@link TimerFirer#fireAdmittedAll}); their commands go out as spacing says. */
    @FunctionalInterface
    interface Release {
        /**
         * @param spacing when the commands go out (null: as soon as their transaction commits)
         */
        void release(List<TimerRecord> timers, String participant, Spacing spacing);
    }

    /**
     * When the commands of one paced release go out: the first at {@code first} (or when its transaction commits, if
     * that is later), the others a pace apart, sent by the sender thread. Releasing a few commands per transaction
     * keeps up with a pace shorter than a commit; sending them a pace apart keeps them from reaching the participant
     * in a bunch, which finds a participant limited by rate busy whatever the average rate.
     */
    static final class Spacing {
        private final Clock clock;
        private final Instant first;
        private final long paceNanos;
        private final java.util.concurrent.ScheduledExecutorService sender;
        /** When the last command of the release goes out; null until dispatched (or if none did). */
        private volatile Instant last;

        Spacing(Clock clock, Instant first, long paceNanos, java.util.concurrent.ScheduledExecutorService sender) {
            this.clock = clock;
            this.first = first;
            this.paceNanos = paceNanos;
            this.sender = sender;
        }

        /** Sends {@code rows} (committed outbox rows) through {@code send}, a pace apart. */
        void dispatch(List<OutboxRecord> rows, Consumer<List<OutboxRecord>> send) {
            if (rows.isEmpty()) {
                return;
            }
            Instant now = clock.instant();
            Instant at = first.isAfter(now) ? first : now;
            for (OutboxRecord row : rows) {
                long delay = java.time.Duration.between(now, at).toNanos();
                if (delay <= 0) {
                    send.accept(List.of(row));
                } else {
                    try {
                        sender.schedule(() -> send.accept(List.of(row)), delay, java.util.concurrent.TimeUnit.NANOSECONDS);
                    } catch (java.util.concurrent.RejectedExecutionException e) {
                        send.accept(List.of(row)); // closing: out now rather than to the sweep
                    }
                }
                last = at;
                at = at.plusNanos(paceNanos);
            }
        }

        Instant last() {
            return last;
        }
    }

    private final FlowSettings settings;
    private final SagaStore store;
    private final Clock clock;
    private final String node;
    private final Map<String, Flow> flows = new ConcurrentHashMap<>();
    private volatile boolean supported;
    /** Set by {@link #start}: releases a participant's line as soon as an answer frees room, between ticks. */
    private volatile java.util.concurrent.ScheduledExecutorService releaser;
    /** Set by {@link #start}: sends the commands of paced releases a pace apart. */
    private volatile java.util.concurrent.ScheduledExecutorService sender;
    private volatile CommandGate gate = CommandGate.OPEN;
    private volatile Release release;

    static final long MIN_PACE_NANOS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(1);
    /**
     * The longest pause: 20 releases a second at least, so that a participant answering busy for reasons of its own
     * (not its rate: one order always busy) slows its line only so far.
     */
    static final long MAX_PACE_NANOS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(50);
    /** The share of busy answers the pace aims at. */
    static final double TARGET_BUSY_SHARE = 0.3;
    static final double PACE_UP = 1.1;
    static final double PACE_DOWN = 0.95;
    /** Weight of the latest tick in the smoothed counts. */
    static final double SMOOTHING = 0.2;

    FlowControl(FlowSettings settings, SagaStore store, Clock clock, String node, Set<String> participants) {
        this.settings = settings;
        this.store = store;
        this.clock = clock;
        this.node = node;
        this.supported = settings.enabled();
        participants.forEach(this::flow); // every participant has its flow (and metrics) from the start
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

    /**
     * Releases waiting commands between ticks too, on a thread of its own ({@code baton-flow}), as soon as answers free
     * room (an open engine; without it, lines move at each {@link #tick} only, as under a test kit's manual clock).
     */
    void start(CommandGate gate, Release release) {
        if (!supported) {
            return;
        }
        this.gate = gate;
        this.release = release;
        this.sender = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("baton-flow-send").factory());
        this.releaser = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("baton-flow").factory());
    }

    /**
     * Stops releasing between ticks; a release under way finishes its transaction, and the commands of paced releases
     * still go out (a tick's worth at most).
     */
    void stop() {
        java.util.concurrent.ScheduledExecutorService ex = releaser;
        releaser = null;
        awaitShutdown(ex);
        java.util.concurrent.ScheduledExecutorService s = sender;
        sender = null;
        awaitShutdown(s);
    }

    private static void awaitShutdown(java.util.concurrent.ScheduledExecutorService ex) {
        if (ex != null) {
            ex.shutdown(); // delayed sends still run
            try {
                ex.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
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
                f.peak.accumulateAndGet(now + 1, Math::max);
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
        f.ready.incrementAndGet(); // held back now, ready at once (a busy answer's wait is counted at the next tick)
        releaseSoon(f);
    }

    /** An answer (or timeout) of a command to {@code participant} was applied on this node. */
    void onOutcome(String participant, CommandGate.Outcome outcome) {
        Flow f = flow(participant);
        f.inFlight.updateAndGet(n -> Math.max(0, n - 1));
        switch (outcome) {
            case ANSWERED -> f.answered.increment();
            case BUSY -> f.busy.increment();
            case TIMED_OUT -> f.timedOut.increment();
            case ERROR, ERROR_REPEATED -> {
                // a failing participant is the breaker's business; an error says nothing about its capacity
            }
        }
        releaseSoon(f);
    }

    /** Runs the participant's release loop on the releaser, if this node leads it and some wait. */
    private void releaseSoon(Flow f) {
        java.util.concurrent.ScheduledExecutorService ex = releaser;
        if (ex == null || !f.leader || f.ready.get() <= 0 || f.draining.isLocked()) {
            return;
        }
        try {
            ex.execute(() -> releaseQuietly(f));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closing
        }
    }

    private void releaseQuietly(Flow f) {
        try {
            drain(f, gate, release, clock.instant());
        } catch (RuntimeException e) {
            log.warn("releasing the line of participant {} failed; the next tick tries again", f.name, e);
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
    int tick(CommandGate gate, Release release) {
        if (!supported) {
            return 0;
        }
        int released = 0;
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
            f.ready.set(c == null ? 0 : c.ready());
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
            if (releaser != null) {
                releaseSoon(f);
            } else {
                released += drain(f, gate, release, now);
            }
        }
        return released;
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
        f.paceNanos = nextPace(f, a, b, settings.tick().toNanos());
        long peak = f.peak.getAndSet(f.inFlight.get());
        double next = settings.next(f.limit, a, b, t, Math.max(peak, f.inFlight.get()), f.waiting);
        if (next != f.limit && store.setFlowLimit(f.name, node, next, now)) {
            if ((long) Math.floor(next) != (long) Math.floor(f.limit)) {
                log.debug("flow limit of participant {}: {} -> {} ({} answered, {} busy, {} timed out)", f.name,
                        (long) Math.floor(f.limit), (long) Math.floor(next), a, b, t);
            }
            f.limit = next;
        }
    }

    /** The pace after a tick with {@code answered} and {@code busy} answers (see {@link Flow#paceNanos}). */
    static long nextPace(Flow f, long answered, long busy, long tickNanos) {
        f.smoothAnswered += SMOOTHING * (answered - f.smoothAnswered);
        f.smoothBusy += SMOOTHING * (busy - f.smoothBusy);
        long pace = f.paceNanos;
        double total = f.smoothAnswered + f.smoothBusy;
        if (pace == 0) {
            // the first busy answers: start at the rate the participant answered in this tick
            return busy == 0 ? 0 : Math.clamp(tickNanos / Math.max(1, answered + busy), MIN_PACE_NANOS, MAX_PACE_NANOS);
        }
        if (f.smoothBusy < 0.05 && busy == 0) {
            return 0; // no busy answer for about a second and a half: the participant has room again
        }
        if (total > 0 && f.smoothBusy / total > TARGET_BUSY_SHARE) {
            return Math.min(MAX_PACE_NANOS, (long) (pace * PACE_UP));
        }
        return Math.max(MIN_PACE_NANOS, (long) (pace * PACE_DOWN));
    }

    /**
     * Releases waiting commands into the room there is, oldest first, one loop per participant at a time; under a
     * pace, commands go out a pace apart (see {@link Spacing}; the rest of the line waits for the releaser, or the
     * next tick).
     *
     * @return how many were released
     */
    private int drain(Flow f, CommandGate gate, Release release, Instant now) {
        if (!f.draining.tryLock()) {
            return 0; // a loop is running; it goes on while there is room
        }
        int released = 0;
        try {
            for (int pass = 0; pass < 4 && f.leader && f.ready.get() > 0; pass++) {
                long room = (long) Math.floor(f.limit) - f.inFlight.get();
                if (room <= 0) {
                    return released;
                }
                long pace = f.paceNanos;
                int want = (int) Math.min(Math.min(room, f.ready.get()), 100);
                java.util.concurrent.ScheduledExecutorService send = sender;
                boolean spaced = pace > 0 && send != null && releaser != null;
                if (pace > 0) {
                    // a spaced release starts its transaction about as long before its first send as one takes
                    long lead = spaced ? f.releaseNanos : 0;
                    long wait = java.time.Duration.between(now, f.nextRelease).toNanos() - lead;
                    if (wait > 0) {
                        wakeUp(f, now.plusNanos(wait), wait);
                        return released;
                    }
                    // enough commands per transaction to cover the next one's commit, sent a pace apart; one at a
                    // time when nothing spaces them (a manual clock's ticks)
                    want = spaced ? (int) Math.min(want, Math.min(1 + settings.tick().toNanos() / pace,
                            1 + Math.ceilDiv(Math.max(lead, pace), pace))) : 1;
                }
                int permitted = 0;
                while (permitted < want && permit(gate, f.name)) {
                    permitted++;
                }
                if (permitted == 0) {
                    return released;
                }
                long began = System.nanoTime();
                List<TimerRecord> waiting = store.leaseWaiting(f.name, now, now.plus(settings.lease()), permitted);
                for (int i = waiting.size(); i < permitted; i++) {
                    safely(() -> gate.release(f.name));
                }
                if (waiting.size() < permitted) {
                    f.ready.set(0); // the line (of those ready) is empty; the next count says more
                } else {
                    f.ready.updateAndGet(r -> Math.max(0, r - waiting.size()));
                }
                for (int i = 0; i < waiting.size(); i++) {
                    f.peak.accumulateAndGet(f.inFlight.incrementAndGet(), Math::max);
                    f.released.increment();
                }
                Spacing spacing = null;
                if (!waiting.isEmpty()) {
                    Instant first = f.nextRelease.isAfter(now) ? f.nextRelease : now;
                    spacing = spaced ? new Spacing(clock, first, pace, send) : null;
                    release.release(waiting, f.name, spacing);
                    if (spaced) {
                        long took = System.nanoTime() - began;
                        f.releaseNanos = f.releaseNanos == 0 ? took : (long) (f.releaseNanos + SMOOTHING * (took - f.releaseNanos));
                    }
                    released += waiting.size();
                }
                if (pace > 0) {
                    Instant next;
                    if (spacing != null && spacing.last() != null) {
                        next = spacing.last().plusNanos(pace);
                    } else {
                        // a release that came late (its transaction took longer than the pause) keeps the rate by
                        // shortening the next pause, never below half of it
                        Instant onPace = f.nextRelease.plusNanos(pace);
                        Instant soonest = now.plusNanos(pace / 2);
                        next = onPace.isAfter(soonest) ? onPace : soonest;
                    }
                    // whole microseconds: stores keep instants to the microsecond, and a manual clock jumps here
                    f.nextRelease = next.plusNanos(999).truncatedTo(java.time.temporal.ChronoUnit.MICROS);
                }
                if (waiting.isEmpty()) {
                    return released;
                }
                now = clock.instant();
            }
        } finally {
            f.draining.unlock();
        }
        return released;
    }

    /**
     * Runs the release loop again at {@code at} (in {@code delayNanos}), unless a wake-up at or before then is already
     * pending: each answer asks for a loop, and without this every one of them would leave a wake-up behind.
     */
    private void wakeUp(Flow f, Instant at, long delayNanos) {
        java.util.concurrent.ScheduledExecutorService ex = releaser;
        if (ex == null) {
            return;
        }
        Instant pending = f.wakeAt.get();
        if (pending != null && !pending.isAfter(at) && pending.isAfter(clock.instant())) {
            return;
        }
        f.wakeAt.set(at);
        try {
            ex.schedule(() -> {
                f.wakeAt.compareAndSet(at, null);
                releaseQuietly(f);
            }, delayNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closing
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

    /**
     * The earliest instant after {@code now} at which this node would release a waiting command with no answer
     * arriving first: when the oldest wait ends, or when the pace allows the next release. Null when nothing waits,
     * or only answers (or timeouts, which have timers of their own) can make room. A manual clock jumps here.
     */
    Instant nextReleaseAfter(Instant now) {
        if (!supported) {
            return null;
        }
        Instant next = null;
        for (Flow f : flows.values()) {
            if (!f.leader || f.waiting + f.queuedSinceCount.get() == 0) {
                continue;
            }
            Instant at;
            if (f.ready.get() > 0) {
                if ((long) Math.floor(f.limit) - f.inFlight.get() <= 0) {
                    continue;
                }
                at = f.paceNanos > 0 ? f.nextRelease : null;
            } else {
                at = f.oldestWaiting;
            }
            if (at != null && at.isAfter(now) && (next == null || at.isBefore(next))) {
                next = at;
            }
        }
        return next;
    }

    /** Every participant's flow, sorted by name. */
    List<View> views() {
        return new TreeMap<>(flows).values().stream().map(f -> new View(f.name, f.limit, f.inFlight.get(),
                f.waiting + f.queuedSinceCount.get(), f.oldestWaiting, f.leader, f.released.sum(),
                f.heldBack.sum(), f.paceNanos)).toList();
    }
}
