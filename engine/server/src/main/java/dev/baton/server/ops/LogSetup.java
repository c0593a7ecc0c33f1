package dev.baton.server.ops;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import java.net.URL;
import java.util.Locale;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * Applies {@code baton.log.format} and {@code baton.log.level} at start. Logback reads {@code logback.xml} (text) by
 * itself; for {@code json} the context is reconfigured from {@value #JSON_CONFIG}. A configuration given with
 * {@code -Dlogback.configurationFile} is left alone, level included.
 *
 * @since 0.1
 */
public final class LogSetup {
    /** The JSON-lines configuration on the classpath. */
    public static final String JSON_CONFIG = "/dev/baton/server/logback-json.xml";
    /** The text configuration on the classpath (Logback's default file name). */
    public static final String TEXT_CONFIG = "/logback.xml";

    private LogSetup() {}

    /**
     * Switches the log format and Baton's level.
     *
     * @param format {@code text} or {@code json}
     * @param level a Logback level name for the {@code dev.baton} loggers
     */
    public static void apply(String format, String level) {
        if (System.getProperty("logback.configurationFile") != null) {
            return;
        }
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        if (!(factory instanceof LoggerContext context)) {
            return; // another SLF4J backend on the classpath: its own configuration rules
        }
        String resource = "json".equals(format) ? JSON_CONFIG : TEXT_CONFIG;
        if (!resource.equals(context.getProperty("baton.log.config"))) {
            URL url = LogSetup.class.getResource(resource);
            if (url == null) {
                throw new IllegalStateException("the logging configuration " + resource + " is missing from the jar");
            }
            context.reset();
            JoranConfigurator c = new JoranConfigurator();
            c.setContext(context);
            try {
                c.doConfigure(url);
            } catch (JoranException e) {
                throw new IllegalStateException("cannot apply the logging configuration " + resource + ": " + e.getMessage(), e);
            }
            context.putProperty("baton.log.config", resource);
        }
        context.getLogger("dev.baton").setLevel(Level.toLevel(level.toUpperCase(Locale.ROOT), Level.INFO));
    }
}
