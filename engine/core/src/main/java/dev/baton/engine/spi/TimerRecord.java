package dev.baton.engine.spi;

import dev.baton.engine.SagaId;
import java.time.Instant;

/**
 * A durable timer. At most one per saga and kind; setting one replaces the previous.
 *
 * @param token identifies what the timer was set for; the engine ignores a timer whose token is stale
 * @since 0.1
 */
public record TimerRecord(SagaId sagaId, TimerKind kind, String step, String token, Instant fireAt) {}
