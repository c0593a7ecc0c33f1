package dev.baton.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.engine.HistoryKind;
import dev.baton.engine.SagaDefinitionMismatchException;
import dev.baton.engine.SagaEngine;
import dev.baton.engine.SagaId;
import dev.baton.engine.SagaNotFoundException;
import dev.baton.engine.SagaView;
import dev.baton.engine.spi.HistoryFold;
import dev.baton.engine.spi.HistoryPage;
import dev.baton.engine.spi.HistoryRecord;
import dev.baton.engine.spi.SagaRecord;
import dev.baton.engine.spi.SagaStore;
import dev.baton.server.api.SagaApi.SagaDetail;
import java.io.IOException;
import java.util.List;

/**
 * Assembles {@link SagaDetail}, the full view of one saga: from the engine's view and the step timeline of its
 * definition, or, for a saga of a definition version this server does not have, from the stored row and its history.
 * Thread-safe.
 */
final class SagaDetails {

    private final String traceLinkTemplate;
    private final SagaEngine engine;
    private final SagaStore store;
    private final DefinitionCatalog definitions;

    SagaDetails(SagaEngine engine, SagaStore store, DefinitionCatalog definitions, String traceLinkTemplate) {
        this.traceLinkTemplate = traceLinkTemplate == null ? "" : traceLinkTemplate;
        this.engine = engine;
        this.store = store;
        this.definitions = definitions;
    }

    /** @throws SagaNotFoundException when there is no saga {@code id} */
    SagaDetail of(SagaId id, Redaction redaction) {
        try {
            SagaView v = engine.find(id).orElseThrow(() -> new SagaNotFoundException(id));
            // the store keeps a saga's history bounded (HistoryFolding): reading it whole is one short query
            List<HistoryRecord> history = store.history(id);
            List<HistoryFold> folds = store.historyFolds(id);
            return new SagaDetail(v.id().value(), v.type(), v.definitionVersion(), v.status(), v.pendingState(), v.reason(),
                    v.currentStep(), v.businessKey(), v.version(), v.createdAt(), v.updatedAt(), v.id().traceId(),
                    traceLink(v.id()), redaction.apply(Json.MAPPER.valueToTree(v.data())),
                    v.completedSteps(), v.compensatedSteps(),
                    StepTimeline.of(definitions.find(v.type(), v.definitionVersion()), history, folds),
                    latest(history, folds, redaction));
        } catch (SagaDefinitionMismatchException e) {
            // an instance of a version this server does not have: the stored data as it is, the steps from the history
            SagaRecord r = store.find(id).orElseThrow(() -> new SagaNotFoundException(id));
            List<HistoryRecord> history = store.history(id);
            List<HistoryFold> folds = store.historyFolds(id);
            JsonNode data;
            try {
                data = redaction.apply(Json.MAPPER.readTree(r.data()));
            } catch (IOException notJson) {
                data = Json.MAPPER.getNodeFactory().textNode(redaction.names().isEmpty() ? r.data() : Redaction.MASK);
            }
            return new SagaDetail(r.id().value(), r.type(), r.definitionVersion(), r.status(), r.pendingState(), r.reason(),
                    r.currentStep(), r.businessKey(), r.version(), r.createdAt(), r.updatedAt(), r.id().traceId(),
                    traceLink(r.id()), data,
                    history.stream().filter(h -> h.kind() == HistoryKind.STEP_COMPLETED).map(HistoryRecord::step).toList(),
                    history.stream().filter(h -> h.kind() == HistoryKind.STEP_COMPENSATED).map(HistoryRecord::step).toList(),
                    StepTimeline.of(null, history, folds), latest(history, folds, redaction));
        }
    }

    /** The link to the saga's trace in a tracing UI, or null without a template. */
    private String traceLink(SagaId id) {
        return traceLinkTemplate.isEmpty() ? null : traceLinkTemplate.replace("{traceId}", id.traceId());
    }

    private static HistoryView latest(List<HistoryRecord> history, List<HistoryFold> folds, Redaction redaction) {
        return HistoryView.of(HistoryPage.of(history, Long.MAX_VALUE, HistoryView.DETAIL_LIMIT), folds, redaction);
    }
}
