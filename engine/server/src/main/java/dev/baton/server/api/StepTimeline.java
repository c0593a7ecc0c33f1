package dev.baton.server.api;

import dev.baton.dsl.SagaDefinition;
import dev.baton.dsl.StepDefinition;
import dev.baton.engine.spi.HistoryFold;
import dev.baton.engine.spi.HistoryRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The per-step view of a saga, built from its history: for each step of the definition (in order), where it stands
 * and what happened to its command and its compensation. Pure: no I/O.
 *
 * <p>Step statuses: {@code NOT_STARTED}, {@code RUNNING} (command out, awaiting the reply or a re-send),
 * {@code PENDING} (parked in a named pending state), {@code COMPLETED}, {@code SKIPPED} (completed by an operator's
 * skip), {@code SKIPPED_BY_CONDITION} (its {@code when} condition did not hold: never sent, nothing to compensate),
 * {@code DEGRADED} (its participant could not answer and its fallback stood in), {@code FAILED}, {@code COMPENSATING},
 * {@code COMPENSATED}, {@code COMPENSATION_FAILED}.
 *
 * @since 0.1
 */
public final class StepTimeline {
    private StepTimeline() {}

    /**
     * One step.
     *
     * @param kind COMPENSATABLE, PIVOT or RETRIABLE; null for a step the definition does not know (another version)
     * @param command the forward command's story; null before it was first sent
     * @param compensation the compensation's story; null unless a compensation was sent
     * @param operatorActions operator actions taken while the saga stood at this step, oldest first
     * @param degraded when the step's fallback stood in for its participant's answer, and why; null otherwise
     *                 (since 0.7)
     */
    public record Step(String key, String kind, String participant, String status, Attempts command,
                       Attempts compensation, List<Note> operatorActions, Note degraded) {}

    /**
     * What happened to a command (forward or compensation).
     *
     * @param attempts sends, re-sends after timeouts and busy answers included
     * @param timeouts replies that did not come in time
     * @param lastOutcome SUCCESS, FAILURE or RETRY_LATER from the latest reply; null before any reply
     * @param lastReason the reason given with the latest reply, if any
     * @param doneAt when the step completed (or its compensation did); null until then
     * @param duration from the first send to {@code doneAt}; null until then
     */
    public record Attempts(String participant, int attempts, int timeouts, Instant firstSentAt, Instant lastSentAt,
                           String lastOutcome, String lastReason, Instant lastReplyAt, Instant doneAt, Duration duration) {}

    /** A history note: when and what. */
    public record Note(Instant at, String detail) {}

    /** The steps of {@code definition} (may be null: steps are then taken from the history alone), with their stories. */
    public static List<Step> of(SagaDefinition<?> definition, List<HistoryRecord> history) {
        return of(definition, history, List.of());
    }

    /**
     * As {@link #of(SagaDefinition, List)}, with the counters of entries the store folded away
     * ({@link dev.baton.engine.spi.HistoryFolding}): folded sends count as attempts, folded time-outs as time-outs
     * (of the forward command), and the first folded send is the first send.
     *
     * @since 0.5
     */
    public static List<Step> of(SagaDefinition<?> definition, List<HistoryRecord> history, List<HistoryFold> folds) {
        Map<String, Builder> steps = new LinkedHashMap<>();
        if (definition != null) {
            for (StepDefinition<?> s : definition.steps()) {
                steps.put(s.key(), new Builder(s.key(), s.kind().name(), s.participant().name(),
                        s.compensationParticipant().map(p -> p.name()).orElse(null)));
            }
        }
        for (HistoryFold f : folds) {
            if (!f.step().isEmpty()) {
                steps.computeIfAbsent(f.step(), k -> new Builder(k, null, null, null)).fold(f);
            }
        }
        for (HistoryRecord h : history) {
            if (h.step() == null) {
                continue;
            }
            Builder b = steps.computeIfAbsent(h.step(), k -> new Builder(k, null, null, null));
            b.apply(h);
        }
        List<Step> out = new ArrayList<>(steps.size());
        for (Builder b : steps.values()) {
            out.add(b.build());
        }
        return out;
    }

    private static final class Builder {
        final String key;
        final String kind;
        final String participant;
        final String compensationParticipant;
        String status = "NOT_STARTED";
        final Story forward = new Story();
        final Story undo = new Story();
        boolean compensating;
        final List<Note> actions = new ArrayList<>();
        Note degraded;

