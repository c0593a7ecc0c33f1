package dev.baton.engine.spi;

import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import java.time.Duration;

/**
 * Observes the engine: the seam for metrics, tracing and logging. Methods are called after the change
 * they report has been committed, on engine threads: keep them fast and never throw. Every method has a
 * no-op default.
 *
 * @since 0.1
 */
public interface SagaListener {
    /** Does nothing. */
    SagaListener NOOP = new SagaListener() {};

    /** A saga was started. */
    default void onStarted(SagaId id, String sagaType) {}

    /**
     * A saga was started on definition version {@code version} (what a rollout chose, or the version the caller
     * named). The engine calls this one; the default calls {@link #onStarted(SagaId, String)}.
     *
     * @since 0.8
     */
    default void onStarted(SagaId id, String sagaType, int version) {
        onStarted(id, sagaType);
    }

    /** A saga's status changed. */
    default void onStatusChanged(SagaId id, String sagaType, SagaStatus from, SagaStatus to, String reason) {}

    /** A saga reached a terminal state after {@code took}. */
    default void onEnded(SagaId id, String sagaType, SagaStatus outcome, Duration took) {}

    /** A step's forward command completed after {@code took} (since it was first sent). */
    default void onStepCompleted(SagaId id, String sagaType, String step, Duration took) {}

    /**
     * A step's condition ({@code when}) did not hold when the saga reached it: the step was skipped.
     *
     * @since 0.7
     */
    default void onStepSkipped(SagaId id, String sagaType, String step) {}

    /**
     * A step's participant could not answer and its fallback stood in ({@code why}: its breaker was open, its
     * attempts ran out, a park gave up): the saga went on with the step degraded. A degraded step is not reported
     * to {@link #onStepCompleted}, whose durations are those of answers.
     *
     * @since 0.7
     */
    default void onStepDegraded(SagaId id, String sagaType, String step, String why) {}

    /** An inbound message was a duplicate (seen in the inbox) and was not applied. */
    default void onDuplicateMessage(String messageId) {}

    /** A message that can never be processed was set aside (for Kafka: sent to the dead-letter topic {@code where}). */
    default void onDeadLetter(String where, String reason) {}

    /** A reply did not match the saga's outstanding command (late or stray) and changed nothing. */
    default void onIgnoredReply(SagaId id, String reason) {}

    /**
     * The outbox sweeper re-sent {@code count} commands that were not acknowledged in time (a crash, a failed send,
     * a slow broker, another node that died). Participants drop them if they had them already; a steady stream of
     * these means sends fail or acknowledgements are slow.
     *
     * @since 0.2
     */
    default void onOutboxResent(int count) {}
}
