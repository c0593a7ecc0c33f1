package dev.baton.micrometer;

import io.micrometer.core.instrument.Meter;
import java.util.List;
import java.util.Optional;

/**
 * Every meter Baton publishes, in one place: its dot-separated name, type, base unit, description and tag keys.
 * Registries translate the names to their own convention (Prometheus: {@code baton_sagas_started_total},
 * {@code baton_saga_duration_seconds}, ...).
 *
 * <p>Tags are low-cardinality by construction: a saga type, a status or outcome, a step key, a topic. No meter is
 * ever tagged with a saga id, a business key, a message id or a reason.
 *
 * <p>Base units: timers record in the registry's base time unit (seconds for Prometheus and
 * {@code SimpleMeterRegistry}); {@link #baseUnit()} says {@code "seconds"} for them. Counts of sagas, messages
 * and timers have no base unit ({@code null}): a count of things is not a unit, and Prometheus would otherwise
 * append it to the name ({@code baton_sagas_started_sagas_total}).
 *
 * @since 0.1
 */
public enum BatonMeter {
    /** Sagas started (a start with a business key that found an existing saga is not counted). */
    SAGAS_STARTED("baton.sagas.started", Meter.Type.COUNTER, null,
            "Sagas started", TagKeys.TYPE),
    /**
     * Sagas started, by the definition version they run on: with a rollout (gray release), how new sagas split
     * between versions.
     */
    SAGAS_STARTED_BY_VERSION("baton.sagas.started.by.version", Meter.Type.COUNTER, null,
            "Sagas started, by the definition version they run on", TagKeys.TYPE, TagKeys.VERSION),
    /**
     * A version's weight in its type's rollout, in percent; -1 when the type has no rollout (new sagas start on the
     * newest version, or the one the caller names).
     */
    ROLLOUT_WEIGHT("baton.rollout.weight", Meter.Type.GAUGE, null,
            "A definition version's weight in its saga type's rollout, percent (-1: no rollout)", TagKeys.TYPE,
            TagKeys.VERSION),
    /** Sagas that reached a terminal state, by outcome. */
    SAGAS_ENDED("baton.sagas.ended", Meter.Type.COUNTER, null,
            "Sagas that ended, by outcome (COMPLETED or COMPENSATED)", TagKeys.TYPE, TagKeys.OUTCOME),
    /** Time from start to the terminal state; percentiles 0.5, 0.95, 0.99 and a histogram. */
    SAGA_DURATION("baton.saga.duration", Meter.Type.TIMER, "seconds",
            "Time from a saga's start to its end (COMPLETED or COMPENSATED)", TagKeys.TYPE, TagKeys.OUTCOME),
    /** Time from a step's forward command being first sent to its successful reply (re-sends and parking included). */
    STEP_DURATION("baton.step.duration", Meter.Type.TIMER, "seconds",
            "Time from a step's command being first sent to its successful reply, re-sends and parking included",
            TagKeys.TYPE, TagKeys.STEP),
    /**
     * Steps whose successful reply came later than the step's SLA ({@code .sla(Duration)} in the DSL) after the
     * command was first sent: the part of {@link #STEP_DURATION} above its SLA boundary. Registered for steps with an
     * SLA only.
     */
    STEP_SLA_BREACHES("baton.step.sla.breaches", Meter.Type.COUNTER, null,
            "Steps whose successful reply came later than the step's SLA after the command was first sent",
            TagKeys.TYPE, TagKeys.STEP),
    /** Steps skipped because their condition ({@code when}) did not hold when the saga reached them. */
    STEPS_SKIPPED("baton.steps.skipped", Meter.Type.COUNTER, null,
            "Steps skipped because their condition did not hold when the saga reached them", TagKeys.TYPE, TagKeys.STEP),
    /**
     * Steps whose participant could not answer (breaker open, attempts used up, a park given up) and whose fallback
     * stood in: the saga went on degraded.
     */
    STEPS_DEGRADED("baton.steps.degraded", Meter.Type.COUNTER, null,
            "Steps whose participant could not answer and whose fallback stood in (the saga went on degraded)",
            TagKeys.TYPE, TagKeys.STEP),
    /**
     * Sagas that ended (COMPLETED or COMPENSATED) later than the saga's SLA after their start. Registered for saga
     * types with an SLA only.
     */
    SAGA_SLA_BREACHES("baton.saga.sla.breaches", Meter.Type.COUNTER, null,
            "Sagas that ended (COMPLETED or COMPENSATED) later than the saga's SLA after their start", TagKeys.TYPE),
    /** Sagas that entered FAILED: they wait for an operator. */
    SAGAS_FAILED("baton.sagas.failed", Meter.Type.COUNTER, null,
            "Sagas that entered FAILED and wait for an operator (retry, skip or abort)", TagKeys.TYPE),
    /** Times a saga was parked in a pending state because its participant was busy. */
    SAGAS_PENDING("baton.sagas.pending", Meter.Type.COUNTER, null,
            "Times a saga was parked in a pending state because a participant was busy", TagKeys.TYPE),
    /** Inbound messages already seen (by message id) and not applied again. */
    MESSAGES_DUPLICATE("baton.messages.duplicate", Meter.Type.COUNTER, null,
            "Inbound messages already received (same message id), not applied again"),
    /** Replies that did not match the outstanding command (late or stray) and stale timers: they changed nothing. */
    MESSAGES_IGNORED("baton.messages.ignored", Meter.Type.COUNTER, null,
            "Late or stray replies (and stale timers) that changed nothing"),
    /** Commands the outbox sweeper re-sent because they were not acknowledged in time (participants drop duplicates). */
    OUTBOX_RESENT("baton.outbox.resent", Meter.Type.COUNTER, null,
            "Commands re-sent by the outbox sweeper (not acknowledged in time: a crash, a failed send, a dead node)"),
    /** Messages that can never be processed, set aside (for Kafka: sent to the dead-letter topic in {@code topic}). */
    MESSAGES_DEAD("baton.messages.dead", Meter.Type.COUNTER, null,
            "Messages that can never be processed, set aside on a dead-letter topic", TagKeys.TOPIC),
    /** Sagas not yet ended, by type and status, as the store counts them at scrape time. */
    SAGAS_ACTIVE("baton.sagas.active", Meter.Type.GAUGE, null,
            "Sagas not ended, by type and status, as counted in the store", TagKeys.TYPE, TagKeys.STATUS),
    /** Outbox rows written but not yet acknowledged by the transport. */
    OUTBOX_PENDING("baton.outbox.pending", Meter.Type.GAUGE, null,
            "Commands in the outbox not yet acknowledged by the transport"),
    /** Durable timers (timeouts, re-sends, park deadlines) due now and not yet fired. */
    TIMERS_DUE("baton.timers.due", Meter.Type.GAUGE, null,
            "Durable timers due and not yet fired (a growing value means the poller falls behind)"),
    /** A participant's flow control limit: commands that may be in flight at it at once, across all engine nodes. */
    FLOW_LIMIT("baton.flow.limit", Meter.Type.GAUGE, null,
            "Commands that may be in flight at a participant at once, across all engine nodes (flow control)",
            TagKeys.PARTICIPANT),
    /** Commands sent to a participant and not yet answered, across all engine nodes. */
    FLOW_IN_FLIGHT("baton.flow.inflight", Meter.Type.GAUGE, null,
            "Commands sent to a participant and not yet answered, across all engine nodes", TagKeys.PARTICIPANT),
    /** Commands waiting in line for a participant's capacity. */
    FLOW_WAITING("baton.flow.waiting", Meter.Type.GAUGE, null,
            "Commands waiting in line for a participant's capacity", TagKeys.PARTICIPANT),
    /** How long the first command in a participant's line has waited (0 when none waits). */
    FLOW_OLDEST_WAIT("baton.flow.oldest.wait.seconds", Meter.Type.GAUGE, null,
            "Seconds the first command in a participant's line has waited (0 when none waits)", TagKeys.PARTICIPANT),
    /**
     * Commands this engine node sent to a participant, by kind ({@code command} or {@code compensation}): every
     * attempt, and every copy the outbox sweeper sent again.
     */
    PARTICIPANT_COMMANDS("baton.participant.commands", Meter.Type.COUNTER, null,
            "Commands sent to a participant by this engine node (every attempt), by kind", TagKeys.PARTICIPANT,
            TagKeys.KIND),
    /**
     * Replies from a participant that this engine node read, by outcome: {@code success}, {@code failure} (a business
     * refusal), {@code busy} (RETRY_LATER) or {@code error} (its handler failed). A redelivered copy of a reply counts
     * once.
     */
    PARTICIPANT_REPLIES("baton.participant.replies", Meter.Type.COUNTER, null,
            "Replies read from a participant, by outcome (success, failure, busy, error)", TagKeys.PARTICIPANT,
            TagKeys.OUTCOME),
    /** Commands to a participant that got no answer within the step's timeout. */
    PARTICIPANT_TIMEOUTS("baton.participant.timeouts", Meter.Type.COUNTER, null,
            "Commands to a participant that got no answer within the step's timeout", TagKeys.PARTICIPANT),
    /**
     * Time from a command's send to the participant's reply, per attempt, for replies to commands this node sent;
     * percentiles 0.5, 0.95, 0.99 and a histogram.
     */
    PARTICIPANT_REPLY_LATENCY("baton.participant.reply.latency", Meter.Type.TIMER, "seconds",
            "Time from a command's send to the participant's reply (per attempt, commands this node sent)",
            TagKeys.PARTICIPANT),
    /** When this node last read a reply from the participant, in seconds since the epoch; 0 before the first. */
    PARTICIPANT_LAST_REPLY("baton.participant.last.reply.timestamp.seconds", Meter.Type.GAUGE, null,
            "When this node last read a reply from the participant, in seconds since the epoch (0: none yet)",
            TagKeys.PARTICIPANT),
    /**
     * Commands in a participant's command topic that its consumer group has not committed yet (Kafka transport
     * only), as last read, at most every few seconds.
     */
    PARTICIPANT_COMMAND_LAG("baton.participant.command.lag", Meter.Type.GAUGE, null,
            "Commands in the participant's command topic not yet consumed by its consumer group (Kafka)",
            TagKeys.PARTICIPANT),
    /**
     * Records in the engine's own input topics not yet consumed by its nodes: {@code consumer} {@code replies} (the
     * participants' replies) or {@code starts} (start requests), as last read, at most every few seconds. A growing
     * reply lag means the engine falls behind its participants.
     */
    ENGINE_CONSUMER_LAG("baton.engine.consumer.lag", Meter.Type.GAUGE, null,
            "Records in the engine's reply or start topic not yet consumed by the engine's consumer group (Kafka)",
            TagKeys.CONSUMER);

