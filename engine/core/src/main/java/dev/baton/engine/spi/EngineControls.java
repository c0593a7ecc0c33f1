package dev.baton.engine.spi;

import dev.baton.engine.SagaEngine;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * The engine's periodic work, to run by hand: for test kits that drive time with a manual clock, and benchmarks
 * that measure one job alone. An open engine runs all of it on its own threads; production code never needs this.
 *
 * <pre>{@code
 * EngineControls controls = EngineControls.of(engine);
 * clock.advance(Duration.ofSeconds(30));
 * controls.fireDueTimers();
 * }</pre>
 *
 * @since 0.4
 */
public interface EngineControls {

    /** The controls of an engine built by {@link SagaEngine#builder()}. */
    static EngineControls of(SagaEngine engine) {
        if (engine instanceof EngineControls c) {
            return c;
        }
        throw new IllegalArgumentException("not an engine built by SagaEngine.builder(): " + engine.getClass().getName());
    }

    /**
     * Fires the timers due now (one batch), leasing them first as several nodes would, then runs one
     * {@link #flowTick}.
     *
     * @return how many due timers were leased, plus how many waiting sagas the tick released
     */
    int fireDueTimers();

    /**
     * One tick of flow control: counts what is in flight and waiting per participant, adjusts the limits this node
     * holds the lease of, and releases waiting sagas into the room there is.
     *
     * @return how many waiting sagas this tick released (0 on an open engine, whose releases run on a thread of
     *     their own)
     * @since 0.4
     */
    int flowTick();

    /**
     * When flow control would next release a waiting command with no answer arriving first (a wait that ends, or a
     * paced participant's next turn): a test kit's manual clock jumps there when all else is idle, as real time would
     * pass. Empty when nothing waits, or only answers can make room.
     *
     * @since 0.4
     */
    Optional<Instant> nextFlowRelease();

    /**
     * Re-sends outbox rows at least {@code age} old that no acknowledgement removed.
     *
     * @return how many rows were re-sent
     */
    int sweepOutbox(Duration age);

    /**
     * Deletes inbox entries older than the inbox retention.
     *
     * @return how many entries were deleted
     */
    int purgeInbox();

    /**
     * Deletes ended sagas older than the ended retention (30 days unless set otherwise; nothing when it is null), and
     * FAILED sagas older than the failed retention when one is set.
     *
     * @return how many sagas were deleted
     */
    int purgeEnded();

    /** Where the transport hands replies: {@link Transport.ReplySink#accept} applies a poll of them. */
    Transport.ReplySink replies();

    /** Every participant the registered definitions send commands or compensations to, sorted. */
    Set<String> participants();
}
