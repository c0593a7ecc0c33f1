package dev.baton.testkit;

import dev.baton.engine.SagaId;
import java.time.Instant;

/**
 * A side effect a simulated participant applied: once per message id, as a real participant with an
 * idempotency record would.
 *
 * @param compensation true for a compensation's effect
 * @param withoutForward true for a compensation that arrived before (or without) its forward command: it is
 *                       recorded and answered, and the late forward command is then refused
 * @since 0.1
 */
public record Effect(String participant, SagaId sagaId, String step, boolean compensation, boolean withoutForward,
                     String messageId, String commandType, Instant at) {}
