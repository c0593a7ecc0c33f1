package dev.baton.engine.spi;

import dev.baton.engine.SagaId;
import java.time.Instant;

/**
 * A durable timer. At most one per saga, kind and step; setting one replaces the previous of the same saga, kind and
 * step. (Before 0.7 a timer was one per saga and kind; the step became part of its identity so that the branches of
 * a parallel group can each wait for their own reply.)
 *
 * @param step the step the timer was set for; never null from the engine (a store keeps a null step as empty)
 * @param token identifies what the timer was set for; the engine ignores a timer whose token is stale
 * @param participant the participant the timer concerns, for flow control: set on {@link TimerKind#TIMEOUT} (the
 *                    command awaiting its answer is in flight at that participant) and {@link TimerKind#WAIT} (the
 *                    command waits for that participant's capacity); null on other kinds
 * @since 0.1
 */
public record TimerRecord(SagaId sagaId, TimerKind kind, String step, String token, Instant fireAt, String participant) {

    /** A timer that concerns no participant's flow control. */
    public TimerRecord(SagaId sagaId, TimerKind kind, String step, String token, Instant fireAt) {
        this(sagaId, kind, step, token, fireAt, null);
    }
}