    /** The tag keys used by {@link BatonMeter}s. */
    public static final class TagKeys {
        /** The saga type (the definition's name), e.g. {@code order-flow}. */
        public static final String TYPE = "type";
        /** A definition version, e.g. {@code 3}. */
        public static final String VERSION = "version";
        /** How a saga ended: {@code COMPLETED} or {@code COMPENSATED}. */
        public static final String OUTCOME = "outcome";
        /** A {@link dev.baton.engine.SagaStatus} name. */
        public static final String STATUS = "status";
        /** A step key, e.g. {@code reserve-inventory}. */
        public static final String STEP = "step";
        /** A dead-letter topic (or channel) name. */
        public static final String TOPIC = "topic";
        /** A participant's name, e.g. {@code payment}. */
        public static final String PARTICIPANT = "participant";
        /** One of the engine's own consumers: {@code replies} or {@code starts}. */
        public static final String CONSUMER = "consumer";
        /** What a command to a participant does: {@code command} (a step's forward command) or {@code compensation}. */
        public static final String KIND = "kind";

        private TagKeys() {}
    }

    private final String meterName;
    private final Meter.Type type;
    private final String baseUnit;
    private final String description;
    private final List<String> tagKeys;

    BatonMeter(String meterName, Meter.Type type, String baseUnit, String description, String... tagKeys) {
        this.meterName = meterName;
        this.type = type;
        this.baseUnit = baseUnit;
        this.description = description;
        this.tagKeys = List.of(tagKeys);
    }

    /** The dot-separated meter name, e.g. {@code baton.sagas.started}. */
    public String meterName() {
        return meterName;
    }

    /** COUNTER, TIMER or GAUGE. */
    public Meter.Type type() {
        return type;
    }

    /** {@code "seconds"} for timers; {@code null} for counts (see the class comment). */
    public String baseUnit() {
        return baseUnit;
    }

    /** The description registries publish (Prometheus: the {@code # HELP} line). */
    public String description() {
        return description;
    }

    /** The tag keys every meter of this name carries, in order; empty for none. */
    public List<String> tagKeys() {
        return tagKeys;
    }

    /** The meter with this dot-separated name, if it is one of Baton's. */
    public static Optional<BatonMeter> byName(String meterName) {
        for (BatonMeter m : values()) {
            if (m.meterName.equals(meterName)) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }
}
