package dev.baton.participant;

import dev.baton.dsl.MessageType;
import dev.baton.dsl.Participant;
import dev.baton.protocol.Headers;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The command handlers of one participant service, looked up by the command's wire name (the
 * {@value Headers#MESSAGE_TYPE} header: the type's {@code @MessageType} value, or its simple name, exactly as the
 * saga definition sends it).
 *
 * <pre>{@code
 * CommandHandlers handlers = CommandHandlers.forParticipant(PAYMENT)       // or forParticipant("payment")
 *     .on(AuthorizePayment.class, cmd -> Outcome.success(new PaymentAuthorized(psp.charge(cmd))))
 *     .on(RefundPayment.class, (cmd, ctx) -> {                             // in the SDK's transaction
 *         ctx.handle().execute("UPDATE payment SET refunded = TRUE WHERE order_id = ?", cmd.orderId());
 *         return Outcome.success();
 *     })
 *     .onException(CardDeclinedException.class, ExceptionPolicy.FAIL)     // a business refusal, not a fault
 *     .build();
 * }</pre>
 *
 * <p>Compensations are registered the same way as forward commands: the {@value Headers#KIND} header, not the
 * registration, tells the SDK which one arrived.
 *
 * <p>Immutable and thread-safe. The {@link Builder} is not thread-safe.
 *
 * @since 0.1
 */
public final class CommandHandlers {

    private final String participant;
    private final Map<String, Registration<?>> byWireName;
    private final ExceptionPolicy exceptionPolicy;
    private final Map<Class<? extends Throwable>, ExceptionPolicy> exceptionPolicies;

    private CommandHandlers(String participant, Map<String, Registration<?>> byWireName, ExceptionPolicy exceptionPolicy,
                            Map<Class<? extends Throwable>, ExceptionPolicy> exceptionPolicies) {
        this.participant = participant;
        this.byWireName = byWireName;
        this.exceptionPolicy = exceptionPolicy;
        this.exceptionPolicies = exceptionPolicies;
    }

    /**
     * Starts registering the handlers of the participant called {@code name}: the name the saga definitions use in
     * {@code Participant.named(name, ...)}. It also keys this participant's records in the idempotency store, so
     * several participants can share one database; never rename a deployed participant.
     *
     * @param name lower-case letters, digits, {@code .}, {@code _} or {@code -}, at most 100 characters
     * @throws IllegalArgumentException when the name does not fit
     */
    public static Builder<Object> forParticipant(String name) {
        return new Builder<>(Participant.named(name, Object.class).name());
    }

    /**
     * Starts registering the handlers of {@code participant}, the typed handle the saga definitions use. Only
     * subtypes of its command type can be registered.
     */
    public static <C> Builder<C> forParticipant(Participant<C> participant) {
        Objects.requireNonNull(participant, "participant");
        return new Builder<>(participant.name());
    }

    /** The participant's name. */
    public String participant() {
        return participant;
    }

    /** The wire names handled, in registration order. */
    public Set<String> messageTypes() {
        return byWireName.keySet();
    }

    /** The command type registered under {@code wireName}, if any. */
    public Optional<Class<?>> commandType(String wireName) {
        Registration<?> r = byWireName.get(wireName);
        return r == null ? Optional.empty() : Optional.of(r.type());
    }

    /** The participant-wide exception policy; {@link ExceptionPolicy#RETRY_LATER} unless set. */
    public ExceptionPolicy exceptionPolicy() {
        return exceptionPolicy;
    }

    /**
     * The policy for {@code failure}: the one registered for its class or its nearest superclass, else the
     * participant-wide one.
     */
    public ExceptionPolicy exceptionPolicyFor(Throwable failure) {
        for (Class<?> c = failure.getClass(); c != null; c = c.getSuperclass()) {
            ExceptionPolicy p = exceptionPolicies.get(c);
            if (p != null) {
                return p;
            }
        }
        return exceptionPolicy;
    }

    Registration<?> lookup(String wireName) {
        return byWireName.get(wireName);
    }

    @Override
    public String toString() {
        return "CommandHandlers[" + participant + ", " + byWireName.keySet() + ", onException=" + exceptionPolicy + "]";
    }

    /** One registered handler, either kind, behind one call shape. */
    record Registration<C>(Class<C> type, String wireName, boolean transactional, Invoker<C> invoker) {
        Outcome invoke(Object command, HandlerContext context) throws Exception {
            return invoker.invoke(type.cast(command), context);
        }
    }

    @FunctionalInterface
    interface Invoker<C> {
        Outcome invoke(C command, HandlerContext context) throws Exception;
    }

    /**
     * Collects registrations; {@link #build()} checks them all at once. Not thread-safe; build once and share the
     * result.
     *
     * @param <B> the supertype of the commands that may be registered ({@code Object} for a participant named by string)
     * @since 0.1
     */
    public static final class Builder<B> {
        private final String participant;
        private final List<Registration<?>> registrations = new ArrayList<>();
        private final List<String> problems = new ArrayList<>();
        private ExceptionPolicy exceptionPolicy = ExceptionPolicy.RETRY_LATER;
        private boolean exceptionPolicySet;
        private final Map<Class<? extends Throwable>, ExceptionPolicy> exceptionPolicies = new LinkedHashMap<>();

        private Builder(String participant) {
            this.participant = participant;
        }

        /**
         * Handles commands of {@code type} with a plain function of the command. Each type may be registered once.
         *
         * @param type a concrete class (usually a record) that the JSON payload is read into
         */
        public <C extends B> Builder<B> on(Class<C> type, CommandHandler<? super C> handler) {
            return add(type, handler == null ? null : (c, ctx) -> handler.handle(c), false, handler == null);
        }

        /**
         * Handles commands of {@code type} inside the SDK's transaction, with the {@link HandlerContext} (its JDBI
         * {@link HandlerContext#handle() handle}, the message id, the saga and step). Each type may be registered
         * once.
         *
         * @param type a concrete class (usually a record) that the JSON payload is read into
         */
        public <C extends B> Builder<B> on(Class<C> type, TransactionalCommandHandler<? super C> handler) {
            return add(type, handler == null ? null : handler::handle, true, handler == null);
        }

        private <C> Builder<B> add(Class<C> type, Invoker<C> invoker, boolean transactional, boolean nullHandler) {
            int index = registrations.size();
            String at = "handlers[" + index + "]";
            if (type == null) {
                problems.add(at + ": the command type is null; pass the command's class, for example AuthorizePayment.class");
                registrations.add(null);
                return this;
            }
            if (nullHandler) {
                problems.add(at + ": the handler for " + type.getSimpleName() + " is null; pass a lambda returning an Outcome");
            }
            registrations.add(new Registration<>(type, MessageType.Names.of(type), transactional, invoker));
            return this;
        }

        /**
         * What to answer when a handler throws, for exceptions without a type-specific policy. Defaults to
         * {@link ExceptionPolicy#RETRY_LATER}; see {@link ExceptionPolicy} for why.
         */
        public Builder<B> onException(ExceptionPolicy policy) {
            if (policy == null) {
                problems.add("onException: the policy is null; pass ExceptionPolicy.FAIL or ExceptionPolicy.RETRY_LATER");
            } else if (exceptionPolicySet) {
                problems.add("onException: the participant-wide policy is set twice (" + exceptionPolicy + ", then "
                        + policy + "); set it once");
            } else {
                exceptionPolicy = policy;
                exceptionPolicySet = true;
            }
            return this;
        }

        /**
         * What to answer when a handler throws {@code type} or a subclass of it; the most specific registered type
         * wins. Typical use: {@code onException(InsufficientFundsException.class, ExceptionPolicy.FAIL)} for
         * exceptions that are business refusals.
         */
        public Builder<B> onException(Class<? extends Throwable> type, ExceptionPolicy policy) {
            if (type == null || policy == null) {
                problems.add("onException(" + (type == null ? "null" : type.getSimpleName() + ".class") + ", " + policy
                        + "): neither the exception type nor the policy may be null");
            } else if (exceptionPolicies.containsKey(type)) {
                problems.add("onException: " + type.getName() + " has a policy twice (" + exceptionPolicies.get(type)
                        + ", then " + policy + "); set it once");
            } else {
                exceptionPolicies.put(type, policy);
            }
            return this;
        }

        /**
         * Checks every registration and builds the immutable registry.
         *
         * @throws InvalidHandlersException listing every problem: no handlers, a type registered twice, two types
         *     with the same wire name, a type that JSON cannot be read into, null arguments, a policy set twice
         */
        public CommandHandlers build() {
            List<String> all = new ArrayList<>(problems);
            Map<String, Registration<?>> byWireName = new LinkedHashMap<>();
            Map<String, Integer> indexOfWireName = new LinkedHashMap<>();
            Map<Class<?>, Integer> indexOfType = new LinkedHashMap<>();
            for (int i = 0; i < registrations.size(); i++) {
                Registration<?> r = registrations.get(i);
                if (r == null) {
                    continue;
                }
                String at = "handlers[" + i + "]";
                Class<?> type = r.type();
                Integer sameType = indexOfType.putIfAbsent(type, i);
                if (sameType != null) {
                    all.add(at + ": " + type.getSimpleName() + " (" + type.getName() + ") is registered twice (also handlers["
                            + sameType + "]); keep one handler per command type");
                    continue;
                }
                if (type.isInterface() || Modifier.isAbstract(type.getModifiers())) {
                    all.add(at + ": " + type.getName() + " is " + (type.isInterface() ? "an interface" : "abstract")
                            + "; register each concrete command class (the one the saga sends), so its JSON can be read");
                    continue;
                }
                Integer sameName = indexOfWireName.putIfAbsent(r.wireName(), i);
                if (sameName != null) {
                    all.add(at + ": wire name '" + r.wireName() + "' of " + type.getName() + " is already taken by "
                            + byWireName.get(r.wireName()).type().getName() + " (handlers[" + sameName
                            + "]); give one of them a distinct @MessageType");
                    continue;
                }
                if (r.invoker() != null) {
                    byWireName.put(r.wireName(), r);
                }
            }
            if (registrations.isEmpty()) {
                all.add("no handlers: register at least one with .on(CommandType.class, cmd -> Outcome.success())");
            }
            if (!all.isEmpty()) {
                throw new InvalidHandlersException(participant, all);
            }
            return new CommandHandlers(participant, Collections.unmodifiableMap(byWireName), exceptionPolicy,
                    Map.copyOf(exceptionPolicies));
        }
    }
}
