package dev.baton.engine.internal;

import dev.baton.engine.HistoryKind;
import dev.baton.dsl.SagaDefinition;
import dev.baton.engine.OperatorAction;
import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.spi.ReplyOutcome;
import dev.baton.engine.spi.TimerKind;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Drives one saga through the pure state machine the way the runtime would: keeps the state, a virtual clock,
 * the live timers (at most one per kind; a decision's {@code cancelTimers} are applied before its
 * {@code timers}; a timer is removed when it fires) and everything the decisions produced.
 */
final class Driver<D> {
    static final SagaId ID = SagaId.of("saga-1");
    static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

    final SagaDefinition<D> def;
    SagaState state;
    Instant now;
    final Map<TimerKind, Decision.Timer> live = new EnumMap<>(TimerKind.class);
    /**
     * The live timers as a store keeps them: one per kind and step (a decision's cancels remove a kind's timers of
     * every step). For a saga without parallel branches it must hold what {@link #live} holds: a timer of another
     * step left behind would show here.
     */
    final Map<String, Decision.Timer> stored = new java.util.TreeMap<>();
    /** Every timer ever set, live or not, in the order set. */
    final List<Decision.Timer> timersSet = new ArrayList<>();
    /** Every command sent, in order. */
    final List<Decision.Command> sent = new ArrayList<>();
    /** Every history entry of every applied decision, in order. */
    final List<Decision.Entry> history = new ArrayList<>();
    /** Every event applied and the time it was applied at, for replay. */
    final List<Applied> log = new ArrayList<>();
    Decision last;

    record Applied(SagaState before, SagaEvent event, Instant at, Decision decision) {}

    private Driver(SagaDefinition<D> def, Instant now) {
        this.def = def;
        this.now = now;
    }

    static <D> Driver<D> start(SagaDefinition<D> def, D data) {
        Driver<D> d = new Driver<>(def, T0);
        d.record(StateMachine.start(ID, def, data, "bk-1", T0));
        return d;
    }

    // ------------------------------------------------------------------ events

    Decision apply(SagaEvent e) {
        SagaState before = state;
        Decision d = StateMachine.decide(state, e, def, now);
        log.add(new Applied(before, e, now, d));
        record(d);
        return d;
    }

    private void record(Decision d) {
        last = d;
        state = d.state();
        d.cancelTimers().forEach(live::remove);
        stored.values().removeIf(t -> d.cancelTimers().contains(t.kind()));
        for (Decision.StepTimer t : d.cancelStepTimers()) {
            stored.remove(t.kind() + "/" + t.step());
            if (live.containsKey(t.kind()) && live.get(t.kind()).step().equals(t.step())) {
                live.remove(t.kind());
            }
        }
        for (Decision.Timer t : d.timers()) {
            live.put(t.kind(), t);
            stored.put(t.kind() + "/" + t.step(), t);
            timersSet.add(t);
        }
        sent.addAll(d.commands());
        history.addAll(d.history());
    }

    Decision reply(Decision.Command c, ReplyOutcome outcome, Object reply, String reason) {
        return apply(new SagaEvent.Replied(c.messageId(), outcome, reply, reason));
    }

    /** The latest command sent answers SUCCESS with {@code reply}. */
    Decision succeed(Object reply) {
        return reply(lastCommand(), ReplyOutcome.SUCCESS, reply, null);
    }

    Decision succeed() {
        return succeed(null);
    }

    Decision refuse(String reason) {
        return reply(lastCommand(), ReplyOutcome.FAILURE, null, reason);
    }

    Decision busy() {
        return reply(lastCommand(), ReplyOutcome.RETRY_LATER, null, "busy");
    }

    Decision operator(OperatorAction action) {
        return apply(new SagaEvent.Operator(action, "alice", "test"));
    }

    /** Fires the live timer of {@code kind}, moving the clock to its time if that is later. */
    Decision fire(TimerKind kind) {
        Decision.Timer t = live.get(kind);
        if (t == null) {
            throw new AssertionError("no live " + kind + " timer; live: " + live.values());
        }
        return fire(t);
    }

