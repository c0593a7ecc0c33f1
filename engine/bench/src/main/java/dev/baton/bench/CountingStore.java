package dev.baton.bench;

import dev.baton.engine.spi.SagaStore;
import dev.baton.engine.spi.StoreTransaction;
import dev.baton.testkit.ForwardingSagaStore;
import java.util.Collection;
import java.util.function.Function;

/**
 * {@link KafkaSagaBenchmark}'s engine store, counting in the measured window its transactions (each one commit) and
 * outbox deletions (one each).
 */
final class CountingStore extends ForwardingSagaStore {
    private final BenchStats stats;

    CountingStore(SagaStore delegate, BenchStats stats) {
        super(delegate);
        this.stats = stats;
    }

    @Override
    public <T> T inTransaction(Function<StoreTransaction, T> work) {
        if (stats.measuring()) {
            stats.transactions.increment();
        }
        return delegate.inTransaction(work);
    }

    @Override
    public void deleteOutbox(Collection<String> ids) {
        if (stats.measuring()) {
            stats.outboxDeletes.increment();
        }
        delegate.deleteOutbox(ids);
    }
}
