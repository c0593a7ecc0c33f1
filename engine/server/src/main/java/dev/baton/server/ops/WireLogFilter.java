package dev.baton.server.ops;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.Marker;

/**
 * Keeps the HTTP container's wire-level logs out of every appender: Jetty at DEBUG and TRACE logs each request's
 * headers as parsed ({@code Authorization: Bearer <the API token>}) and dumps its network buffers, so turning the
 * levels up (for example with {@code baton.log.level} or a logger set to TRACE) would write the API tokens into the
 * log. Events of {@code org.eclipse.jetty} below INFO are denied before they are even formatted; Jetty's INFO, WARN
 * and ERROR pass. Installed by the server's Logback configurations ({@code logback-levels.xml}); a configuration of
 * your own ({@code -Dlogback.configurationFile}) should declare it too:
 * {@code <turboFilter class="dev.baton.server.ops.WireLogFilter"/>}.
 */
public final class WireLogFilter extends TurboFilter {
    static final String WIRE_LOGGERS = "org.eclipse.jetty";

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
        if (level == null || level.isGreaterOrEqual(Level.INFO)) {
            return FilterReply.NEUTRAL;
        }
        String name = logger.getName();
        return name.startsWith(WIRE_LOGGERS) && (name.length() == WIRE_LOGGERS.length()
                || name.charAt(WIRE_LOGGERS.length()) == '.') ? FilterReply.DENY : FilterReply.NEUTRAL;
    }
}
