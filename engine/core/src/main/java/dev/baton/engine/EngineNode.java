package dev.baton.engine;

import java.time.Instant;
import java.util.Map;
import java.util.SortedSet;

/**
 * An engine node sharing this node's store, from the node list every node refreshes every few seconds.
 *
 * @param definitions the saga types and versions it registered
 * @param live whether it refreshed its entry recently (a node that died stays listed, not live, until it is pruned)
 * @since 0.8
 */
public record EngineNode(String name, Map<String, SortedSet<Integer>> definitions, Instant startedAt, Instant seenAt,
                         boolean live) {
}
