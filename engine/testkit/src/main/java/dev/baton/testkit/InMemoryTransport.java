package dev.baton.testkit;

import dev.baton.engine.spi.InboundReply;
import dev.baton.engine.spi.OutboxRecord;
import dev.baton.engine.spi.Transport;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A transport that keeps sent commands in memory and hands replies to the engine synchronously, on the
 * caller's thread. For tests. Thread-safe.
 *
 * @since 0.1
 */
public final class InMemoryTransport implements Transport {
    private final List<OutboxRecord> sent = new ArrayList<>();
    private final Deque<OutboxRecord> undelivered = new ArrayDeque<>();
    private final List<OutboxRecord> deadLetters = new ArrayList<>();
    private volatile ReplySink sink;
    private volatile boolean failSends;
    private volatile boolean closed;

    @Override
    public synchronized CompletableFuture<Void> send(List<OutboxRecord> messages) {
        if (failSends || closed) {
            return CompletableFuture.failedFuture(new IllegalStateException(closed ? "transport closed" : "send failure injected by the test"));
        }
        for (OutboxRecord m : messages) {
            if (m.deadLetter()) {
                deadLetters.add(m); // the replies' dead-letter channel, not a participant's
            } else {
                sent.add(m);
                undelivered.add(m);
            }
        }
        notifyAll();
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public void start(ReplySink sink) {
        this.sink = sink;
    }

    /** Delivers replies to the engine, as a consumer would; returns what the engine could not apply. */
    public List<RejectedReply> reply(List<InboundReply> replies) {
        ReplySink s = sink;
        if (s == null) {
            throw new IllegalStateException("no engine is consuming from this transport yet (call engine.open(), or bind it)");
        }
        return s.accept(replies);
    }

    /** Binds a reply sink without opening an engine (test kits drive engines by hand). */
    public void bind(ReplySink sink) {
        this.sink = sink;
    }

    /**
     * Every dead letter sent ({@link OutboxRecord#DEAD_LETTERS}: replies the engine could not apply or read), in
     * order, re-sends included.
     */
    public synchronized List<OutboxRecord> deadLetters() {
        return List.copyOf(deadLetters);
    }

    /** Every command sent, in order, re-sends included (dead letters are in {@link #deadLetters()}). */
    public synchronized List<OutboxRecord> sent() {
        return List.copyOf(sent);
    }

    /** Takes the messages not yet taken, in order: what participants would consume next. */
    public synchronized List<OutboxRecord> take() {
        List<OutboxRecord> out = new ArrayList<>(undelivered);
        undelivered.clear();
        return out;
    }

    /** Like {@link #take()}, but waits up to {@code timeout} for a message when there is none. */
    public synchronized List<OutboxRecord> poll(java.time.Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (undelivered.isEmpty() && !closed) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return take();
    }

    /** Makes every later send fail (true) or succeed (false), to exercise the outbox sweeper. */
    public void failSends(boolean fail) {
        this.failSends = fail;
    }

    @Override
    public synchronized void close() {
        closed = true;
        notifyAll();
    }
}
