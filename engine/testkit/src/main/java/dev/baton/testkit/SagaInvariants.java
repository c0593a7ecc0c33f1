package dev.baton.testkit;

import dev.baton.dsl.SagaDefinition;
import dev.baton.engine.HistoryKind;
import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.SagaView;
import dev.baton.engine.spi.HistoryRecord;
import dev.baton.engine.spi.OutboxRecord;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.BiPredicate;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The invariants {@link SagaTestKit#assertInvariants()} checks on one saga. */
final class SagaInvariants {
    private SagaInvariants() {}

    /** The violations of every saga started, and of every command sent after its saga ended. */
    static List<String> all(List<SagaId> started, List<OutboxRecord> sent, Function<SagaId, SagaView> sagas,
                            Function<SagaId, List<Effect>> effects, Function<SagaId, List<HistoryRecord>> histories,
                            List<SagaDefinition<?>> definitions) {
        BiPredicate<SagaView, String> hasCompensation = (v, step) -> definitions.stream()
                .filter(d -> d.type().equals(v.type()) && d.version() == v.definitionVersion())
                .findFirst().flatMap(d -> d.step(step)).map(s -> s.hasCompensation()).orElse(false);
        List<String> out = new ArrayList<>();
        for (SagaId id : started) {
            out.addAll(violations(sagas.apply(id), effects.apply(id), histories.apply(id), hasCompensation));
        }
        for (OutboxRecord r : sent) {
            SagaView v = sagas.apply(r.sagaId());
            if (v.status().isTerminal() && r.createdAt().isAfter(v.updatedAt())) {
                out.add("saga " + r.sagaId() + ": message " + r.messageId() + " was sent after it ended");
            }
        }
        return out;
    }

    /**
     * The violations of one saga: it is terminal, or visibly PENDING or FAILED with a reason; no participant effect
     * happened twice; a COMPLETED saga compensated nothing; a COMPENSATED saga undid every step that took effect and
     * has a compensation, in reverse order; it sent no command after it ended.
     *
     * @param effects the participants' effects for this saga, in order
     * @param hasCompensation whether a step of the saga's definition has a compensation
     */
    static List<String> violations(SagaView v, List<Effect> effects, List<HistoryRecord> history,
                                   BiPredicate<SagaView, String> hasCompensation) {
        List<String> out = new ArrayList<>();
        String p = "saga " + v.id() + " (" + v.status() + "): ";
        if (!v.status().isTerminal()) {
            if (v.status() == SagaStatus.RUNNING || v.status() == SagaStatus.COMPENSATING) {
                out.add(p + "is still " + v.status() + " although nothing more can happen");
            } else if (v.reason() == null || v.reason().isBlank()) {
                out.add(p + "has no reason for being " + v.status());
            }
        }
        Map<String, Long> forward = effects.stream().filter(e -> !e.compensation())
                .collect(Collectors.groupingBy(Effect::step, Collectors.counting()));
        Map<String, Long> undo = effects.stream().filter(Effect::compensation)
                .collect(Collectors.groupingBy(Effect::step, Collectors.counting()));
        forward.forEach((step, n) -> { if (n > 1) out.add(p + "step " + step + " took effect " + n + " times"); });
        undo.forEach((step, n) -> { if (n > 1) out.add(p + "step " + step + " was compensated " + n + " times"); });
        if (v.status() == SagaStatus.COMPLETED) {
            if (!undo.isEmpty()) {
                out.add(p + "completed but compensated " + undo.keySet());
            }
        }
        if (v.status() == SagaStatus.COMPENSATED) {
            for (String step : forward.keySet()) {
                if (!undo.containsKey(step) && v.completedSteps().contains(step) && hasCompensation.test(v, step)) {
                    out.add(p + "step " + step + " took effect but was never compensated");
                }
            }
        }
        List<String> undone = effects.stream().filter(Effect::compensation).map(Effect::step).toList();
        List<String> expectedOrder = new ArrayList<>(v.completedSteps());
        Collections.reverse(expectedOrder);
        expectedOrder.retainAll(undone);
        if (!undone.equals(expectedOrder)) {
            out.add(p + "compensations ran in order " + undone + ", expected the reverse of completion: " + expectedOrder);
        }
        boolean ended = false;
        for (HistoryRecord e : history) {
            if (ended && (e.kind() == HistoryKind.COMMAND_SENT || e.kind() == HistoryKind.COMPENSATION_SENT)) {
                out.add(p + "sent a command after it ended: " + e);
            }
            ended |= e.kind() == HistoryKind.COMPLETED || e.kind() == HistoryKind.COMPENSATED;
        }
        return out;
    }
}
