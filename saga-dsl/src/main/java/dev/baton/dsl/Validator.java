package dev.baton.dsl;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Checks a draft and turns it into a {@link SagaDefinition}. */
final class Validator {
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
    private static final Pattern TYPE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

    private Validator() {}

    static <D> SagaDefinition<D> build(Draft<D> d) {
        List<String> problems = new ArrayList<>(d.sagaProblems());
        if (!TYPE.matcher(d.type()).matches()) {
            problems.add("saga type must be 1 to 100 letters, digits, '.', '_' or '-', starting with a letter or digit,"
                    + " but was '" + d.type() + "'");
        }
        int version = d.version() == null ? 1 : d.version();
        if (version < 1) {
            problems.add("version must be >= 1, but was " + version + "; start at 1 and bump it on incompatible changes");
        }
        Duration defaultTimeout = d.defaultTimeout() == null ? Draft.DEFAULT_TIMEOUT : d.defaultTimeout();
        if (defaultTimeout.isZero() || defaultTimeout.isNegative()) {
            problems.add("defaultTimeout must be positive, but was " + defaultTimeout
                    + "; give a positive duration, or leave it out to use " + Draft.DEFAULT_TIMEOUT);
        }
        if (d.sla() != null && (d.sla().isZero() || d.sla().isNegative())) {
            problems.add("sla must be positive, but was " + d.sla() + "; give the target from start to end, such as"
                    + " .sla(Duration.ofSeconds(2)), or leave it out");
        }
        String dataTypeName = d.dataTypeName() == null ? d.type() + ".data" : d.dataTypeName();
        if (dataTypeName.isBlank()) {
            problems.add("dataTypeName must not be blank; leave it out to use '" + d.type() + ".data'");
        }
        if (d.steps().isEmpty()) {
            problems.add("the saga has no steps; add at least one with .step(\"key\").invoke(...)");
        }

        int pivot = pivotIndex(d);
        Map<String, Integer> seen = new HashMap<>();
        for (Draft.StepDraft<D> s : d.steps()) {
            problems.addAll(s.problems());
            String w = s.where();
            if (s.key() == null || !KEY.matcher(s.key()).matches()) {
                problems.add(w + ": key must be 1 to 100 letters, digits, '.', '_' or '-', starting with a letter or digit,"
                        + " so it can be stored and sent; use a key such as 'reserve-inventory'");
            } else if (seen.containsKey(s.key())) {
                problems.add(w + ": key duplicates steps[" + seen.get(s.key()) + "]; step keys are the stable identity"
                        + " of a step and must be unique, so rename one of them");
            } else {
                seen.put(s.key(), s.index());
            }
            if (s.pivot() && s.index() != pivot) {
                problems.add(w + ": is marked pivot() but " + d.steps().get(pivot).where()
                        + " already is; a saga has at most one pivot, so remove one of the pivot() calls");
            }
            StepKind kind = kindOf(s.index(), pivot);
            boolean hasComp = s.compensation() != null;
            switch (kind) {
                case COMPENSATABLE -> {
                    if (!hasComp && !s.noCompensation()) {
                        problems.add(w + ": runs before the pivot, so a later failure must undo it; add"
                                + " .compensate(participant, data -> undoCommand) or, if it changes nothing, .noCompensation()");
                    }
                    if (hasComp && s.noCompensation()) {
                        problems.add(w + ": has both compensate(...) and noCompensation(); keep one");
                    }
                }
                case PIVOT -> {
                    if (s.condition() != null) {
                        problems.add(w + ": is the pivot, the point of no return, and a saga that may skip it has none;"
                                + " remove .when(...) or make an unconditional step the pivot");
                    }
                    if (s.fallback() != null) {
                        problems.add(w + ": is the pivot, whose answer decides whether the saga goes on or is undone, so"
                                + " no fallback can stand in for it; remove .fallback(...) (give it .whenBusy(...) to wait"
                                + " for a busy participant)");
                    }
                    if (hasComp) {
                        problems.add(w + ": is the pivot, the point of no return, so its compensation would never run;"
                                + " remove .compensate(...) or move pivot() to a later step");
                    }
                }
                case RETRIABLE -> {
                    if (hasComp || s.noCompensation()) {
                        problems.add(w + ": comes after the pivot (" + d.steps().get(pivot).key() + "), so it is never"
                                + " compensated; remove " + (hasComp && s.noCompensation() ? ".compensate(...) and .noCompensation()"
                                        : hasComp ? ".compensate(...)" : ".noCompensation()")
                                + " or move pivot() to a step after this one");
                    }
                    if (s.fallback() == null && (s.retry() == null || !s.retry().retries())) {
                        problems.add(w + ": comes after the pivot, so it must eventually succeed, but "
                                + (s.retry() == null ? "it has no retry policy" : "its retry " + s.retry() + " never retries")
                                + "; add a retry policy such as .retry(Retry.forever(Duration.ofSeconds(1), Duration.ofMinutes(1)))");
                    }
                }
            }
            if (s.timeout() != null && (s.timeout().isZero() || s.timeout().isNegative())) {
                problems.add(w + ": timeout must be positive, but was " + s.timeout()
                        + "; give a positive duration, or leave it out to use the saga's default (" + defaultTimeout + ")");
            }
            if (s.sla() != null && (s.sla().isZero() || s.sla().isNegative())) {
                problems.add(w + ": sla must be positive, but was " + s.sla() + "; give the target from command sent to"
                        + " reply, such as .sla(Duration.ofMillis(200)), or leave it out");
            }
            if (s.fallback() != null && hasComp) {
                problems.add(w + ": has both compensate(...) and fallback(...), but a step that changes something the"
                        + " saga may have to undo cannot be replaced by made-up data (its undo needs the real answer, and"
                        + " a late answer could still take effect); remove .fallback(...), or keep it on a step that"
                        + " only reads (.noCompensation()) or comes after the pivot");
            }
            if (s.compensationRetry() != null && !hasComp) {
                problems.add(w + ": has compensationRetry(...) but no compensation, so the policy would never be used; "
                        + (kind == StepKind.COMPENSATABLE
                                ? "remove it or add .compensate(...)"
                                : "remove it (steps from the pivot on are never compensated)"));
            }
        }
        groups(d, pivot, problems);
        if (!problems.isEmpty()) {
            throw new InvalidSagaDefinitionException(d.type(), problems);
        }

        List<StepDefinition<D>> steps = new ArrayList<>();
        for (Draft.StepDraft<D> s : d.steps()) {
            Map<String, StepDefinition.ReplyHandler<D, ?>> replies = new LinkedHashMap<>();
            s.replies().forEach((type, f) -> replies.put(MessageType.Names.of(type), handler(type, f)));
            steps.add(new StepDefinition<>(s.key(), s.index(), kindOf(s.index(), pivot), s.participant(), s.commandType(),
                    s.command(), replies, s.compensationParticipant(), s.compensationType(), s.compensation(),
                    s.timeout() == null ? defaultTimeout : s.timeout(),
                    s.retry() == null ? Draft.DEFAULT_RETRY : s.retry(),
                    s.compensationRetry() == null ? Draft.DEFAULT_COMPENSATION_RETRY : s.compensationRetry(),
                    s.park(), s.sla(), s.condition(), s.fallback(), s.group(), s.branch()));
        }
        return new SagaDefinition<>(d.type(), version, d.dataType(), dataTypeName, steps, d.validations(), d.sla());
    }

