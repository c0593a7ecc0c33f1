package dev.baton.engine.spi;

import java.time.Instant;

/**
 * One participant's flow control as the engine nodes share it through the store: the concurrency limit, the
 * outcomes every node has added so far (running totals), and which node adjusts the limit and releases the waiting
 * commands (the holder of a lease, so that one node at a time does).
 *
 * @param participant the participant's name
 * @param limit how many commands may be in flight at once, across all nodes (fractional: it moves by small steps)
 * @param answered running total of answers (SUCCESS or FAILURE) reported by all nodes
 * @param busy running total of RETRY_LATER answers
 * @param timedOut running total of timeouts
 * @param leader the node holding the lease (after this call)
 * @param leaseUntil when that lease ends
 * @since 0.4
 */
public record FlowShare(String participant, double limit, long answered, long busy, long timedOut, String leader,
                        Instant leaseUntil) {}
