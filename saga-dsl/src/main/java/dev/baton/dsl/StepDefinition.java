package dev.baton.dsl;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * One built, validated step of a {@link SagaDefinition}. Immutable and thread-safe; engines read it,
 * users rarely need to.
 *
 * @param <D> the saga's data type
 * @since 0.1
 */
public final class StepDefinition<D> {
    private final String key;
    private final int index;
    private final StepKind kind;
    private final Participant<?> participant;
    private final Function<? super D, ?> command;
    private final Map<String, ReplyHandler<D, ?>> replies;
    private final Participant<?> compensationParticipant;
    private final Function<? super D, ?> compensation;
    private final Duration timeout;
    private final Retry retry;
    private final Retry compensationRetry;
    private final Park park;

    StepDefinition(String key, int index, StepKind kind, Participant<?> participant, Function<? super D, ?> command,
                   Map<String, ReplyHandler<D, ?>> replies, Participant<?> compensationParticipant,
                   Function<? super D, ?> compensation, Duration timeout, Retry retry, Retry compensationRetry, Park park) {
        this.key = key;
        this.index = index;
        this.kind = kind;
        this.participant = participant;
        this.command = command;
        this.replies = Map.copyOf(replies);
        this.compensationParticipant = compensationParticipant;
        this.compensation = compensation;
        this.timeout = timeout;
        this.retry = retry;
        this.compensationRetry = compensationRetry;
        this.park = park;
    }

    /** A typed reply handler. */
    public record ReplyHandler<D, R>(Class<R> type, BiFunction<? super D, ? super R, ? extends D> apply) {
        public ReplyHandler {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(apply, "apply");
        }

        D applyTo(D data, Object reply) {
            return apply.apply(data, type.cast(reply));
        }
    }

    /** The stable key: persisted, used in message ids; never a position. */
    public String key() {
        return key;
    }

    /** The step's position in the saga, for display. Never persisted. */
    public int index() {
        return index;
    }

    public StepKind kind() {
        return kind;
    }

    /** The participant the step's command goes to. */
    public Participant<?> participant() {
        return participant;
    }

    /** Builds the step's command from the saga data. May throw: the user's code runs here. */
    public Object command(D data) {
        return Objects.requireNonNull(command.apply(data), () -> "step '" + key + "' built a null command");
    }

    /** True when the step has a compensation. */
    public boolean hasCompensation() {
        return compensation != null;
    }

    /** The participant the compensation goes to, if the step has one. */
    public Optional<Participant<?>> compensationParticipant() {
        return Optional.ofNullable(compensationParticipant);
    }

    /** Builds the compensating command from the saga data. */
    public Object compensationCommand(D data) {
        if (compensation == null) {
            throw new IllegalStateException("step '" + key + "' has no compensation");
        }
        return Objects.requireNonNull(compensation.apply(data), () -> "step '" + key + "' built a null compensation");
    }

    /** Reply types this step's {@code onReply} handlers accept, by wire name. */
    public Map<String, Class<?>> replyTypes() {
        Map<String, Class<?>> out = new java.util.LinkedHashMap<>();
        replies.forEach((name, h) -> out.put(name, h.type()));
        return Map.copyOf(out);
    }

    /** Applies the handler registered for {@code reply}'s type, or returns {@code data} unchanged. */
    public D applyReply(D data, Object reply) {
        if (reply == null) {
            return data;
        }
        ReplyHandler<D, ?> h = replies.get(MessageType.Names.of(reply.getClass()));
        if (h == null || !h.type().isInstance(reply)) {
            // a class that merely shares the wire name of a registered type is another type: leave the data as it is
            return data;
        }
        return Objects.requireNonNull(h.applyTo(data, reply), () -> "onReply of step '" + key + "' returned null data");
    }

    /** How long to wait for a reply before the attempt counts as timed out. */
    public Duration timeout() {
        return timeout;
    }

    /** Retry policy for the forward command. */
    public Retry retry() {
        return retry;
    }

    /** Retry policy for the compensation. */
    public Retry compensationRetry() {
        return compensationRetry;
    }

    /** What to do when the participant is busy, if the step parks. */
    public Optional<Park> park() {
        return Optional.ofNullable(park);
    }

    @Override
    public String toString() {
        return "Step[" + key + ", " + kind + ", " + participant.name() + "]";
    }
}