    /**
     * Parallel groups: each a run of consecutive steps, each branch a run of consecutive steps of its group, at least
     * two branches, before the pivot and without it.
     */
    private static <D> void groups(Draft<D> d, int pivot, List<String> problems) {
        Map<String, Integer> ended = new HashMap<>();
        List<Draft.StepDraft<D>> steps = d.steps();
        for (int i = 0; i < steps.size(); ) {
            Draft.StepDraft<D> first = steps.get(i);
            String g = first.group();
            if (g == null) {
                i++;
                continue;
            }
            int end = i;
            while (end + 1 < steps.size() && g.equals(steps.get(end + 1).group())) {
                end++;
            }
            String where = "parallel group '" + g + "' (steps[" + i + "]" + (end > i ? " to steps[" + end + "]" : "") + ")";
            if (ended.containsKey(g)) {
                problems.add(where + ": the group's steps must follow one another, but steps[" + ended.get(g)
                        + "] already ended a group of that name; move its steps together or give the groups distinct names");
            }
            ended.put(g, end);
            Map<String, Integer> branchEnd = new HashMap<>();
            List<String> branches = new ArrayList<>();
            for (int j = i; j <= end; j++) {
                String b = steps.get(j).branch();
                Integer last = branchEnd.get(b);
                if (last != null && last != j - 1) {
                    problems.add(steps.get(j).where() + ": branch '" + b + "' of " + where + " must be a run of consecutive"
                            + " steps, but steps[" + (last + 1) + "] belongs to another branch; move the branch's steps"
                            + " together");
                }
                if (last == null) {
                    branches.add(b);
                }
                branchEnd.put(b, j);
            }
            if (branches.size() < 2) {
                problems.add(where + ": has one branch ('" + branches.get(0) + "'); a parallel group needs at least two,"
                        + " so add .parallel(\"" + g + "\") to another step next to it, or remove it");
            }
            if (pivot >= i && pivot <= end) {
                problems.add(d.steps().get(pivot).where() + ": is the pivot and a branch of " + where + ", but the point"
                        + " of no return cannot wait on branches that may still fail; make a step after the group the pivot");
            } else if (pivot >= 0 && i > pivot) {
                problems.add(where + ": comes after the pivot (" + d.steps().get(pivot).key() + "); a parallel group runs"
                        + " before the pivot (its branches are compensated when one fails), so move the group before it or"
                        + " the pivot after it");
            }
            i = end + 1;
        }
    }

    /** The index of the first step marked pivot(), or -1. */
    private static int pivotIndex(Draft<?> d) {
        for (Draft.StepDraft<?> s : d.steps()) {
            if (s.pivot()) {
                return s.index();
            }
        }
        return -1;
    }

    static StepKind kindOf(int index, int pivot) {
        if (pivot < 0 || index < pivot) {
            return StepKind.COMPENSATABLE;
        }
        return index == pivot ? StepKind.PIVOT : StepKind.RETRIABLE;
    }

    @SuppressWarnings("unchecked")
    private static <D, R> StepDefinition.ReplyHandler<D, R> handler(Class<?> type, java.util.function.BiFunction<? super D, ?, ? extends D> f) {
        return new StepDefinition.ReplyHandler<>((Class<R>) type, (java.util.function.BiFunction<? super D, ? super R, ? extends D>) f);
    }
}
