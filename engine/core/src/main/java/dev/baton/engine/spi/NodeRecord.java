package dev.baton.engine.spi;

import java.time.Instant;

/**
 * An engine node sharing the store, as its last heartbeat left it.
 *
 * @param node the node's name
 * @param definitions the saga definitions it has registered: {@code type:v1,v2;type2:v1}, types sorted
 * @param startedAt when it opened
 * @param seenAt its last heartbeat
 * @since 0.8
 */
public record NodeRecord(String node, String definitions, Instant startedAt, Instant seenAt) {
}
