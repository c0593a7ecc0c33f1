package dev.baton.engine.internal;

import dev.baton.engine.SagaId;
import dev.baton.engine.SagaStatus;
import dev.baton.engine.spi.CommandGate;
import dev.baton.engine.spi.InboundReply;
import dev.baton.engine.spi.OutboxRecord;
import io.opentelemetry.api.trace.Span;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What one store transaction did, gathered while it runs and handed to {@link AfterCommit} once it committed: the
 * outbox rows to send, the state changes to tell listeners, duplicates and ignored replies, and the command gate's
 * bookkeeping. A transaction that is re-run starts from {@link #reset()}; one that does not commit calls
 * {@link #rollback()}, which gives back the gate permits it took.
 */
final class Effects {
    /** One saga's change, for the listener. */
    record Change(SagaStatus from, Execution beforeExec, SagaState after, Decision decision, Instant at,
                  InboundReply reply) {
        Change(SagaStatus from, Execution beforeExec, SagaState after, Decision decision, Instant at) {
            this(from, beforeExec, after, decision, at, null);
        }

        /** The same change, caused by {@code r}. */
        Change answeredBy(InboundReply r) {
            return new Change(from, beforeExec, after, decision, at, r);
        }
    }

    /** A span opened for a command written by the transaction ({@link SagaTracing}), and until when it is kept. */
    record PendingSpan(Span span, Instant deadline) {}

    private final GateAdvisor gate;
    final List<OutboxRecord> outbox = new ArrayList<>();
    final List<Change> changes = new ArrayList<>();
    /** Spans of the commands written so far, by {@link SagaTracing#key}: kept once committed, dropped otherwise. */
    final Map<String, PendingSpan> spans = new HashMap<>();
    final List<String> duplicates = new ArrayList<>();
    final List<Map.Entry<SagaId, String>> ignored = new ArrayList<>();
    /** A saga started (created) in the transaction: its type and definition version. */
    record Started(SagaId id, String type, int version) {}

    /** Sagas started (created) in the transaction. */
    final List<Started> started = new ArrayList<>();
    /** Participants whose gate permitted a command in this transaction: released if it does not commit. */
    final List<String> permits = new ArrayList<>();
    /** Participants flow control let a command go to in this transaction: the room is given back if it does not commit. */
    final List<String> room = new ArrayList<>();
    /** Participants a saga was put in line for in this transaction (told to flow control once it committed). */
    final List<String> queued = new ArrayList<>();
    /** A participant flow control released this transaction's sagas to, with room and permits taken; or null. */
    String admitted;
    /** When the outbox rows go out, for commands released under a pace; null: at once. */
    FlowControl.Spacing spacing;
    /** How many commands to {@link #admitted} were released with room and a permit taken. */
    int admittedSlots;
    /** How many of those slots were used by a command decided in the transaction. */
    int admittedUsed;
    /** How participants answered, for their gates once the transaction committed. */
    final List<Map.Entry<String, CommandGate.Outcome>> outcomes = new ArrayList<>();
    /** Participants of sent commands whose answers no longer matter (an operator moved on): released after commit. */
    final List<String> moot = new ArrayList<>();

    Effects(GateAdvisor gate) {
        this.gate = gate;
    }

    /** Starts a (re-)run of the transaction: whatever an earlier run took is given back. */
    void reset() {
        rollback();
        outbox.clear();
        changes.clear();
        duplicates.clear();
        ignored.clear();
        started.clear();
        outcomes.clear();
        moot.clear();
        queued.clear();
        admittedUsed = 0;
    }

    /** The transaction did not commit: its permits were not used. */
    void rollback() {
        rollback(new Mark(0, 0, 0));
        spans.clear();
    }

    /** How much room, how many permits and places in line were taken so far: to roll back one part of a batch. */
    record Mark(int permits, int room, int queued) {}

    Mark mark() {
        return new Mark(permits.size(), room.size(), queued.size());
    }

    /** Gives back the permits and room taken after {@code from}, and forgets the places in line taken after it. */
    void rollback(Mark from) {
        while (permits.size() > from.permits()) {
            gate.releasePermit(permits.remove(permits.size() - 1));
        }
        while (room.size() > from.room()) {
            gate.releaseRoom(room.remove(room.size() - 1));
        }
        while (queued.size() > from.queued()) {
            queued.remove(queued.size() - 1);
        }
    }
}
