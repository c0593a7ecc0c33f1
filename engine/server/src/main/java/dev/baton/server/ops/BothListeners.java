package dev.baton.server.ops;

import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.spi.SagaListener;
import java.time.Duration;
import java.util.Objects;

/** Passes every engine event to two listeners, the first first (the metrics, then the SLA watch). */
public final class BothListeners implements SagaListener {
    private final SagaListener first;
    private final SagaListener second;

    public BothListeners(SagaListener first, SagaListener second) {
        this.first = Objects.requireNonNull(first, "first");
        this.second = Objects.requireNonNull(second, "second");
    }

    @Override
    public void onStarted(SagaId id, String sagaType) {
        first.onStarted(id, sagaType);
        second.onStarted(id, sagaType);
    }

    @Override
    public void onStarted(SagaId id, String sagaType, int version) {
        first.onStarted(id, sagaType, version);
        second.onStarted(id, sagaType, version);
    }

    @Override
    public void onStatusChanged(SagaId id, String sagaType, SagaStatus from, SagaStatus to, String reason) {
        first.onStatusChanged(id, sagaType, from, to, reason);
        second.onStatusChanged(id, sagaType, from, to, reason);
    }

    @Override
    public void onEnded(SagaId id, String sagaType, SagaStatus outcome, Duration took) {
        first.onEnded(id, sagaType, outcome, took);
        second.onEnded(id, sagaType, outcome, took);
    }

    @Override
    public void onStepCompleted(SagaId id, String sagaType, String step, Duration took) {
        first.onStepCompleted(id, sagaType, step, took);
        second.onStepCompleted(id, sagaType, step, took);
    }

    @Override
    public void onStepSkipped(SagaId id, String sagaType, String step) {
        first.onStepSkipped(id, sagaType, step);
        second.onStepSkipped(id, sagaType, step);
    }

    @Override
    public void onStepDegraded(SagaId id, String sagaType, String step, String why) {
        first.onStepDegraded(id, sagaType, step, why);
        second.onStepDegraded(id, sagaType, step, why);
    }

    @Override
    public void onDuplicateMessage(String messageId) {
        first.onDuplicateMessage(messageId);
        second.onDuplicateMessage(messageId);
    }

    @Override
    public void onDeadLetter(String where, String reason) {
        first.onDeadLetter(where, reason);
        second.onDeadLetter(where, reason);
    }

    @Override
    public void onIgnoredReply(SagaId id, String reason) {
        first.onIgnoredReply(id, reason);
        second.onIgnoredReply(id, reason);
    }

    @Override
    public void onOutboxResent(int count) {
        first.onOutboxResent(count);
        second.onOutboxResent(count);
    }
}
