package dev.baton.engine.spi;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Carries commands to participants and their replies back. Commands are sent at least once (the engine
 * re-sends outbox rows left by a crash); replies may arrive more than once and out of order.
 *
 * <p>Implementations must pass {@code TransportCompatibilityKit} when it exists. Thread-safe.
 *
 * @since 0.1
 */
public interface Transport extends AutoCloseable {

    /**
     * Sends messages. The future completes when the transport has durably accepted all of them (for Kafka:
     * acknowledged by the broker), and completes exceptionally otherwise; the engine then leaves the rows
     * in the outbox for the sweeper. A row addressed to {@link OutboxRecord#DEAD_LETTERS} goes to the dead-letter
     * channel of the replies, with its headers and the reason header it carries.
     */
    CompletableFuture<Void> send(List<OutboxRecord> messages);

    /**
     * Declares the destinations (participant names) the engine will send to, before the first send, so the
     * transport can create or check its topics or queues. Called once by the engine when it opens. Does nothing
     * by default.
     */
    default void prepare(java.util.Set<String> destinations) {}

    /**
     * The messaging system's name for traces ({@code messaging.system} in OpenTelemetry's semantic conventions, such
     * as {@code kafka}); null, the default, when none applies.
     *
     * @since 0.5
     */
    default String messagingSystem() {
        return null;
    }

    /**
     * Where commands for {@code participant} go, for traces ({@code messaging.destination.name}): for Kafka its command
     * topic. Defaults to the participant's name. Called for every command sent while tracing is on: keep it cheap.
     *
     * @since 0.5
     */
    default String destination(String participant) {
        return participant;
    }

    /**
     * Starts delivering replies to {@code sink}. The transport must consider a reply consumed only after
     * {@code sink.accept} returned normally (for Kafka: commit offsets after it).
     */
    void start(ReplySink sink);

    @Override
    void close();

    /** Receives replies. Called from the transport's threads. */
    @FunctionalInterface
    interface ReplySink {
        /**
         * Applies the replies durably and returns once they are committed. Throws (a transient failure, such
         * as the database being down) to have them all redelivered. Replies that can never be applied (unknown
         * saga, unknown definition) or whose payload cannot be read are dead-lettered by the engine in the same
         * transaction, as outbox rows addressed to {@link OutboxRecord#DEAD_LETTERS} that reach {@link #send} like
         * commands (and again after a crash, until acknowledged): they are returned with the reason for information
         * only, and the transport must not dead-letter them itself.
         */
        List<RejectedReply> accept(List<InboundReply> replies);

        /**
         * The transport is about to deliver replies from a share it did not deliver before: at start, and when it
         * takes over another engine node's share (for Kafka: partitions assigned by a rebalance). Those replies may
         * have waited unread for a while, so the engine holds back reply timeouts for a grace period. Does nothing
         * by default.
         */
        default void takingOver() {}

        /**
         * The transport cannot read replies at the moment ({@code true}: its broker does not answer, say), or can
         * again ({@code false}). While it cannot, answers may be waiting unread, so the engine fires no reply
         * timeouts; once it can, the engine holds them back for the grace period, as after {@link #takingOver()}.
         * Timeouts of a participant that is simply silent while the transport reads fine still fire. A transport with
         * several readers reports {@code true} while any of them cannot read. Does nothing by default.
         */
        default void readingStalled(boolean stalled) {}
    }

    /** A reply the engine can never apply (and has dead-lettered through its outbox), and why. */
    record RejectedReply(InboundReply reply, String reason) {}
}
