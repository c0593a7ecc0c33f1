package dev.baton.dsl;

import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;

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
    private final Class<?> commandType;
    private final List<Class<?>> commandTypes;
    private final Function<? super D, ?> command;
    private final Map<String, ReplyHandler<D, ?>> replies;
    private final Participant<?> compensationParticipant;
    private final Class<?> compensationType;
    private final List<Class<?>> compensationTypes;
    private final Function<? super D, ?> compensation;
    private final Duration timeout;
    private final Retry retry;
    private final Retry compensationRetry;
    private final Park park;
    private final Duration sla;
    private final Predicate<? super D> condition;
    private final Function<? super D, ? extends D> fallback;
    private final String group;
    private final String branch;

    StepDefinition(String key, int index, StepKind kind, Participant<?> participant, Class<?> commandType,
                   Function<? super D, ?> command, Map<String, ReplyHandler<D, ?>> replies,
                   Participant<?> compensationParticipant, Class<?> compensationType, Function<? super D, ?> compensation,
                   Duration timeout, Retry retry, Retry compensationRetry, Park park, Duration sla,
                   Predicate<? super D> condition, Function<? super D, ? extends D> fallback, String group, String branch) {
        this.key = key;
        this.index = index;
        this.kind = kind;
        this.participant = participant;
        this.commandType = commandType;
        this.commandTypes = candidates(commandType, participant);
        this.command = command;
        this.replies = Map.copyOf(replies);
        this.compensationParticipant = compensationParticipant;
        this.compensationType = compensationType;
        this.compensationTypes = compensation == null ? List.of() : candidates(compensationType, compensationParticipant);
        this.compensation = compensation;
        this.timeout = timeout;
        this.retry = retry;
        this.compensationRetry = compensationRetry;
        this.park = park;
        this.sla = sla;
        this.condition = condition;
        this.fallback = fallback;
        this.group = group;
        this.branch = group == null ? null : branch;
    }

    /** A copy with another timeout, retries and park rule; everything else shared. */
    StepDefinition<D> withPolicy(Duration timeout, Retry retry, Retry compensationRetry, Park park) {
        return new StepDefinition<>(key, index, kind, participant, commandType, command, replies,
                compensationParticipant, compensationType, compensation, timeout, retry, compensationRetry, park, sla,
                condition, fallback, group, branch);
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

    /**
     * The command's class as the definition declared it ({@code invoke(participant, Type.class, command)}), or empty.
     *
     * @since 0.6
     */
    public Optional<Class<?>> commandType() {
        return Optional.ofNullable(commandType);
    }

    /**
     * The classes the step's command may be: the declared {@link #commandType()} alone; else the participant's command
     * type itself when it is a record; else, when it is a sealed interface (or sealed class), the records it permits,
     * directly or through sealed subtypes, in the order of their {@code permits} clauses; else none (the definition
     * does not say, as with {@code Participant<Object>}). Their wire names are {@code MessageType.Names.of(type)}.
     *
     * @since 0.6
     */
    public List<Class<?>> commandTypes() {
        return commandTypes;
    }

    /** Builds the step's command from the saga data. May throw: the user's code runs here. */
    public Object command(D data) {
        Object c = Objects.requireNonNull(command.apply(data), () -> "step '" + key + "' built a null command");
        return checked(commandType, c, "command");
    }

    /** True when the step has a compensation. */
    public boolean hasCompensation() {
        return compensation != null;
    }

    /** The participant the compensation goes to, if the step has one. */
    public Optional<Participant<?>> compensationParticipant() {
        return Optional.ofNullable(compensationParticipant);
    }

    /**
     * The compensating command's class as the definition declared it ({@code compensate(participant, Type.class,
     * command)}), or empty (also when the step has no compensation).
     *
     * @since 0.6
     */
    public Optional<Class<?>> compensationType() {
        return Optional.ofNullable(compensationType);
    }

    /**
     * The classes the compensating command may be, as {@link #commandTypes()} says for the command, from the
     * compensation's participant; none when the step has no compensation.
     *
     * @since 0.6
     */
    public List<Class<?>> compensationTypes() {
        return compensationTypes;
    }

    /** Builds the compensating command from the saga data. */
    public Object compensationCommand(D data) {
        if (compensation == null) {
            throw new IllegalStateException("step '" + key + "' has no compensation");
        }
        Object c = Objects.requireNonNull(compensation.apply(data), () -> "step '" + key + "' built a null compensation");
        return checked(compensationType, c, "compensation");
    }

    /**
     * {@code built}, when it is of the declared type. The signatures of {@code invoke} and {@code compensate} make the
     * function build that type; only an unchecked cast gets another past them, and the published type would then lie.
     */
    private Object checked(Class<?> declared, Object built, String what) {
        if (declared != null && !declared.isInstance(built)) {
            throw new IllegalStateException("step '" + key + "' declares its " + what + " as " + declared.getSimpleName()
                    + " but built a " + built.getClass().getSimpleName());
        }
        return built;
    }

    /** The declared type alone; else {@code participant}'s record command type, or the records its sealed one permits. */
    private static List<Class<?>> candidates(Class<?> declared, Participant<?> participant) {
        if (declared != null) {
            return List.of(declared);
        }
        if (participant == null) {
            return List.of();
        }
        if (participant.commandType().isRecord()) {
            return List.of(participant.commandType()); // a record is final: the command can be nothing else
        }
        Set<Class<?>> out = new LinkedHashSet<>();
        permittedRecords(participant.commandType(), out, new HashSet<>());
        return List.copyOf(out);
    }

    private static void permittedRecords(Class<?> type, Set<Class<?>> out, Set<Class<?>> seen) {
        if (!type.isSealed() || !seen.add(type)) {
            return;
        }
        for (Class<?> sub : type.getPermittedSubclasses()) {
            if (sub.isRecord()) {
                out.add(sub);
            } else {
                permittedRecords(sub, out, seen);
            }
        }
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

    /**
     * The step's service-level target from its command first sent to its successful reply
     * ({@link StepBuilder#sla(Duration)}), if it has one.
     *
     * @since 0.7
     */
    public Optional<Duration> sla() {
        return Optional.ofNullable(sla);
    }

    /**
     * Whether the step runs only when a condition holds ({@link StepBuilder#when}).
     *
     * @since 0.7
     */
    public boolean hasCondition() {
        return condition != null;
    }

    /**
     * Whether the step runs for {@code data}: its condition ({@link StepBuilder#when}) holds, or it has none. May
     * throw: the user's code runs here.
     *
     * @since 0.7
     */
    public boolean runsFor(D data) {
        return condition == null || condition.test(data);
    }

    /**
     * Whether the step has a fallback ({@link StepBuilder#fallback}).
     *
     * @since 0.7
     */
    public boolean hasFallback() {
        return fallback != null;
    }

    /**
     * The data the saga continues with when the step's participant cannot answer ({@link StepBuilder#fallback}).
     * May throw: the user's code runs here.
     *
     * @since 0.7
     */
    public D fallback(D data) {
        if (fallback == null) {
            throw new IllegalStateException("step '" + key + "' has no fallback");
        }
        return Objects.requireNonNull(fallback.apply(data), () -> "the fallback of step '" + key + "' returned null data");
    }

    /**
     * The parallel group the step is a branch of ({@link StepBuilder#parallel(String)}), or empty.
     *
     * @since 0.7
     */
    public Optional<String> group() {
        return Optional.ofNullable(group);
    }

    /**
     * The branch of its group the step belongs to (its key, unless the definition named a branch of several steps);
     * null outside a group.
     *
     * @since 0.7
     */
    public String branch() {
        return branch;
    }

    @Override
    public String toString() {
        return "Step[" + key + ", " + kind + ", " + participant.name() + "]";
    }
}