        Builder(String key, String kind, String participant, String compensationParticipant) {
            this.key = key;
            this.kind = kind;
            this.participant = participant;
            this.compensationParticipant = compensationParticipant;
        }

        void fold(HistoryFold f) {
            switch (f.kind()) {
                case COMMAND_SENT -> forward.folded(f);
                case COMPENSATION_SENT -> undo.folded(f);
                case TIMED_OUT -> forward.timeouts += (int) f.count();
                default -> {
                    // replies, parking and resuming: the kept entries tell the latest
                }
            }
        }

        void apply(HistoryRecord h) {
            Story current = compensating ? undo : forward;
            String detail = h.detail();
            switch (h.kind()) {
                case COMMAND_SENT -> {
                    compensating = false;
                    forward.sent(h.at(), participantOf(detail));
                    status = "RUNNING";
                }
                case COMPENSATION_SENT -> {
                    compensating = true;
                    undo.sent(h.at(), participantOf(detail));
                    status = "COMPENSATING";
                }
                case REPLY_RECEIVED -> current.replied(h.at(), detail);
                case TIMED_OUT -> current.timeouts++;
                case PARKED -> status = "PENDING";
                case RESUMED -> status = compensating ? "COMPENSATING" : "RUNNING";
                case STEP_COMPLETED -> {
                    forward.done(h.at());
                    status = degraded != null ? "DEGRADED"
                            : detail != null && detail.contains("skipped") ? "SKIPPED" : "COMPLETED";
                }
                case STEP_SKIPPED -> status = "SKIPPED_BY_CONDITION";
                case STEP_DEGRADED -> {
                    degraded = new Note(h.at(), detail);
                    status = "DEGRADED";
                }
                case STEP_FAILED, GAVE_UP -> status = "FAILED";
                case FAILED -> status = compensating ? "COMPENSATION_FAILED" : "FAILED";
                case STEP_COMPENSATED -> {
                    undo.done(h.at());
                    status = "COMPENSATED";
                }
                case COMPENSATION_FAILED -> status = "COMPENSATION_FAILED";
                case OPERATOR_ACTION -> actions.add(new Note(h.at(), detail));
                default -> {
                    // RETRY_SCHEDULED, COMPENSATION_STARTED, NOT_SENT and saga-level kinds change nothing here
                }
            }
        }

        /** COMMAND_SENT's detail reads "attempt N to participant". */
        private static String participantOf(String detail) {
            if (detail == null) {
                return null;
            }
            int i = detail.indexOf(" to ");
            return i < 0 ? null : detail.substring(i + 4);
        }

        Step build() {
            return new Step(key, kind, participant, status,
                    forward.attempts == 0 ? null : forward.build(participant),
                    undo.attempts == 0 ? null : undo.build(compensationParticipant),
                    List.copyOf(actions), degraded);
        }
    }

    private static final class Story {
        String participant;
        int attempts;
        int timeouts;
        Instant firstSentAt;
        Instant lastSentAt;
        String lastOutcome;
        String lastReason;
        Instant lastReplyAt;
        Instant doneAt;

        void folded(HistoryFold f) {
            attempts += (int) f.count();
            if (firstSentAt == null || f.firstAt().isBefore(firstSentAt)) {
                firstSentAt = f.firstAt();
            }
        }

        void sent(Instant at, String to) {
            attempts++;
            if (firstSentAt == null) {
                firstSentAt = at;
            }
            lastSentAt = at;
            if (to != null) {
                participant = to;
            }
            doneAt = null;
        }

        /** REPLY_RECEIVED's detail reads "OUTCOME" or "OUTCOME: reason". */
        void replied(Instant at, String detail) {
            lastReplyAt = at;
            if (detail == null) {
                lastOutcome = null;
                lastReason = null;
                return;
            }
            int i = detail.indexOf(": ");
            lastOutcome = i < 0 ? detail : detail.substring(0, i);
            lastReason = i < 0 ? null : detail.substring(i + 2);
        }

        void done(Instant at) {
            doneAt = at;
        }

        Attempts build(String defaultParticipant) {
            Duration took = doneAt == null || firstSentAt == null ? null : Duration.between(firstSentAt, doneAt);
            return new Attempts(participant != null ? participant : defaultParticipant, attempts, timeouts, firstSentAt,
                    lastSentAt, lastOutcome, lastReason, lastReplyAt, doneAt, took);
        }
    }
}
