package dev.baton.dsl;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/** The immutable state behind the builders. Package-private; every change makes a copy. */
record Draft<D>(String type, Class<D> dataType, Integer version, String dataTypeName, Duration defaultTimeout,
                Duration sla, List<String> sagaProblems, List<StepDraft<D>> steps, List<Function<? super D, String>> validations) {

    /** The default time a step waits for a reply before the attempt counts as timed out. */
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    /**
     * The retry of a step before the pivot that sets none: 5 attempts, 1 s doubling to 30 s. A timeout re-sends the
     * same invocation (same idempotency key, so at most one effect), and a busy answer without {@code whenBusy} is
     * asked again, instead of compensating an order whose participant was merely slow or busy once.
     */
    static final Retry DEFAULT_RETRY = Retry.exponential(5, Duration.ofSeconds(1), Duration.ofSeconds(30));
    /** The default retry of compensations: 8 attempts, doubling from 1 s up to 5 min. */
    static final Retry DEFAULT_COMPENSATION_RETRY = Retry.exponential(8, Duration.ofSeconds(1), Duration.ofMinutes(5));

    Draft {
        sagaProblems = List.copyOf(sagaProblems);
        steps = List.copyOf(steps);
        validations = List.copyOf(validations);
    }

    static <D> Draft<D> start(String type, Class<D> dataType) {
        return new Draft<>(type, dataType, null, null, null, null, List.of(), List.of(), List.of());
    }

    Draft<D> withSagaProblem(String problem) {
        List<String> p = new ArrayList<>(sagaProblems);
        p.add(problem);
        return new Draft<>(type, dataType, version, dataTypeName, defaultTimeout, sla, p, steps, validations);
    }

    Draft<D> withVersion(int v) {
        if (version != null) {
            return withSagaProblem("version was set twice (" + version + ", then " + v + "); set it once");
        }
        return new Draft<>(type, dataType, v, dataTypeName, defaultTimeout, sla, sagaProblems, steps, validations);
    }

    Draft<D> withDataTypeName(String name) {
        if (name == null) {
            return withSagaProblem("dataTypeName was null; give a name, or leave it out to use '" + type + ".data'");
        }
        if (dataTypeName != null) {
            return withSagaProblem("dataTypeName was set twice ('" + dataTypeName + "', then '" + name + "'); set it once");
        }
        return new Draft<>(type, dataType, version, name, defaultTimeout, sla, sagaProblems, steps, validations);
    }

    Draft<D> withDefaultTimeout(Duration t) {
        if (t == null) {
            return withSagaProblem("defaultTimeout was null; give a positive duration, or leave it out to use "
                    + DEFAULT_TIMEOUT);
        }
        if (defaultTimeout != null) {
            return withSagaProblem("defaultTimeout was set twice (" + defaultTimeout + ", then " + t + "); set it once");
        }
        return new Draft<>(type, dataType, version, dataTypeName, t, sla, sagaProblems, steps, validations);
    }

    Draft<D> withSla(Duration t) {
        if (t == null) {
            return withSagaProblem("sla was null; give a positive duration (the target from start to end), or leave it"
                    + " out for no saga SLA");
        }
        if (sla != null) {
            return withSagaProblem("sla was set twice (" + sla + ", then " + t + "); set it once");
        }
        return new Draft<>(type, dataType, version, dataTypeName, defaultTimeout, t, sagaProblems, steps, validations);
    }

    Draft<D> withValidation(Function<? super D, String> validation) {
        if (validation == null) {
            return withSagaProblem("validate(...) was given null; give a function that answers null for valid data and"
                    + " a message otherwise");
        }
        List<Function<? super D, String>> v = new ArrayList<>(validations);
        v.add(validation);
        return new Draft<>(type, dataType, version, dataTypeName, defaultTimeout, sla, sagaProblems, steps, v);
    }

    Draft<D> addStep(String key) {
        List<StepDraft<D>> s = new ArrayList<>(steps);
        s.add(StepDraft.start(key, steps.size()));
        return new Draft<>(type, dataType, version, dataTypeName, defaultTimeout, sla, sagaProblems, s, validations);
    }

    Draft<D> updateLast(UnaryOperator<StepDraft<D>> change) {
        List<StepDraft<D>> s = new ArrayList<>(steps);
        s.set(s.size() - 1, change.apply(s.get(s.size() - 1)));
        return new Draft<>(type, dataType, version, dataTypeName, defaultTimeout, sla, sagaProblems, s, validations);
    }

    /** One step under construction. Problems found while building (a setting made twice) are kept for build(). */
    record StepDraft<D>(String key, int index, Participant<?> participant, Class<?> commandType,
                        Function<? super D, ?> command, Map<Class<?>, BiFunction<? super D, ?, ? extends D>> replies,
                        Participant<?> compensationParticipant, Class<?> compensationType,
                        Function<? super D, ?> compensation, boolean noCompensation, Duration timeout, Retry retry,
                        Retry compensationRetry, Park park, boolean pivot, Duration sla,
                        Predicate<? super D> condition, Function<? super D, ? extends D> fallback, String group,
                        String branch, List<String> problems) {

        StepDraft {
            replies = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(replies));
            problems = List.copyOf(problems);
        }

        static <D> StepDraft<D> start(String key, int index) {
            return new StepDraft<>(key, index, null, null, null, Map.of(), null, null, null, false, null, null, null, null,
                    false, null, null, null, null, null, List.of());
        }

        String where() {
            return "step '" + key + "' (steps[" + index + "])";
        }

        StepDraft<D> problem(String p) {
            List<String> ps = new ArrayList<>(problems);
            ps.add(where() + ": " + p);
            return new StepDraft<>(key, index, participant, commandType, command, replies, compensationParticipant,
                    compensationType, compensation, noCompensation, timeout, retry, compensationRetry, park, pivot, sla, condition, fallback, group, branch, ps);
        }

        StepDraft<D> invoke(Participant<?> p, Function<? super D, ?> f) {
            if (p == null || f == null) {
                return problem("invoke(participant, command) was given a null " + nullArgument(p, f)
                        + "; pass a Participant handle and a function that builds the command from the data");
            }
            return new StepDraft<>(key, index, p, null, f, replies, compensationParticipant, compensationType, compensation,
                    noCompensation, timeout, retry, compensationRetry, park, pivot, sla, condition, fallback, group, branch, problems);
        }

        /** {@link #invoke(Participant, Function)} with the command's class declared. */
        StepDraft<D> invoke(Participant<?> p, Class<?> type, Function<? super D, ?> f) {
            if (p == null || type == null || f == null) {
                return problem("invoke(participant, commandType, command) was given a null " + nullArguments(p, type, f)
                        + "; pass a Participant handle, the command's class and a function that builds the command from"
                        + " the data");
            }
            String wrong = typeProblem("invoke", "command", p, type);
            if (wrong != null) {
                return problem(wrong);
            }
            return new StepDraft<>(key, index, p, type, f, replies, compensationParticipant, compensationType, compensation,
                    noCompensation, timeout, retry, compensationRetry, park, pivot, sla, condition, fallback, group, branch, problems);
        }

        StepDraft<D> reply(Class<?> type, BiFunction<? super D, ?, ? extends D> f) {
            if (type == null || f == null) {
                return problem("onReply needs a reply type and a function, but got " + (type == null ? "a null type" : "a null function"));
            }
            if (type.isInterface() || java.lang.reflect.Modifier.isAbstract(type.getModifiers())) {
                return problem("onReply(" + type.getSimpleName() + ".class, ...) names an interface or abstract class, but"
                        + " replies are matched by the wire name of their concrete class, so this handler would never run;"
                        + " declare one onReply per concrete reply class");
            }
            if (replies.containsKey(type)) {
                return problem("onReply(" + type.getSimpleName() + ".class, ...) was declared twice; declare each reply type once");
            }
            String name = MessageType.Names.of(type);
            for (Class<?> other : replies.keySet()) {
                if (MessageType.Names.of(other).equals(name)) {
                    return problem("reply types " + other.getName() + " and " + type.getName() + " share the wire name '" + name
                            + "'; give one a distinct name with @MessageType");
                }
            }
            Map<Class<?>, BiFunction<? super D, ?, ? extends D>> r = new LinkedHashMap<>(replies);
            r.put(type, f);
            return new StepDraft<>(key, index, participant, commandType, command, r, compensationParticipant,
                    compensationType, compensation, noCompensation, timeout, retry, compensationRetry, park, pivot, sla, condition, fallback, group, branch, problems);
        }

        StepDraft<D> compensate(Participant<?> p, Function<? super D, ?> f) {
            if (compensation != null) {
                return problem("compensate(...) was declared twice; declare it once");
            }
            if (p == null || f == null) {
                return problem("compensate(participant, command) was given a null " + nullArgument(p, f)
                        + "; pass a Participant handle and a function that builds the undo command from the data");
            }
            return new StepDraft<>(key, index, participant, commandType, command, replies, p, null, f,
                    noCompensation, timeout, retry, compensationRetry, park, pivot, sla, condition, fallback, group, branch, problems);
        }

        /** {@link #compensate(Participant, Function)} with the compensating command's class declared. */
        StepDraft<D> compensate(Participant<?> p, Class<?> type, Function<? super D, ?> f) {
            if (compensation != null) {
                return problem("compensate(...) was declared twice; declare it once");
            }
            if (p == null || type == null || f == null) {
                return problem("compensate(participant, commandType, command) was given a null " + nullArguments(p, type, f)
                        + "; pass a Participant handle, the undo command's class and a function that builds the undo"
                        + " command from the data");
            }
            String wrong = typeProblem("compensate", "undo command", p, type);
            if (wrong != null) {
                return problem(wrong);
            }
            return new StepDraft<>(key, index, participant, commandType, command, replies, p, type, f,
                    noCompensation, timeout, retry, compensationRetry, park, pivot, sla, condition, fallback, group, branch, problems);
        }

        /**
         * Why {@code type} cannot be declared as the class of a command sent to {@code p}, or null when it can. Only a
         * concrete class has a wire name of its own; the generic signatures keep the other case out unless raw types or
         * unchecked casts got past them.
         */
        private static String typeProblem(String call, String what, Participant<?> p, Class<?> type) {
            if (type.isInterface() || type.isPrimitive() || type.isArray()
                    || java.lang.reflect.Modifier.isAbstract(type.getModifiers())) {
                String kind = type.isPrimitive() ? "a primitive type" : type.isArray() ? "an array type"
                        : "an interface or abstract class";
                return call + "(" + p.name() + ", " + type.getSimpleName() + ".class, ...) names " + kind + ", but the "
                        + what + " travels under the wire name of its concrete class; name the class the function builds"
                        + " (a record), or leave the type out";
            }
            if (!p.commandType().isAssignableFrom(type)) {
                return call + "(" + p.name() + ", " + type.getSimpleName() + ".class, ...) names a class that is not a "
                        + p.commandType().getSimpleName() + ", the command type of participant '" + p.name()
                        + "'; name a class the participant accepts";
            }
            return null;
        }

        StepDraft<D> markNoCompensation() {
            if (noCompensation) {
                return problem("noCompensation() was called twice; call it once");
            }
            return new StepDraft<>(key, index, participant, commandType, command, replies, compensationParticipant,
                    compensationType, compensation, true, timeout, retry, compensationRetry, park, pivot, sla, condition, fallback, group, branch, problems);
        }

        StepDraft<D> timeout(Duration t) {
            if (timeout != null) {
                return problem("timeout was set twice (" + timeout + ", then " + t + "); set it once");
            }
            if (t == null) {
                return problem("timeout was null; give a positive duration");
            }
            return new StepDraft<>(key, index, participant, commandType, command, replies, compensationParticipant,
                    compensationType, compensation, noCompensation, t, retry, compensationRetry, park, pivot, sla, condition, fallback, group, branch, problems);
        }

        StepDraft<D> sla(Duration t) {
            if (sla != null) {
                return problem("sla was set twice (" + sla + ", then " + t + "); set it once");
            }
            if (t == null) {
                return problem("sla was null; give a positive duration (the target from command sent to reply), or"
                        + " leave it out for no step SLA");
            }
            return new StepDraft<>(key, index, participant, commandType, command, replies, compensationParticipant,
                    compensationType, compensation, noCompensation, timeout, retry, compensationRetry, park, pivot, t,
                    condition, fallback, group, branch, problems);
        }

        StepDraft<D> retry(Retry r) {
            if (retry != null) {
                return problem("retry was set twice (" + retry + ", then " + r + "); set it once");
            }
            if (r == null) {
                return problem("retry was null; use Retry.none() for a single attempt");
            }
            return new StepDraft<>(key, index, participant, commandType, command, replies, compensationParticipant,
                    compensationType, compensation, noCompensation, timeout, r, compensationRetry, park, pivot, sla, condition, fallback, group, branch, problems);
        }

        StepDraft<D> compensationRetry(Retry r) {
            if (compensationRetry != null) {
                return problem("compensationRetry was set twice; set it once");
            }
            if (r == null) {
                return problem("compensationRetry was null; give a policy");
            }
            return new StepDraft<>(key, index, participant, commandType, command, replies, compensationParticipant,
                    compensationType, compensation, noCompensation, timeout, retry, r, park, pivot, sla, condition, fallback, group, branch, problems);
        }

        StepDraft<D> park(Park p) {
            if (park != null) {
                return problem("whenBusy was set twice (" + park.state() + ", then " + (p == null ? null : p.state()) + "); set it once");
            }
            if (p == null) {
                return problem("whenBusy was null; give a Park rule such as Park.as(\"PENDING_PAYMENT\")");
            }
            return new StepDraft<>(key, index, participant, commandType, command, replies, compensationParticipant,
                    compensationType, compensation, noCompensation, timeout, retry, compensationRetry, p, pivot, sla, condition, fallback, group, branch, problems);
        }

        private static String nullArguments(Object participant, Object type, Object function) {
            List<String> nulls = new ArrayList<>();
            if (participant == null) {
                nulls.add("participant");
            }
            if (type == null) {
                nulls.add("command type");
            }
            if (function == null) {
                nulls.add("command function");
            }
            return String.join(" and a null ", nulls);
        }

        private static String nullArgument(Object participant, Object function) {
            if (participant == null && function == null) {
                return "participant and a null command function";
            }
            return participant == null ? "participant" : "command function";
        }

        StepDraft<D> when(Predicate<? super D> c) {
            if (condition != null) {
                return problem("when(...) was declared twice; combine the conditions in one predicate");
            }
            if (c == null) {
                return problem("when(...) was given null; give a predicate on the saga data, such as"
                        + " .when(d -> !d.digitalOnly())");
            }
            return new StepDraft<>(key, index, participant, commandType, command, replies, compensationParticipant,
                    compensationType, compensation, noCompensation, timeout, retry, compensationRetry, park, pivot, sla, c,
                    fallback, group, branch, problems);
        }

        StepDraft<D> fallback(Function<? super D, ? extends D> f) {
            if (fallback != null) {
                return problem("fallback(...) was declared twice; declare it once");
            }
            if (f == null) {
                return problem("fallback(...) was given null; give a function from the saga data to the data the saga"
                        + " continues with, such as .fallback(d -> d.withEstimate(\"standard delivery\"))");
            }
            return new StepDraft<>(key, index, participant, commandType, command, replies, compensationParticipant,
                    compensationType, compensation, noCompensation, timeout, retry, compensationRetry, park, pivot, sla,
                    condition, f, group, branch, problems);
        }

        StepDraft<D> parallel(String g, String b) {
            if (group != null) {
                return problem("parallel(...) was declared twice; declare the step's group once");
            }
            if (g == null || b == null) {
                return problem("parallel(...) was given a null " + (g == null ? "group" : "branch") + "; name the group"
                        + " (and the branch, for a branch of several steps), such as .parallel(\"checks\")");
            }
            return new StepDraft<>(key, index, participant, commandType, command, replies, compensationParticipant,
                    compensationType, compensation, noCompensation, timeout, retry, compensationRetry, park, pivot, sla,
                    condition, fallback, g, b, problems);
        }

        StepDraft<D> markPivot() {
            if (pivot) {
                return problem("pivot() was called twice; call it once");
            }
            return new StepDraft<>(key, index, participant, commandType, command, replies, compensationParticipant,
                    compensationType, compensation, noCompensation, timeout, retry, compensationRetry, park, true, sla, condition, fallback, group, branch, problems);
        }
    }
}