    /** Fires {@code t}, live or not; a live timer is consumed. */
    Decision fire(Decision.Timer t) {
        if (t.fireAt().isAfter(now)) {
            now = t.fireAt();
        }
        if (t.equals(live.get(t.kind()))) {
            live.remove(t.kind());
        }
        stored.remove(t.kind() + "/" + t.step(), t);
        return apply(new SagaEvent.TimerFired(t.kind(), t.token()));
    }

    /** Moves the clock forward by {@code d}, firing every live timer that falls due, earliest first. */
    void advance(Duration d) {
        Instant until = now.plus(d);
        while (true) {
            Optional<Decision.Timer> due = nextTimer().filter(t -> !t.fireAt().isAfter(until));
            if (due.isEmpty()) {
                break;
            }
            fire(due.get());
        }
        now = until;
    }

    /** The live timer due first (ties: TIMEOUT, RETRY, GIVE_UP; then by step), as a store keeps them. */
    Optional<Decision.Timer> nextTimer() {
        return stored.values().stream()
                .min(Comparator.comparing(Decision.Timer::fireAt).thenComparing(Decision.Timer::kind)
                        .thenComparing(Decision.Timer::step));
    }

    // ------------------------------------------------------------------ queries

    Decision.Command lastCommand() {
        if (sent.isEmpty()) {
            throw new AssertionError("no command was sent");
        }
        return sent.get(sent.size() - 1);
    }

    Optional<Decision.Timer> timer(TimerKind kind) {
        return Optional.ofNullable(live.get(kind));
    }

    SagaStatus status() {
        return state.status();
    }

    @SuppressWarnings("unchecked")
    D data() {
        return (D) state.data();
    }

    /** The steps of the compensation commands sent, in order, one entry per command. */
    List<String> compensationSends() {
        return sent.stream().filter(c -> c.direction() == Execution.Direction.COMPENSATE).map(Decision.Command::step).toList();
    }

    /** The payloads of the commands sent, in order. */
    List<Object> payloads() {
        return sent.stream().map(Decision.Command::payload).toList();
    }

    List<HistoryKind> historyKinds() {
        return history.stream().map(Decision.Entry::kind).toList();
    }

    long count(HistoryKind kind, String step) {
        return history.stream().filter(e -> e.kind() == kind && java.util.Objects.equals(e.step(), step)).count();
    }

    /** A long log is shown as its first and last events, so that a failure message stays readable. */
    static final int SHOWN_FIRST = 25;
    static final int SHOWN_LAST = 75;

    /** The status, reason and cursor, then the log: one line per event, numbered, with its time and decision. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("saga ").append(state.status());
        if (state.pendingState() != null) {
            b.append('(').append(state.pendingState()).append(')');
        }
        b.append(" reason=").append(state.reason()).append(" cursor=").append(state.exec().cursor()).append('\n');
        boolean trim = log.size() > SHOWN_FIRST + SHOWN_LAST + 1;
        for (int i = 0; i < log.size(); i++) {
            if (trim && i == SHOWN_FIRST) {
                b.append("  ... ").append(log.size() - SHOWN_FIRST - SHOWN_LAST).append(" events left out ...\n");
                i = log.size() - SHOWN_LAST;
            }
            Applied a = log.get(i);
            b.append("  #").append(i + 1).append(" @").append(Duration.between(T0, a.at())).append(' ').append(a.event())
                    .append(" -> ")
                    .append(a.decision().ignored() != null ? "ignored: " + a.decision().ignored()
                            : a.decision().rejected() != null ? "rejected: " + a.decision().rejected()
                            : a.decision().state().status() + " " + a.decision().history().stream().map(Decision.Entry::kind).toList()
                                    + " cmds=" + a.decision().commands().stream().map(c -> c.messageId() + "#" + c.attempt()).toList())
                    .append('\n');
        }
        return b.toString();
    }
}
