package dev.baton.server.ops;

import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.spi.SagaListener;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Passes every engine event to a delegate (the metrics) and logs it: per-saga transitions at DEBUG on the logger
 * {@value #LOGGER} (on with {@code baton.log.level=DEBUG}), dead letters at WARN. No saga data is logged, only ids,
 * types, steps, statuses and the engine's reasons.
 *
 * @since 0.1
 */
public final class SagaLog implements SagaListener {
    /** The logger name of per-saga transitions. */
    public static final String LOGGER = "dev.baton.saga";

    private static final Logger log = LoggerFactory.getLogger(LOGGER);
    private final SagaListener delegate;

    public SagaLog(SagaListener delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    @Override
    public void onStarted(SagaId id, String sagaType) {
        delegate.onStarted(id, sagaType);
        log.debug("saga {} ({}) started", id, sagaType);
    }

    @Override
    public void onStarted(SagaId id, String sagaType, int version) {
        delegate.onStarted(id, sagaType, version);
        log.debug("saga {} ({} v{}) started", id, sagaType, version);
    }

    @Override
    public void onStatusChanged(SagaId id, String sagaType, SagaStatus from, SagaStatus to, String reason) {
        delegate.onStatusChanged(id, sagaType, from, to, reason);
        if (log.isDebugEnabled()) {
            log.debug("saga {} ({}) {} -> {}{}", id, sagaType, from, to, reason == null ? "" : ": " + reason);
        }
    }

    @Override
    public void onEnded(SagaId id, String sagaType, SagaStatus outcome, Duration took) {
        delegate.onEnded(id, sagaType, outcome, took);
        log.debug("saga {} ({}) ended {} after {} ms", id, sagaType, outcome, took.toMillis());
    }

    @Override
    public void onStepCompleted(SagaId id, String sagaType, String step, Duration took) {
        delegate.onStepCompleted(id, sagaType, step, took);
        log.debug("saga {} ({}) step {} completed after {} ms", id, sagaType, step, took.toMillis());
    }

    @Override
    public void onStepSkipped(SagaId id, String sagaType, String step) {
        delegate.onStepSkipped(id, sagaType, step);
        log.debug("saga {} ({}) step {} skipped: its condition does not hold", id, sagaType, step);
    }

    @Override
    public void onStepDegraded(SagaId id, String sagaType, String step, String why) {
        delegate.onStepDegraded(id, sagaType, step, why);
        log.debug("saga {} ({}) step {} degraded: {}", id, sagaType, step, why);
    }

    @Override
    public void onDuplicateMessage(String messageId) {
        delegate.onDuplicateMessage(messageId);
        log.debug("duplicate message {} ignored", messageId);
    }

    @Override
    public void onDeadLetter(String where, String reason) {
        delegate.onDeadLetter(where, reason);
        log.warn("a message that can never be processed went to {}: {}", where, reason);
    }

    @Override
    public void onOutboxResent(int count) {
        delegate.onOutboxResent(count);
        log.info("re-sent {} command(s) that were not acknowledged in time (participants drop duplicates)", count);
    }

    @Override
    public void onIgnoredReply(SagaId id, String reason) {
        delegate.onIgnoredReply(id, reason);
        log.debug("saga {}: reply ignored: {}", id, reason);
    }
}
