package dev.baton.engine.spi;

import java.time.Instant;

/**
 * One change of a {@link LiveSetting}, as the store's audit trail keeps it: what it was, what it became (null when it
 * was removed, or did not exist), who changed it and why.
 *
 * @param seq increasing in the order of the changes
 * @since 0.8
 */
public record SettingChange(long seq, Instant at, String kind, String target, String before, String after,
                            String actor, String reason) {
}
