package dev.baton.engine.internal;

import dev.baton.engine.SagaId;
import java.util.BitSet;
import java.util.Collection;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Serialises the events of one saga inside this JVM: a striped lock per saga id (across JVMs the store's version
 * check does it). A lock is held around a store transaction only, never around a send or a listener call.
 * Several stripes are always taken in ascending order, so two batches never deadlock.
 */
final class SagaLocks {
    private static final int STRIPES = 1024;
    private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];

    SagaLocks() {
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new ReentrantLock();
        }
    }

    /** Held stripes; {@link #close()} releases them in reverse order. */
    static final class Held implements AutoCloseable {
        private final ReentrantLock[] held;
        private final int count;

        private Held(ReentrantLock[] held, int count) {
            this.held = held;
            this.count = count;
        }

        @Override
        public void close() {
            for (int i = count - 1; i >= 0; i--) {
                held[i].unlock();
            }
        }
    }

    /** Locks the stripe of one saga. */
    Held lock(SagaId id) {
        ReentrantLock l = stripes[stripe(id)];
        l.lock();
        return new Held(new ReentrantLock[] {l}, 1);
    }

    /** Locks the stripes of several sagas, in ascending stripe order. */
    Held lockAll(Collection<SagaId> ids) {
        BitSet set = new BitSet(STRIPES);
        for (SagaId id : ids) {
            set.set(stripe(id));
        }
        ReentrantLock[] held = new ReentrantLock[set.cardinality()];
        int n = 0;
        try {
            for (int i = set.nextSetBit(0); i >= 0; i = set.nextSetBit(i + 1)) {
                stripes[i].lock();
                held[n++] = stripes[i];
            }
        } catch (RuntimeException | Error e) {
            new Held(held, n).close();
            throw e;
        }
        return new Held(held, n);
    }

    private static int stripe(SagaId id) {
        return Math.floorMod(id.hashCode(), STRIPES);
    }
}
