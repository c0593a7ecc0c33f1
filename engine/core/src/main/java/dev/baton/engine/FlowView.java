package dev.baton.engine;

import java.time.Duration;
import java.time.Instant;

/**
 * One participant's flow control as this engine node sees it (see {@link FlowSettings}).
 *
 * @param participant the participant's name
 * @param limit how many commands may be in flight at it at once, across all nodes (fractional; the whole part counts)
 * @param inFlight commands sent to it and not yet answered, across all nodes, as last counted (moved by this node's
 *                 own sends and answers since)
 * @param waiting commands waiting in line for it
 * @param oldestWaiting since when the first in line may go (null when none waits): how long it has waited
 * @param leader whether this node adjusts its limit and releases its line
 * @param released commands this node released from the line since it started
 * @param heldBack commands this node put in line since it started
 * @param pace on the node that leads it, the pause between releases of a participant limited by rate (one that
 *             answers busy even with few commands in flight); zero when it is not paced, or on other nodes
 * @since 0.4
 */
public record FlowView(String participant, double limit, long inFlight, long waiting, Instant oldestWaiting,
                       boolean leader, long released, long heldBack, Duration pace) {}
