package dev.baton.engine;

import dev.baton.dsl.StepPolicy;
import java.time.Instant;
import java.util.Map;

/**
 * A policy an operator set at run time, in force on every node: a step's ({@link #step} not null, with
 * {@link #policy}) or a participant's ({@link #participant} not null, with the command gate's {@link #settings}).
 *
 * @since 0.8
 */
public record PolicyOverride(String type, String step, StepPolicy policy, String participant,
                             Map<String, String> settings, String changedBy, String reason, Instant changedAt) {
}
