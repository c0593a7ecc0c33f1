package dev.baton.bench;

import dev.baton.engine.spi.OutboxRecord;
import dev.baton.engine.spi.Transport;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * What {@link KafkaSagaBenchmark}'s engine does through the transport, counted in the measured window: reply batches
 * (one transaction each) and sends.
 */
final class CountingTransport implements Transport {
    private final Transport delegate;
    private final BenchStats stats;

    CountingTransport(Transport delegate, BenchStats stats) {
        this.delegate = delegate;
        this.stats = stats;
    }

    @Override
    public CompletableFuture<Void> send(List<OutboxRecord> messages) {
        if (stats.measuring()) {
            stats.sends.increment();
            stats.sentMessages.add(messages.size());
        }
        return delegate.send(messages);
    }

    @Override
    public void prepare(Set<String> destinations) {
        delegate.prepare(destinations);
    }

    @Override
    public void start(ReplySink sink) {
        delegate.start(replies -> {
            if (stats.measuring()) {
                stats.replyBatches.increment();
                stats.replies.add(replies.size());
                stats.maxBatch.accumulateAndGet(replies.size(), Math::max);
            }
            return sink.accept(replies);
        });
    }

    @Override
    public void close() {
        delegate.close();
    }
}
