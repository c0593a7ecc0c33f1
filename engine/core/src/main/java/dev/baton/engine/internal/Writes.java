package dev.baton.engine.internal;

import dev.baton.engine.SagaId;
import dev.baton.engine.spi.SagaRecord;
import dev.baton.engine.spi.SagaWrite;
import dev.baton.engine.spi.StoreTransaction;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Where the decisions of one transaction go: straight to the store, or gathered and written with one
 * {@link StoreTransaction#writeAll} (a poll of replies, a batch of starts). A saga written twice flushes what was
 * gathered first, so each call names a saga once and its changes stay in order.
 */
final class Writes {
    private final StoreTransaction tx;
    private final boolean gather;
    private final List<SagaWrite> pending = new ArrayList<>();
    private final Set<SagaId> pendingIds = new HashSet<>();
    private final Map<SagaId, SagaRecord> latest = new HashMap<>();

    Writes(StoreTransaction tx, boolean gather) {
        this.tx = tx;
        this.gather = gather;
    }

    void add(SagaWrite w) {
        if (!gather) {
            tx.writeAll(List.of(w));
            return;
        }
        if (!pendingIds.add(w.saga().id())) {
            flush();
            pendingIds.add(w.saga().id());
        }
        pending.add(w);
        latest.put(w.saga().id(), w.saga());
    }

    /** The saga's row as last written through this object, if it was. */
    Optional<SagaRecord> latest(SagaId id) {
        return Optional.ofNullable(latest.get(id));
    }

    void flush() {
        if (!pending.isEmpty()) {
            tx.writeAll(List.copyOf(pending));
            pending.clear();
            pendingIds.clear();
        }
    }
}
