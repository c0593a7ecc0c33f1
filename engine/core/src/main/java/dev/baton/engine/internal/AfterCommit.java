package dev.baton.engine.internal;

import dev.baton.engine.HistoryKind;
import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.spi.CommandGate;
import dev.baton.engine.spi.SagaListener;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The work that follows a committed transaction: the gate's bookkeeping, the listener's notifications and the
 * outbox rows' dispatch. Callers run it after releasing every saga lock, so a slow listener or a transport that
 * blocks (a Kafka producer waiting for metadata, say) never holds up other sagas' events. Notifications of one
 * saga can therefore reach a listener out of order when two of its events commit on two threads at nearly the
 * same moment; listeners count and time, they do not drive the saga.
 */
final class AfterCommit {
    private final GateAdvisor gate;
    private final SagaListener listener;
    private final OutboxDispatcher outbox;
    private final UserErrorLog errors;
    private final SagaTracing tracing;

    AfterCommit(GateAdvisor gate, SagaListener listener, OutboxDispatcher outbox, UserErrorLog errors,
                SagaTracing tracing) {
        this.gate = gate;
        this.tracing = tracing;
        this.listener = listener;
        this.outbox = outbox;
        this.errors = errors;
    }

    /** Gate bookkeeping and listeners first (cheap), then the sends. */
    void run(Effects fx) {
        notify(fx);
        send(fx);
    }

    /** The gate's bookkeeping and the listener's notifications of a committed transaction. */
    void notify(Effects fx) {
        fx.permits.clear(); // committed: each is settled by the command's answer or timeout
        fx.room.clear();
        for (String p : fx.queued) {
            gate.queued(p);
        }
        fx.queued.clear();
        for (Map.Entry<String, CommandGate.Outcome> o : fx.outcomes) {
            gate.onOutcome(o.getKey(), o.getValue());
        }
        fx.outcomes.clear();
        for (String p : fx.moot) {
            gate.release(p);
        }
        fx.moot.clear();
        for (Effects.Started s : fx.started) {
            Listeners.safely(() -> listener.onStarted(s.id(), s.type(), s.version()));
        }
        fx.started.clear();
        for (String m : fx.duplicates) {
            Listeners.safely(() -> listener.onDuplicateMessage(m));
        }
        fx.duplicates.clear();
        for (Map.Entry<SagaId, String> e : fx.ignored) {
            Listeners.safely(() -> listener.onIgnoredReply(e.getKey(), e.getValue()));
        }
        fx.ignored.clear();
        tracing.committed(fx);
        for (Effects.Change c : fx.changes) {
            for (Decision.UserError e : c.decision().errors()) {
                errors.log(c.after().id(), c.after().type(), e);
            }
            Listeners.safely(() -> notifyChange(c));
        }
        fx.changes.clear();
    }

    /** Hands a committed transaction's outbox rows to the transport. */
    void send(Effects fx) {
        if (fx.spacing != null) {
            fx.spacing.dispatch(List.copyOf(fx.outbox), outbox::dispatch);
        } else {
            outbox.dispatch(List.copyOf(fx.outbox));
        }
        fx.outbox.clear();
    }

    private void notifyChange(Effects.Change c) {
        SagaState s = c.after();
        SagaStatus from = c.from();
        Execution prev = c.beforeExec();
        java.util.Map<String, Execution.Cursor> before = new java.util.HashMap<>();
        if (prev != null) {
            prev.cursors().forEach(x -> before.put(x.step(), x));
        }
        String degraded = null;
        for (Decision.Entry e : c.decision().history()) {
            // in the order of the history: a reply completes a step, then the next ones may be skipped
            switch (e.kind()) {
                case STEP_SKIPPED -> listener.onStepSkipped(s.id(), s.type(), e.step());
                case STEP_DEGRADED -> {
                    degraded = e.step();
                    listener.onStepDegraded(s.id(), s.type(), e.step(), e.detail());
                }
                case STEP_COMPLETED -> {
                    Execution.Cursor was = before.get(e.step());
                    if (was != null && was.firstSentAt() != null && !e.step().equals(degraded)) {
                        listener.onStepCompleted(s.id(), s.type(), e.step(), Duration.between(was.firstSentAt(), c.at()));
                    }
                }
                default -> {
                }
            }
        }
        if (from != s.status()) {
            listener.onStatusChanged(s.id(), s.type(), from, s.status(), s.reason());
            if (s.status().isTerminal()) {
                listener.onEnded(s.id(), s.type(), s.status(), Duration.between(s.createdAt(), c.at()));
            }
        }
    }
}
